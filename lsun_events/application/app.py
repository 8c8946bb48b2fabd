"""LsunApp: the use cases over the event store. Each takes primitives or source records, loads
aggregates, calls them, saves everything in one ``save()`` (one transaction) and returns plain values."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    Mapper,
    PersistenceError,
    Recording,
    Transcoder,
)

from lsun_events.aggregates.base import LsunAggregate, contexte
from lsun_events.aggregates.bilan import Bilan
from lsun_events.aggregates.division import Division
from lsun_events.aggregates.eleve import Eleve
from lsun_events.aggregates.enseignant import Enseignant
from lsun_events.aggregates.etablissement import Etablissement
from lsun_events.aggregates.synchronisation import Synchronisation
from lsun_events.aggregates.valeurs import Acquis, ParametresAutomatiques, Periode, RefEnseignant
from lsun_events.application.annulation import DemandeAnnulation, annuler
from lsun_events.application.erreurs import (
    BilanIntrouvableError,
    ConflitError,
    DivisionInconnueError,
    EleveInconnuError,
    ErreurLsun,
    EtablissementDejaImporteError,
    EtablissementInconnuError,
    PeriodeNonParametreeError,
    RetenueInconnueError,
    VersionIntrouvableError,
)
from lsun_events.application.synchronisation import (
    DemandeSynchronisation,
    ResultatSynchronisation,
    RunInconnuError,
    nouveau_run,
    synchroniser,
)
from lsun_events.regles import conversion as conv
from lsun_events.regles.synchronisation import Progression
from lsun_events.sources.records import SourceSnapshot
from lsun_events.storage.codec import MapperLsun
from lsun_events.storage.config import Store
from lsun_events.storage.persistence import TranscodeurLsun, enregistrer_transcodings
from lsun_events.storage.verrous import ATTENTE_PAR_DEFAUT

# The applications whose catch-up waits for the end of the current ``LsunApp.regrouper()`` (None: not in one).
_en_attente: ContextVar[set[LsunApp] | None] = ContextVar("lsun_rattrapage_en_attente", default=None)


class LsunApp(Application[UUID]):
    name = "LsunApp"  # fixes the environment prefix and PostgreSQL table names
    store: Store | None = None  # set by ``ouvrir_application``: runs of one school are serialised on it
    # Set by the composition root (``lsun_events.systeme``): what follows every save that recorded events — the
    # views caught up in-process. It must not raise: the events are saved, whatever happens to the views.
    apres_enregistrement: Callable[[], None] | None = None

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        """The library's hook after every ``save()``: the views catch up by construction, whichever use case
        saved (a simulation saves nothing, so nothing follows). Inside ``regrouper()``, once at its end."""
        if not recordings or self.apres_enregistrement is None:
            return
        en_attente = _en_attente.get()
        if en_attente is not None:
            en_attente.add(self)
        else:
            self.apres_enregistrement()

    @contextmanager
    def regrouper(self) -> Iterator[None]:
        """The saves made inside are followed by one catch-up, at the end — after a lock taken inside is
        released, and even when the block raises (what was saved, such as a failed run's record, is shown)."""
        if _en_attente.get() is not None:  # inside another group: its end catches up
            yield
            return
        en_attente: set[LsunApp] = set()
        jeton = _en_attente.set(en_attente)
        try:
            yield
        finally:
            _en_attente.reset(jeton)
            for app in en_attente:
                if app.apres_enregistrement is not None:
                    app.apres_enregistrement()

    def construct_transcoder(self) -> Transcoder:
        """The JSON codec of earlier versions: reads the events they stored (and the values ``MapperLsun`` tags)."""
        transcoder = TranscodeurLsun()
        self.register_transcodings(transcoder)
        return transcoder

    def construct_mapper(self) -> Mapper[UUID]:
        """New events stored by the compiled codec (MessagePack, ``storage/codec.py``); the JSON of earlier
        versions still read. Compression and encryption as configured, around either."""
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=MapperLsun)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        enregistrer_transcodings(transcoder)

    # Loading ----------------------------------------------------------------------------------
    def _get(self, aggregate_id: UUID, version: int | None = None) -> Any:
        return self.repository.get(aggregate_id, version=version)

    def etablissement(self, uai: str) -> Etablissement:
        try:
            return self._get(Etablissement.id_pour(uai))
        except AggregateNotFoundError:
            raise EtablissementInconnuError(uai) from None

    def division(self, etab: Etablissement, code: str) -> Division:
        try:
            return self._get(UUID(etab.divisions[code]))
        except KeyError:
            raise DivisionInconnueError(etab.uai, code, list(etab.divisions)) from None

    def eleve(self, uai: str, eleve_id: str) -> Eleve:
        try:
            return self._get(Eleve.id_pour(uai, eleve_id))
        except AggregateNotFoundError:
            raise EleveInconnuError(uai, eleve_id) from None

    def enseignants(self, etab: Etablissement) -> Iterator[Enseignant]:
        for cle in etab.enseignants:
            yield self._get(Enseignant.id_pour(etab.uai, RefEnseignant.depuis_cle(cle)))

    def bilan(self, uai: str, eleve_id: str, periode: str) -> Bilan:
        eleve = self.eleve(uai, eleve_id)
        try:
            return self._get(Bilan.id_pour(uai, eleve_id, eleve.division_id, periode))
        except AggregateNotFoundError:
            raise BilanIntrouvableError(eleve_id, periode) from None

    def bilans_de_division(self, uai: str, division: Division, periode: str | None = None) -> Iterator[Bilan]:
        periodes = [periode] if periode else list(division.periodes_ouvertes)
        for code in periodes:
            for eleve_id in division.eleves:
                bilan_id = Bilan.id_pour(uai, eleve_id, division.id, code)
                try:
                    yield self._get(bilan_id)
                except AggregateNotFoundError:
                    continue

    def _enregistrer(self, *aggregates: LsunAggregate) -> int:
        """One transaction; a concurrent change of the same aggregate is a clean French error."""
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            raise ConflitError(
                "Ces données ont été modifiées par quelqu'un d'autre au même moment : "
                "rien n'a été enregistré, recommencez.") from None
        return len(recordings)

    # Use cases: import ------------------------------------------------------------------------
    def importer(self, snapshot: SourceSnapshot, acteur: str, jour: date) -> dict[str, int]:
        """First import of an établissement: établissement, divisions, groups, pupils, teachers."""
        uai = snapshot.uai.upper()
        if Etablissement.id_pour(uai) in self.repository:
            raise EtablissementDejaImporteError(uai)
        with contexte(acteur):
            etab = Etablissement(uai, snapshot.annee_scolaire, conv.infos_etablissement(snapshot.etablissement))
            divisions: dict[str, Division] = {}
            for d in snapshot.divisions:
                division = Division(uai, d.code, d.libelle, conv.profs_principaux(snapshot, d.code, jour))
                divisions[d.code] = division
                etab.rattacher_division(d.code, division.id)
            for g in snapshot.groupes:
                etab.definir_groupe(g.code, g.divisions)
            eleves = self._nouveaux_eleves(uai, snapshot, divisions, jour, deja=set())
            enseignants = self._nouveaux_enseignants(etab, snapshot)
        self._enregistrer(etab, *divisions.values(), *eleves, *enseignants)
        return {"divisions": len(divisions), "groupes": len(snapshot.groupes), "eleves": len(eleves),
                "enseignants": len(enseignants)}

    def _nouveaux_eleves(self, uai: str, snapshot: SourceSnapshot, divisions: dict[str, Division],
                         jour: date, deja: set[str]) -> list[Eleve]:
        eleves = []
        for e in snapshot.eleves:
            if e.eleve_id in deja or not conv.est_scolarise(e, jour) or e.division not in divisions:
                continue
            division = divisions[e.division]
            eleve = Eleve(uai, e.eleve_id, conv.identite_eleve(e), conv.scolarite(e), str(division.id))
            division.inscrire_eleve(e.eleve_id)
            eleves.append(eleve)
        return eleves

    def _nouveaux_enseignants(self, etab: Etablissement, snapshot: SourceSnapshot) -> list[Enseignant]:
        services = conv.services_par_enseignant(snapshot)
        nouveaux = []
        for e in snapshot.enseignants:
            cle = conv.ref(e.ref)
            if cle.cle in etab.enseignants:
                continue
            nouveaux.append(Enseignant(etab.uai, cle, conv.identite_enseignant(e), services.get(cle, [])))
            etab.rattacher_enseignant(cle.cle)
        return nouveaux

    def ajouter_eleves(self, snapshot: SourceSnapshot, acteur: str, jour: date) -> dict[str, int]:
        """Pupils who arrived in the BEE since the import, in divisions LSUN knows."""
        uai = snapshot.uai.upper()
        etab = self.etablissement(uai)
        divisions = {code: self._get(UUID(i)) for code, i in etab.divisions.items()}
        deja = {eleve_id for d in divisions.values() for eleve_id in d.eleves}
        deja |= {e.eleve_id for e in snapshot.eleves if Eleve.id_pour(uai, e.eleve_id) in self.repository}
        with contexte(acteur):
            eleves = self._nouveaux_eleves(uai, snapshot, divisions, jour, deja)
        modifiees = [d for d in divisions.values() if d.pending_events]
        if eleves:
            self._enregistrer(*modifiees, *eleves)
        return {"eleves": len(eleves)}

    # Use cases: periods and bilans -------------------------------------------------------------
    def parametrer_periodes(self, uai: str, division: str, periodes: list[Periode], acteur: str) -> None:
        div = self.division(self.etablissement(uai), division)
        with contexte(acteur):
            div.parametrer_periodes(periodes)
        self._enregistrer(div)

    def ouvrir_bilans(self, uai: str, division: str, periode: str, acteur: str) -> dict[str, int]:
        """One bilan per pupil of the division: acquis from the services of the pupil's division
        and groups, PP from the division's PP. Bilans already open are left as they are."""
        etab = self.etablissement(uai)
        div = self.division(etab, division)
        per = div.periode(periode)
        if per is None:
            raise PeriodeNonParametreeError(division, periode, [p.code for p in div.periodes])
        services = [(s, e.ref) for e in self.enseignants(etab) for s in e.services]
        bilans = []
        with contexte(acteur):
            for eleve_id in div.eleves:
                if Bilan.id_pour(uai, eleve_id, div.id, periode) in self.repository:
                    continue
                eleve = self._get(Eleve.id_pour(uai, eleve_id))
                acquis = acquis_de_l_eleve(services, div.code, eleve.scolarite.groupes)
                bilans.append(Bilan(uai, eleve_id, str(div.id), div.code, per,
                                    list(div.profs_principaux), acquis))
            div.marquer_periode_ouverte(periode)
        self._enregistrer(div, *bilans)
        return {"bilans": len(bilans)}

    def saisir_acquis(self, uai: str, eleve_id: str, periode: str, matiere: str, acteur: str,
                      positionnement: int | None = None, appreciation: str | None = None) -> None:
        bilan = self.bilan(uai, eleve_id, periode)
        with contexte(acteur):
            bilan.saisir_acquis(matiere, positionnement, appreciation)
        self._enregistrer(bilan)

    def verrouiller(self, uai: str, division: str, periode: str, acteur: str,
                    eleve_id: str | None = None, *, verrouiller: bool = True) -> dict[str, int]:
        etab = self.etablissement(uai)
        div = self.division(etab, division)
        if div.periode(periode) is None:
            raise PeriodeNonParametreeError(division, periode, [p.code for p in div.periodes])
        if eleve_id is not None:
            bilans: Iterable[Bilan] = [self.bilan(uai, eleve_id, periode)]
        else:
            bilans = list(self.bilans_de_division(uai, div, periode))
        with contexte(acteur):
            for b in bilans:
                b.verrouiller() if verrouiller else b.deverrouiller()
        changes = [b for b in bilans if b.pending_events]
        if changes:
            self._enregistrer(*changes)
        return {"bilans": len(changes)}

    # Use case: synchronisation ------------------------------------------------------------------
    def synchroniser(self, demande: DemandeSynchronisation, source: SourceSnapshot,
                     progression: Progression | None = None, *,
                     attente: float = ATTENTE_PAR_DEFAUT) -> ResultatSynchronisation:
        """R1–R12 for the selected divisions (SPEC §3): all of it in one transaction, or nothing; one run
        at a time per school (a second one waits up to ``attente`` seconds)."""
        return synchroniser(self, demande, source, progression, attente=attente)

    def annuler(self, demande: DemandeAnnulation, progression: Progression | None = None, *,
                attente: float = ATTENTE_PAR_DEFAUT) -> ResultatSynchronisation:
        """SPEC §9: undo a completed run — a new run putting back what it changed, refused if anything it touched
        has moved since; the undone run stays in the history, marked."""
        return annuler(self, demande, progression, attente=attente)

    # Use cases: automatic synchronisation (``lsun_events.automatique`` schedules them) ----------------
    def parametrer_automatique(self, uai: str, acteur: str, *, active: bool, adresse_s3e: str | None = None,
                               intervalle_minutes: int = 15) -> ParametresAutomatiques:
        """Turn a school's background synchronisation on or off (an event says who); returns the settings in
        force, which the scheduling then follows. Without a new address, the one already set is kept."""
        etab = self.etablissement(uai.upper())
        adresse = adresse_s3e or (etab.automatique.adresse_s3e if etab.automatique else None)
        if active and not adresse:
            raise ErreurLsun("Indiquez l'adresse du service S3E pour activer la synchronisation automatique.")
        if not 1 <= intervalle_minutes <= 10_080:
            raise ErreurLsun("L'intervalle entre deux vérifications va d'une minute à une semaine (10 080 minutes).")
        if adresse is not None and not (adresse.startswith(("http://", "https://")) and adresse.isprintable()
                                        and " " not in adresse and len(adresse) <= 2000):
            raise ErreurLsun(f"L'adresse du service S3E « {adresse!r} » n'est pas une adresse http:// ou https://.")
        parametres = ParametresAutomatiques(active, adresse, intervalle_minutes)
        with contexte(acteur):
            etab.parametrer_automatique(parametres)
        self._enregistrer(etab)
        return parametres

    def retenir(self, demande: DemandeSynchronisation, source: SourceSnapshot, divisions: list[str],
                raison: str) -> UUID:
        """A suspicious automatic run held for the chef (its simulation judged by the guard): recorded with
        why, nothing applied; returns its id."""
        with nouveau_run(demande, divisions, source) as run:
            run.retenir(raison)
        self._enregistrer(run)
        return run.id

    def appliquer_retenue(self, synchronisation: str, source: SourceSnapshot, acteur: str,
                          jour: date) -> ResultatSynchronisation:
        """The chef applies a held source as it was previewed: a run by the chef, then the held run is marked
        applied by it (the views catch up once, after both)."""
        retenue = self._retenue(synchronisation)
        with self.regrouper():
            resultat = self.synchroniser(
                DemandeSynchronisation(uai=retenue.uai, acteur=acteur, jour=jour, automatique=True), source)
            with contexte(acteur, retenue.id):
                retenue.marquer_appliquee(resultat.synchronisation)
            self._enregistrer(retenue)
        return resultat

    def abandonner_retenue(self, synchronisation: str, acteur: str) -> None:
        retenue = self._retenue(synchronisation)
        with contexte(acteur, retenue.id):
            retenue.abandonner()
        self._enregistrer(retenue)

    def _retenue(self, synchronisation: str) -> Synchronisation:
        try:
            run = self._get(UUID(synchronisation))
        except (ValueError, AggregateNotFoundError):
            raise RunInconnuError(synchronisation) from None
        if not isinstance(run, Synchronisation):
            raise RunInconnuError(synchronisation)
        if run.statut != "retenue":
            raise RetenueInconnueError(synchronisation)
        return run

    # Queries ------------------------------------------------------------------------------------
    def bilan_tel_que(self, uai: str, eleve_id: str, periode: str, *, version: int | None = None,
                      au: date | None = None) -> Bilan:
        """A bilan now, at a version, or as it was at the end of a day (UTC)."""
        actuel = self.bilan(uai, eleve_id, periode)
        if au is not None:
            fin = datetime.combine(au, time.max, tzinfo=UTC)
            versions = [e.originator_version for e in self.historique(actuel.id) if e.timestamp <= fin]
            if not versions:
                raise BilanIntrouvableError(eleve_id, f"{periode} au {au.isoformat()}")
            version = versions[-1]
        if version is None:
            return actuel
        if version > actuel.version:
            raise VersionIntrouvableError(version, actuel.version)
        return self._get(actuel.id, version=version)

    def historique(self, aggregate_id: UUID) -> list[LsunAggregate.Event]:
        """Every event of one aggregate, oldest first."""
        return cast("list[LsunAggregate.Event]", list(self.events.get(aggregate_id)))


def acquis_de_l_eleve(services: list[tuple[Any, RefEnseignant]], division: str,
                      groupes: tuple[str, ...]) -> list[Acquis]:
    """One acquis per discipline of the services of the pupil's division and groups."""
    par_matiere: dict[str, Acquis] = {}
    for service, ref in services:
        concerne = (service.structure_type == "D" and service.structure_code == division) or (
            service.structure_type == "G" and service.structure_code in groupes)
        if not concerne:
            continue
        acquis = par_matiere.get(service.matiere_code) or Acquis(service.matiere_code, service.matiere_libelle)
        if ref not in acquis.enseignants:
            acquis = Acquis(acquis.matiere_code, acquis.matiere_libelle, (*acquis.enseignants, ref))
        par_matiere[service.matiere_code] = acquis
    return sorted(par_matiere.values(), key=lambda a: a.matiere_code)


def ouvrir_application(store: Store | str | None = None, *, creer_tables: bool | None = None) -> LsunApp:
    """The application on the given store (``--store`` / ``LSUN_STORE`` / default SQLite)."""
    if not isinstance(store, Store):
        store = Store.depuis_url(store)
    app = LsunApp(env=store.env(creer_tables=creer_tables))
    app.store = store
    try:
        _verifier_cle(app)
    except BaseException:
        app.close()
        raise
    return app


def _verifier_cle(app: LsunApp) -> None:
    """The first stored event must read back with this process's key (or without one): otherwise a process
    with another key would write new events that no other process can read (a store with mixed keys).
    Raises the library's ``MapperDeserialisationError``, which the interfaces tell in French."""
    try:
        premiers = app.recorder.select_notifications(start=None, limit=1)
    except PersistenceError:
        return  # no table yet (PostgreSQL before ``migrer``): the first real query says so
    if premiers:
        app.mapper.to_domain_event(premiers[0])


def migrer(store: Store | str | None = None) -> None:
    """Create the schema (tables, indexes). For PostgreSQL, run once before starting processes."""
    if not isinstance(store, Store):
        store = Store.depuis_url(store)
    if store.kind == "postgresql" and store.pg_schema:
        import psycopg  # noqa: PLC0415  (only the PostgreSQL store needs it)
        from psycopg import sql  # noqa: PLC0415

        with psycopg.connect(host=store.pg_host, port=store.pg_port, dbname=store.pg_dbname,
                             user=store.pg_user, password=store.pg_password, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(store.pg_schema)))
    ouvrir_application(store, creer_tables=True).close()
