# Two commands do all set-up on a fresh machine: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installe

.PHONY: demo test test-lourd lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/lsun-events demo

test: $(STAMP)
	$(BIN)/ruff check lsun_events tests bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-lourd: $(STAMP)
	$(BIN)/python -m pytest -m lourd $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench.tout

clean:
	rm -rf $(VENV) lsun-data .pytest_cache
