"""Regenerates the committed fixtures: ``python -m lsun_events.generateur.fixtures tests/fixtures``.

Writes ``<dossier>/mini/`` (the "mini" school of the scenario tests, written by ``ecrire_exports``: ``siecle/``,
``siecle.zip``, ``sts_emp_0999001X_2025.xml``) and ``CONTENU.md``, a readable summary of who is in it.
Same code, same bytes.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from lsun_events.generateur.ecriture import ecrire_exports
from lsun_events.generateur.generation import generer
from lsun_events.generateur.modele import INACTIFS, Ecole


def ecrire_fixtures(dossier: Path | str) -> Path:
    cible = Path(dossier) / "mini"
    if cible.exists():
        shutil.rmtree(cible)
    ecole = generer("mini")
    ecrire_exports(ecole, cible)
    (cible / "CONTENU.md").write_text(contenu(ecole), encoding="utf-8")
    return cible


def contenu(ecole: Ecole) -> str:
    """A Markdown summary of a school: divisions, groups, pupils, teachers, services and PP."""
    lignes = [
        f"# Jeu « mini » — {ecole.etablissement.nom} ({ecole.uai}), année {ecole.annee}",
        "",
        "Généré par `python -m lsun_events.generateur.fixtures tests/fixtures` (ne pas modifier à la main).",
        f"Export du {ecole.date_export:%d/%m/%Y %H:%M:%S} ; chef d'établissement : {ecole.etablissement.chef_nom} "
        f"({ecole.etablissement.chef_qualite}).",
        "",
        "## Élèves",
        "",
        "| ELEVE_ID | nom | prénoms | division | groupes | remarque |",
        "|---|---|---|---|---|---|",
    ]
    for e in sorted(ecole.eleves, key=lambda e: (e.division, e.nom_de_famille, e.eleve_id)):
        nom = f"{e.nom_de_famille} (usage {e.nom_usage})" if e.nom_usage else e.nom_de_famille
        remarque = f"sorti le {e.date_sortie:%d/%m/%Y}" if e.date_sortie else (
            "pseudo-division" if e.division == INACTIFS else "")
        lignes.append(f"| {e.eleve_id} | {nom} | {', '.join(e.prenoms)} | {e.division} | "
                      f"{', '.join(e.groupes)} | {remarque} |")
    lignes += ["", "## Enseignants et personnels (STS)", "",
               "| TYPE | ID | PRENOM NOM_USAGE | FONCTION | PP de | services |", "|---|---|---|---|---|---|"]
    for p in ecole.enseignants:
        services = ", ".join(f"{code} {ecole.matiere(s.matiere_code).libelle_court}"
                             for code, _, s in ecole.services_de(p.ref))
        pp = ", ".join(pp.division for pp in p.profs_princ)
        lignes.append(f"| {p.type} | {p.id} | {p.prenom} {p.nom_usage} | {p.fonction} | {pp} | {services} |")
    lignes += ["", "## Structures", ""]
    for d in ecole.divisions:
        lignes.append(f"- division {d.code} « {d.libelle} » : {len(d.services)} services, "
                      f"{len([e for e in ecole.eleves_de(d.code) if not e.date_sortie])} élèves présents")
    for g in ecole.groupes:
        lignes.append(f"- groupe {g.code} « {g.libelle} » sur {', '.join(g.divisions)} : "
                      + ", ".join(ecole.matiere(s.matiere_code).libelle_court for s in g.services))
    return "\n".join(lignes) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage : python -m lsun_events.generateur.fixtures DOSSIER", file=sys.stderr)
        return 2
    print(ecrire_fixtures(args[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
