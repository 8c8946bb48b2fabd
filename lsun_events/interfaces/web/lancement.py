"""Starting a synchronisation or a simulation from the page or the API: the request is checked here (known
divisions, an available source) before anything runs, then the run goes to a background thread."""

from __future__ import annotations

from collections.abc import Sequence

from lsun_events.application.comptes import Compte
from lsun_events.application.erreurs import DivisionInconnueError
from lsun_events.application.synchronisation import DemandeSynchronisation
from lsun_events.interfaces.web import sources_web
from lsun_events.interfaces.web.erreurs import RequeteInvalideError
from lsun_events.interfaces.web.reglages import Reglages
from lsun_events.interfaces.web.taches import Tache, Taches
from lsun_events.systeme import Systeme


def lancer(systeme: Systeme, reglages: Reglages, taches: Taches, compte: Compte, uai: str, *,
           divisions: Sequence[str] | None, toutes: bool, simulation: bool, source: str | None) -> Tache:
    etab = systeme.app.etablissement(uai)
    choisies: tuple[str, ...] | None = None
    if not toutes:
        choisies = tuple(dict.fromkeys(d.strip() for d in divisions or () if d.strip()))
        if not choisies:
            raise RequeteInvalideError("Choisissez au moins une division, ou « tout sélectionner ».")
        inconnues = [d for d in choisies if d not in etab.divisions]
        if inconnues:
            raise DivisionInconnueError(etab.uai, inconnues[0], list(etab.divisions))
    description, lire = sources_web.choisir(reglages, etab, source)
    demande = DemandeSynchronisation(uai=etab.uai, acteur=compte.acteur, jour=reglages.jour(), divisions=choisies,
                                     simulation=simulation)
    return taches.lancer(demande, compte.identifiant, description, lire)
