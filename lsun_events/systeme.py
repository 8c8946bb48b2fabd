"""Composition root: the event-sourced application on a store, and its read models.

Embedded (SQLite) and by default on PostgreSQL too, the views are caught up in-process right after each save,
by construction (the application's notification hook), so what a command or a page shows next is up to date.
On PostgreSQL, with ``LSUN_PROJECTIONS=processus``, they are left to their own processes (``lsun-events
projections suivre``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from eventsourcing.persistence import IntegrityError

from lsun_events.application.app import LsunApp, ouvrir_application
from lsun_events.projections.audit import Audit
from lsun_events.projections.base import Modele
from lsun_events.projections.rapports import Rapports
from lsun_events.projections.runner import Progression, Projecteur, rattraper, reconstruire
from lsun_events.projections.vue_courante import VueCourante
from lsun_events.storage.config import Store

journal = logging.getLogger("lsun_events.projections")

MODELES: tuple[Callable[[], Modele], ...] = (Rapports, VueCourante, Audit)


class Systeme:
    def __init__(self, store: Store | str | None = None, *, creer_tables: bool | None = None) -> None:
        self.store = store if isinstance(store, Store) else Store.depuis_url(store)
        self.app: LsunApp = ouvrir_application(self.store, creer_tables=creer_tables)
        self.projecteurs = {m.nom: Projecteur(self.store, m, creer_tables=creer_tables)
                            for m in (f() for f in MODELES)}
        self.en_processus = self.store.kind == "postgresql" and os.environ.get("LSUN_PROJECTIONS") == "processus"
        if not self.en_processus:
            self.app.apres_enregistrement = self._apres_enregistrement
            if any(p.reconstruite for p in self.projecteurs.values()):
                self.rattraper()  # a view of an earlier version, recreated empty: rebuilt now, not at the next save

    def _apres_enregistrement(self) -> None:
        """After every save (the application's notification hook): the views caught up in-process, so no use
        case, command or page has to. A failed catch-up does not make the saved command an error: it is
        logged, and the next catch-up (the next save, ``rattraper()``, « projections suivre ») resumes from
        the views' positions."""
        try:
            self.rattraper()
        except Exception as e:  # the events are saved; only the views lag
            journal.warning("Vues non rattrapées après l'enregistrement (%s) : elles le seront au prochain "
                            "enregistrement ou par « projections suivre ».", type(e).__name__)
            journal.debug("Rattrapage des vues en échec", exc_info=True)

    def rattraper(self) -> None:
        """Bring the views up to date (embedded mode): done after every save already; an explicit barrier for
        tests and tools (events written by another process, a store filled directly). A concurrent follower
        may have written the same page first: its position wins and the page is read again from there."""
        if self.en_processus:
            return
        for _ in range(3):
            with suppress(IntegrityError):
                rattraper(list(self.projecteurs.values()), self.app)
                return
        journal.warning("Vues non rattrapées après trois essais (écritures concurrentes) : elles le seront à la "
                        "prochaine commande ou par « projections suivre ».")

    def reconstruire(self, progression: Progression | None = None, noms: list[str] | None = None
                     ) -> dict[str, int]:
        """The views (default: all) emptied and rebuilt from the first event, each page of the store read once
        for all of them."""
        projecteurs = [self.projecteurs[n] for n in noms] if noms else list(self.projecteurs.values())
        return reconstruire(projecteurs, self.app, progression=progression)

    def lire(self, nom: str) -> Any:
        """A read transaction on a view: ``with systeme.lire("rapports") as c: …``."""
        return self.projecteurs[nom].vue.transaction(ecrire=False)

    def fermer(self) -> None:
        self.app.apres_enregistrement = None
        for p in self.projecteurs.values():
            p.fermer()
        self.app.close()

    def __enter__(self) -> Systeme:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fermer()


def migrer(store: Store | str | None = None) -> None:
    """Create every table: event store, views, the automatic synchronisation's bookkeeping, the accounts."""
    from lsun_events.application.app import migrer as migrer_evenements  # noqa: PLC0415
    from lsun_events.application.comptes import migrer as migrer_comptes  # noqa: PLC0415
    from lsun_events.automatique.planification import Planification  # noqa: PLC0415

    store = store if isinstance(store, Store) else Store.depuis_url(store)
    migrer_evenements(store)
    Systeme(store, creer_tables=True).fermer()
    Planification(store).fermer()
    migrer_comptes(store)


def groupes_de_vues(processus: int) -> list[list[str]]:
    """The views shared between ``processus`` groups of about the same cost (the costliest first, each to the
    least loaded group); each group is rebuilt by one process, reading the store once for its views."""
    modeles = sorted((f() for f in MODELES), key=lambda m: -m.cout)
    groupes: list[list[str]] = [[] for _ in range(max(1, min(processus, len(modeles))))]
    charges = [0] * len(groupes)
    for modele in modeles:
        i = charges.index(min(charges))
        groupes[i].append(modele.nom)
        charges[i] += modele.cout
    return groupes


def reconstruire_en_parallele(store: Store, processus: int,
                              progression: Callable[[list[str], dict[str, int]], None] | None = None
                              ) -> dict[str, int]:
    """``projections reconstruire --processus N``: the groups of views rebuilt at the same time, each by a
    process of its own (the views are independent: their own tables and positions), so a rebuild uses the
    machine's cores. Started with "spawn": nothing of this process (connections, locks) is inherited."""
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    groupes = groupes_de_vues(processus)
    if len(groupes) == 1:
        with Systeme(store) as s:
            return s.reconstruire(progression=(lambda lus: progression(groupes[0], lus)) if progression else None)
    with ProcessPoolExecutor(len(groupes), mp_context=multiprocessing.get_context("spawn")) as pool:
        travaux = [pool.submit(_reconstruire_groupe, store.url, groupe, progression) for groupe in groupes]
        total: dict[str, int] = {}
        for travail in travaux:
            total.update(travail.result())
    return {nom: total[nom] for nom in (f().nom for f in MODELES)}


def _reconstruire_groupe(url: str, noms: list[str],
                         progression: Callable[[list[str], dict[str, int]], None] | None) -> dict[str, int]:
    with Systeme(url) as s:
        return s.reconstruire(progression=(lambda lus: progression(noms, lus)) if progression else None, noms=noms)
