"""Bilans and messages as French lines for the command line (a bilan as a dict:
``lsun_events.application.documents``)."""

from __future__ import annotations

from lsun_events.aggregates.bilan import Bilan
from lsun_events.regles.messages import Message


def bilan_en_lignes(bilan: Bilan) -> list[str]:
    lignes = [
        f"Bilan {bilan.periode.code} de l'élève {bilan.eleve_id} ({bilan.division}) — {bilan.etat}, "
        f"version {bilan.version} du {bilan.modified_on:%d/%m/%Y %H:%M}",
        f"Professeur(s) principal(aux) : {', '.join(p.cle for p in bilan.profs_principaux) or 'aucun'}",
    ]
    for a in bilan.acquis.values():
        pos = f"positionnement {a.positionnement}" if a.positionnement else "non positionné"
        lignes.append(f"  {a.matiere_libelle} ({a.matiere_code}) — {', '.join(e.cle for e in a.enseignants)} — {pos}"
                      + (f" — « {a.appreciation} »" if a.appreciation else ""))
    return lignes


def messages_en_lignes(messages: list[Message]) -> list[str]:
    """Grouped by division (an undo's first message, of no division, under « Annulation »), warnings marked, what
    each message changed under it: « Prénoms : Timothée, Arthur → Timothée-Arthur »."""
    lignes: list[str] = []
    division = None
    for m in messages:
        if m.division != division:
            division = m.division
            lignes.append(f"Division {division}" if division else "Annulation")
        marque = "AVERTISSEMENT" if m.niveau == "avertissement" else "info"
        lignes.append(f"  [{marque}] {m.texte}")
        lignes.extend(f"      {d.libelle} : {d.ancien_texte or '—'} → {d.nouveau_texte or '—'}" for d in m.details)
    return lignes
