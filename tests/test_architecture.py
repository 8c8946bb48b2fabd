"""The layers, read from the code's own imports: ``ast`` over every module of ``lsun_events``.

Every ``import`` counts, at module level or inside a function (a lazy import is still a dependency), except
those under ``if TYPE_CHECKING:`` (types only: nothing runs them). The rules, from the inside out:

- ``aggregates`` (the domain): the standard library, ``eventsourcing.domain`` and ``aggregates`` only;
- ``regles`` (pure rules): ``aggregates``, ``regles`` and the data records ``sources.records``;
- ``application`` (use cases): no ``interfaces``, no ``automatique``, no composition root, and of the
  projections nothing at all (views are caught up through the hook the composition root sets);
- ``storage`` (adapters): no ``application`` module but its errors, no ``projections``, no ``interfaces``;
- ``projections``: no ``interfaces``, no ``application`` module but its errors, of ``storage`` only the store
  settings, the SQL helpers and the memory helper (no aggregate loader, no lock, no bookkeeping table);
- ``sources``: no aggregate but ``aggregates.normalisation`` (the one text normalisation), no ``application``,
  no ``regles``, no ``storage``, no ``projections``; of ``exploitation`` only its counters (``metriques``);
- ``exploitation`` (metrics, health checks): ``metriques`` is a leaf (no module of the project: every layer may
  count through it); the others read the store, its bookkeeping tables and the views (``storage``,
  ``projections``) and are handed the ``Systeme`` — no ``interfaces``, no composition root, no use case;
- ``automatique`` (scheduling): no ``interfaces``, no composition root — it is handed the ``LsunApp``, whose
  views the composition root keeps current through the application's hook;
- nothing outside ``interfaces`` imports ``interfaces`` (the console entry ``lsun-events`` is
  ``interfaces.cli:main`` itself), and only ``interfaces`` import the composition root ``systeme``;
- the package root holds ``__init__.py`` and ``systeme.py`` only;
- no import cycle between modules.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent / "lsun_events"
PAQUET = "lsun_events"

# Cycles known and being removed elsewhere in the same change (issue 15): listed, so that a new one still fails.
CYCLES_CONNUS: set[frozenset[str]] = set()


def _nom(chemin: Path) -> str:
    parties = chemin.relative_to(RACINE.parent).with_suffix("").parts
    return ".".join(parties[:-1] if parties[-1] == "__init__" else parties)


@cache
def modules() -> dict[str, Path]:
    return {_nom(p): p for p in sorted(RACINE.rglob("*.py"))}


def _sous_type_checking(noeud: ast.If) -> bool:
    test = noeud.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(arbre: ast.AST, module: str, paquet: bool) -> Iterator[str]:
    """The names imported (``a.b`` for ``import a.b``; ``a.b.c`` or ``a.b`` for ``from a.b import c``)."""
    for noeud in ast.iter_child_nodes(arbre):
        if isinstance(noeud, ast.If) and _sous_type_checking(noeud):
            for autre in noeud.orelse:
                yield from _imports(autre, module, paquet)
            continue
        if isinstance(noeud, ast.Import):
            yield from (alias.name for alias in noeud.names)
        elif isinstance(noeud, ast.ImportFrom):
            base = noeud.module or ""
            if noeud.level:  # relative: from the module's package
                parties = module.split(".") if paquet else module.split(".")[:-1]
                parties = parties[:len(parties) - noeud.level + 1]
                base = ".".join([*parties, base] if base else parties)
            for alias in noeud.names:
                yield f"{base}.{alias.name}"
        else:
            yield from _imports(noeud, module, paquet)


def _module_de(nom: str, connus: dict[str, Path]) -> str:
    """The project module an imported name is in: ``from a.b import c`` names module ``a.b.c`` or a name of ``a.b``."""
    while nom not in connus:
        nom = nom.rpartition(".")[0]
    return nom


@cache
def dependances() -> dict[str, frozenset[str]]:
    """Module → the project modules it imports; other libraries as their top-level name (``sys``, ``lxml``)
    or, for eventsourcing, as ``eventsourcing.<module>``."""
    connus = modules()
    graphe: dict[str, frozenset[str]] = {}
    for module, chemin in connus.items():
        arbre = ast.parse(chemin.read_text(encoding="utf-8"), str(chemin))
        cibles: set[str] = set()
        for nom in _imports(arbre, module, chemin.name == "__init__.py"):
            if nom.split(".")[0] != PAQUET:
                cibles.add(".".join(nom.split(".")[:2]) if nom.startswith("eventsourcing.") else nom.split(".")[0])
                continue
            cible = _module_de(nom, connus)
            if cible != module:
                cibles.add(cible)
        graphe[module] = frozenset(cibles)
    return graphe


def _couche(module: str) -> str:
    parties = module.split(".")
    return parties[1] if len(parties) > 1 else ""


def _dans(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _internes(module: str) -> set[str]:
    return {c for c in dependances()[module] if _dans(c, PAQUET) and c != PAQUET}


def _de_la_couche(couche: str) -> list[str]:
    return [m for m in modules() if _couche(m) == couche]


def _refus(couche: str, permis: tuple[str, ...]) -> list[str]:
    """Every import of a module of ``couche`` that is none of ``permis`` (modules or packages)."""
    return [f"{m} → {c}" for m in _de_la_couche(couche) for c in sorted(_internes(m)) if not _dans(c, *permis)]


def test_le_domaine_n_importe_que_la_bibliotheque_standard_eventsourcing_domain_et_lui_meme() -> None:
    permis_ext = set(sys.stdlib_module_names) | {"__future__", "eventsourcing.domain"}
    refus = [f"{m} → {c}" for m in _de_la_couche("aggregates") for c in sorted(dependances()[m])
             if not _dans(c, PAQUET) and c not in permis_ext]
    refus += _refus("aggregates", ("lsun_events.aggregates",))
    assert refus == []


def test_les_regles_n_importent_que_le_domaine_les_regles_et_les_enregistrements_des_sources() -> None:
    assert _refus("regles", ("lsun_events.aggregates", "lsun_events.regles", "lsun_events.sources.records")) == []


def test_l_application_n_importe_ni_interfaces_ni_projections_ni_automatique_ni_la_racine() -> None:
    interdits = ("lsun_events.interfaces", "lsun_events.projections", "lsun_events.automatique",
                 "lsun_events.systeme")
    assert [f"{m} → {c}" for m in _de_la_couche("application") for c in sorted(_internes(m))
            if _dans(c, *interdits)] == []


def test_le_stockage_n_importe_aucun_cas_d_usage_ni_projection_ni_interface() -> None:
    assert _refus("storage", ("lsun_events.storage", "lsun_events.aggregates", "lsun_events.application.erreurs")) == []


def test_les_projections_n_importent_ni_interface_ni_cas_d_usage_ni_le_chargement_des_agregats() -> None:
    permis = ("lsun_events.projections", "lsun_events.aggregates", "lsun_events.regles",
              "lsun_events.application.erreurs", "lsun_events.storage.config", "lsun_events.storage.sql",
              "lsun_events.storage.memoire")
    assert _refus("projections", permis) == []


def test_les_sources_ne_connaissent_aucun_agregat_sauf_la_normalisation_des_textes() -> None:
    assert _refus("sources", ("lsun_events.sources", "lsun_events.aggregates.normalisation",
                              "lsun_events.exploitation.metriques")) == []


def test_l_exploitation_lit_le_stockage_et_les_vues_sans_interfaces_ni_racine_et_ses_compteurs_sont_une_feuille(
) -> None:
    assert _internes("lsun_events.exploitation.metriques") == set()
    permis = ("lsun_events.exploitation", "lsun_events.storage", "lsun_events.projections",
              "lsun_events.application.erreurs")
    assert _refus("exploitation", permis) == []


def test_l_automatique_n_importe_ni_interfaces_ni_la_racine_de_composition() -> None:
    assert [f"{m} → {c}" for m in _de_la_couche("automatique") for c in sorted(_internes(m))
            if _dans(c, "lsun_events.interfaces", "lsun_events.systeme")] == []


def test_seules_les_interfaces_importent_la_racine_de_composition() -> None:
    # The composition root builds the application, the views and their wiring: the edges start from it.
    assert [m for m in modules() if "lsun_events.systeme" in _internes(m) and not _dans(m, "lsun_events.interfaces")] == []


def test_rien_hors_des_interfaces_n_importe_les_interfaces() -> None:
    assert [f"{m} → {c}" for m in modules() if not _dans(m, "lsun_events.interfaces")
            for c in sorted(_internes(m)) if _dans(c, "lsun_events.interfaces")] == []


def test_la_racine_du_paquet_ne_tient_que_init_et_systeme() -> None:
    assert sorted(p.name for p in RACINE.glob("*.py")) == ["__init__.py", "systeme.py"]


def _cycles() -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    graphe = {m: sorted(_internes(m)) for m in modules()}
    index: dict[str, int] = {}
    bas: dict[str, int] = {}
    pile: list[str] = []
    sur_pile: set[str] = set()
    composantes: list[list[str]] = []

    def visiter(v: str) -> None:
        index[v] = bas[v] = len(index)
        pile.append(v)
        sur_pile.add(v)
        for w in graphe[v]:
            if w not in index:
                visiter(w)
                bas[v] = min(bas[v], bas[w])
            elif w in sur_pile:
                bas[v] = min(bas[v], index[w])
        if bas[v] == index[v]:
            composante = []
            while True:
                w = pile.pop()
                sur_pile.discard(w)
                composante.append(w)
                if w == v:
                    break
            if len(composante) > 1:
                composantes.append(sorted(composante))

    limite = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limite, 10 * len(graphe)))
    try:
        for v in graphe:
            if v not in index:
                visiter(v)
    finally:
        sys.setrecursionlimit(limite)
    return sorted(composantes)


def test_aucun_cycle_d_imports_entre_modules() -> None:
    nouveaux = [c for c in _cycles() if frozenset(c) not in CYCLES_CONNUS]
    assert nouveaux == []


@pytest.mark.parametrize("code, attendu", [
    ("from lsun_events.aggregates.bilan import Bilan\n", {"lsun_events.aggregates.bilan"}),
    ("from lsun_events.aggregates import bilan\n", {"lsun_events.aggregates.bilan"}),
    ("import lsun_events.aggregates.bilan as b\n", {"lsun_events.aggregates.bilan"}),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from lsun_events.systeme import Systeme\n", set()),
    ("def f():\n    from lsun_events.systeme import Systeme\n", {"lsun_events.systeme"}),
])
def test_la_lecture_des_imports(code: str, attendu: set[str]) -> None:
    noms = _imports(ast.parse(code), "lsun_events.regles.exemple", False)
    assert {_module_de(nom, modules()) for nom in noms if nom.startswith(PAQUET + ".")} == attendu
