"""The generator and the readers agree: ``charger_exports`` reads back what ``ecrire_exports`` wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsun_events.generateur.ecriture import ecrire_exports
from lsun_events.generateur.modele import Ecole
from lsun_events.generateur.variantes import renommer_eleve, retirer_enseignant
from lsun_events.sources.records import SourceSnapshot

snapshot = pytest.importorskip("lsun_events.sources.snapshot")

MINI = Path(__file__).parents[1] / "fixtures" / "mini"


def verifier_lu(ecole: Ecole, lu: SourceSnapshot) -> None:
    assert lu.uai == ecole.uai and lu.annee_scolaire == str(ecole.annee)
    assert [e.eleve_id for e in lu.eleves] == [e.eleve_id for e in ecole.eleves]
    for modele, source in zip(ecole.eleves, lu.eleves, strict=True):
        assert (source.nom_de_famille, source.nom_usage or "", list(source.prenoms)) == \
            (modele.nom_de_famille, modele.nom_usage, modele.prenoms)
        assert (source.division, list(source.groupes), source.date_sortie) == \
            (modele.division, modele.groupes, modele.date_sortie)
        assert [r.personne_id for r in source.responsables] == [r.personne_id for r in modele.responsables]
    assert {(e.type, e.id_sts, e.nom_usage, e.prenom) for e in lu.enseignants} == \
        {(e.type, e.id, e.nom_usage, e.prenom) for e in ecole.enseignants}
    assert {(s.structure_code, s.structure_type, s.matiere_code,  # a service's teachers: a set (R13)
             frozenset((r.type, r.id_sts) for r in s.enseignants)) for s in lu.services} == \
        {(code, nature, s.matiere_code, frozenset((r.type, r.id) for r in s.enseignants))
         for code, nature, s in ecole.services()}
    assert {(pp.division, pp.enseignant.type, pp.enseignant.id_sts) for pp in lu.profs_principaux} == \
        {(pp.division, e.type, e.id) for e in ecole.enseignants for pp in e.profs_princ}
    assert lu.etablissement.nom == ecole.etablissement.nom
    assert lu.etablissement.chef_nom == ecole.etablissement.chef_nom


@pytest.mark.parametrize("siecle", ["siecle", "siecle.zip"])
def test_le_jeu_mini_committe_se_lit(mini: Ecole, siecle: str) -> None:
    lu = snapshot.charger_exports(MINI / siecle, MINI / "sts_emp_0999001X_2025.xml", uai_attendu="0999001X")
    verifier_lu(mini, lu)
    assert {d.code for d in lu.divisions} == {"4A", "4B", "3B"}


@pytest.mark.parametrize("encodage", ["ISO-8859-15", "UTF-8", "UTF-8-BOM"])
def test_chaque_encodage_se_lit(petit: Ecole, tmp_path: Path, encodage: str) -> None:
    exports = ecrire_exports(petit, tmp_path, encodage=encodage)
    verifier_lu(petit, snapshot.charger_exports(exports.siecle_zip, exports.sts))


def test_une_variante_se_lit(mini: Ecole, tmp_path: Path) -> None:
    eleve_id = mini.eleves_de("4A")[0].eleve_id
    ecole = renommer_eleve(mini, eleve_id, prenoms=["Marie-claire", "Yvete"], nom_de_famille="N'DIAYE")
    ecole = retirer_enseignant(ecole, ecole.division("4A").services[1].enseignants[0])
    exports = ecrire_exports(ecole, tmp_path)
    verifier_lu(ecole, snapshot.charger_exports(exports.siecle_dossier, exports.sts))
