"""Invariants every generated or derived school must keep (used by several test modules)."""

from __future__ import annotations

from collections import Counter

from lsun_events.generateur.modele import INACTIFS, Ecole


def verifier_coherence(ecole: Ecole) -> None:
    divisions = [d.code for d in ecole.divisions]
    groupes = {g.code: g for g in ecole.groupes}
    refs = [e.ref for e in ecole.enseignants]
    assert len(set(divisions)) == len(divisions)
    assert len(set(refs)) == len(refs), "(TYPE, ID) en double"
    assert not [i for i, n in Counter(e.eleve_id for e in ecole.eleves).items() if n > 1], "ELEVE_ID en double"
    ines = [e.ine for e in ecole.eleves if e.ine]
    assert len(set(ines)) == len(ines), "INE en double"
    for code, _, service in ecole.services():
        for ref in service.enseignants:
            assert ref in refs, f"{code} {service.matiere_code} : enseignant {ref} absent des INDIVIDUS"
        ecole.matiere(service.matiere_code)
    for eleve in ecole.eleves:
        assert eleve.division in divisions or eleve.division == INACTIFS, eleve
        assert 1 <= len(eleve.prenoms) <= 3
        for code in eleve.groupes:
            assert eleve.division in groupes[code].divisions, (eleve.eleve_id, code)
    for groupe in ecole.groupes:
        assert set(groupe.divisions) <= set(divisions), groupe.code
    for enseignant in ecole.enseignants:
        for pp in enseignant.profs_princ:
            assert pp.division in divisions, (enseignant.id, pp.division)
            assert pp.date_debut <= pp.date_fin
