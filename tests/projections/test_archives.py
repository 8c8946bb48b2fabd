"""Bilans as they were: each archive shows the pupil's data as they were when it was archived (R6, SPEC §7.9),
read from the events alone, with what changed since; a bilan at a version or a date."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from lsun_events.application.erreurs import BilanIntrouvableError, EleveInconnuError
from lsun_events.application.historique import archives, bilan_tel_qu_il_etait
from lsun_events.interfaces.cli import main
from lsun_events.systeme import Systeme
from tests.projections import scenario as sc
from tests.projections.scenario import ANDRE, CHEF, CLEMENT, DURAND, MATHS, TIMOTHEE, UAI


def test_les_archives_gardent_l_eleve_tel_qu_il_etait(histoire: sc.Scenario) -> None:
    with Systeme(histoire.store) as s:
        [premiere, seconde] = archives(s.app, UAI, TIMOTHEE)
        # Run 1 corrected the prénoms: the first archive keeps the name printed on the bilan then.
        assert premiere.archive.identite_eleve.prenoms == ("Timothée", "Arthur")
        assert premiere.archive.identite_eleve.nom_de_famille == "HUET"
        assert (premiere.synchronisation, premiere.acteur) == (histoire.run(0), CHEF)
        assert [(d.champ, d.ancien, d.nouveau) for d in premiere.differences] == [
            ("nom_de_famille", "HUET", "HUET-ROBIN"), ("prenoms", ("Timothée", "Arthur"), ("Timothée-Arthur",))]
        # Run 3 corrected the nom de famille: the second archive has run 1's prénoms and the old nom.
        assert seconde.archive.identite_eleve.prenoms == ("Timothée-Arthur",)
        assert seconde.archive.identite_eleve.nom_de_famille == "HUET"
        assert seconde.synchronisation == histoire.run(2)
        assert [(d.champ, d.ancien, d.nouveau) for d in seconde.differences] == [
            ("nom_de_famille", "HUET", "HUET-ROBIN")]
        assert premiere.archive_le < seconde.archive_le
        for a in (premiere, seconde):
            assert (a.archive.periode.code, a.archive.division, a.archive.etat) == ("T1", "4A", "verrouillé")
            assert [r.cle for r in a.archive.profs_principaux] == [ANDRE]
            maths = next(x for x in a.archive.acquis if x.matiere_code == MATHS)
            assert (maths.positionnement, maths.appreciation, [r.cle for r in maths.enseignants]) == (
                4, "Bon trimestre.", [DURAND])
        # The teachers' names as they were at the archive: Mme Durand before her new nom d'usage (run 1).
        assert {e.ref.cle: e.nom for e in premiere.archive.enseignants}[DURAND] == "LAËTITIA DURAND"
        assert {e.ref.cle: e.nom for e in seconde.archive.enseignants}[DURAND] == "LAËTITIA DURAND-LEROY"

        [clement] = archives(s.app, UAI, CLEMENT)
        assert clement.archive.identite_eleve.prenoms == ("Clément", "Joël")
        assert clement.archive.division == "4B"
        assert archives(s.app, UAI, "2400111") == []  # never archived
        with pytest.raises(EleveInconnuError):
            archives(s.app, UAI, "9999999")


def test_un_bilan_tel_qu_il_etait(histoire: sc.Scenario) -> None:
    with Systeme(histoire.store) as s:
        ouvert = bilan_tel_qu_il_etait(s.app, UAI, TIMOTHEE, "T1", version=1)
        assert ouvert.acquis[MATHS].positionnement is None
        saisi = bilan_tel_qu_il_etait(s.app, UAI, TIMOTHEE, "T1", version=2)
        assert (saisi.acquis[MATHS].positionnement, saisi.acquis[MATHS].appreciation) == (3, "Bon trimestre.")
        assert str(saisi.etat) == "en cours de saisie"
        maintenant = bilan_tel_qu_il_etait(s.app, UAI, TIMOTHEE, "T1")
        assert (maintenant.acquis[MATHS].positionnement, len(maintenant.archives)) == (4, 2)
        aujourd_hui = maintenant.modified_on.date()
        assert bilan_tel_qu_il_etait(s.app, UAI, TIMOTHEE, "T1", au=aujourd_hui).version == maintenant.version
        with pytest.raises(BilanIntrouvableError):
            bilan_tel_qu_il_etait(s.app, UAI, TIMOTHEE, "T1", au=aujourd_hui - timedelta(days=1))


def test_commande_archives(capsys: pytest.CaptureFixture[str], histoire: sc.Scenario) -> None:
    code = main(["archives", "--uai", UAI, "--eleve", TIMOTHEE, "--store", histoire.store.url, "--json"])
    sortie = capsys.readouterr()
    assert code == 0, sortie.err
    donnees = json.loads(sortie.out)
    assert donnees["eleve"] == "Timothée-Arthur HUET-ROBIN"
    [premiere, seconde] = donnees["archives"]
    assert (premiere["eleve"], premiere["identite_eleve"]["prenoms"]) == ("Timothée HUET", ["Timothée", "Arthur"])
    assert premiere["synchronisation"] == histoire.run(0)
    assert premiere["differences"] == [
        {"champ": "nom_de_famille", "archive": "HUET", "actuel": "HUET-ROBIN"},
        {"champ": "prenoms", "archive": ["Timothée", "Arthur"], "actuel": ["Timothée-Arthur"]}]
    assert seconde["eleve"] == "Timothée-Arthur HUET"
    [maths] = [a for a in premiere["acquis"] if a["matiere"] == MATHS]
    assert maths["enseignants"] == [{"enseignant": DURAND, "nom": "LAËTITIA DURAND"}]
    assert (maths["positionnement"], maths["appreciation"]) == (4, "Bon trimestre.")
    assert date.fromisoformat(premiere["archive_le"][:10])

    code = main(["archives", "--uai", UAI, "--eleve", TIMOTHEE, "--store", histoire.store.url])
    texte = capsys.readouterr().out
    assert code == 0
    assert texte.splitlines()[0] == "Bilans archivés de l'élève Timothée-Arthur HUET-ROBIN (2400102) : 2."
    assert "  Élève tel qu'archivé : Timothée HUET (prénoms : Timothée, Arthur ; nom de famille : HUET)" in texte
    assert "    Prénoms : Timothée, Arthur → Timothée-Arthur" in texte
    assert "  Mathématiques (061300) — LAËTITIA DURAND (epp:86704) — positionnement 4 — « Bon trimestre. »" in texte

    code = main(["archives", "--uai", UAI, "--eleve", "9999999", "--store", histoire.store.url])
    assert code == 1
    assert capsys.readouterr().err.startswith("Erreur : Aucun élève d'identifiant 9999999")

