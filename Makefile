# Two commands do all set-up on a fresh machine: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installe

.PHONY: demo test test-lourd lint bench clean navigateur

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/lsun-events demo

# The browser tests drive Debian's Chromium (never a downloaded browser): installed here when missing and we are
# root with apt-get; otherwise nothing happens and those tests say why they are skipped.
navigateur:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installation de Chromium pour les tests de la page web (apt-get)…"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "Chromium n'a pas pu être installé : les tests navigateur le diront."; \
	fi

test: $(STAMP) navigateur
	$(BIN)/ruff check lsun_events tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-lourd: $(STAMP)
	$(BIN)/python -m pytest -m lourd $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench.tout

clean:
	rm -rf $(VENV) lsun-data .pytest_cache
