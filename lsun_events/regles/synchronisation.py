"""Synchronisation base élèves: the rules R1–R12 of SPEC §3, in order, over the aggregates of one
établissement and one source snapshot. No store, no clock: the run date is given. Every decision is an
event on an aggregate (entity changes) or on the run (warnings M1, M3, M5, M7, M10); the messages are
derived from those events (``lsun_events.regles.messages``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import date

from lsun_events.aggregates import evenements as ev
from lsun_events.aggregates.base import LsunAggregate
from lsun_events.aggregates.bilan import Bilan
from lsun_events.aggregates.division import Division
from lsun_events.aggregates.eleve import Eleve
from lsun_events.aggregates.enseignant import Enseignant
from lsun_events.aggregates.etablissement import Etablissement
from lsun_events.aggregates.normalisation import lecture_erronee, normaliser_texte
from lsun_events.aggregates.synchronisation import Synchronisation
from lsun_events.aggregates.valeurs import (
    Acquis,
    Changement,
    EnseignantNomme,
    RefEnseignant,
    ServiceEnseignement,
    Valeur,
    changements,
    ordre_canonique,
)
from lsun_events.regles import conversion as conv
from lsun_events.regles.erreurs import SourceEndommageeError
from lsun_events.regles.libelles import libelle_champ
from lsun_events.sources.records import EleveSource, EnseignantSource, ServiceSource, SourceSnapshot

Progression = Callable[[int, int], None]


@dataclass
class Perimetre:
    """The aggregates a run may touch, loaded by the application."""

    etablissement: Etablissement
    divisions: list[Division]  # the selected divisions, in the order selected
    eleves: dict[str, Eleve]  # the pupils of the selected divisions, by ELEVE_ID
    bilans: dict[str, list[Bilan]]  # by ELEVE_ID: the pupil's bilans (every opened period)
    enseignants: dict[RefEnseignant, Enseignant]  # every teacher LSUN knows in the school (and new ones)

    def touches(self) -> list[LsunAggregate]:
        """The aggregates the run changed, in the order their events are recorded: the bilans before the pupils,
        so that in the log each archive of a locked bilan comes before the change of the pupil's data it keeps
        the former values of (SPEC: archive, then update)."""
        agregats: list[LsunAggregate] = [self.etablissement, *self.divisions,
                                         *(b for bs in self.bilans.values() for b in bs),
                                         *self.eleves.values(), *self.enseignants.values()]
        return [a for a in agregats if a.pending_events]


@dataclass
class Memoire:
    """What earlier runs proved to change nothing, so that a run does not decide it again (« a resync costs
    what changed »). Each entry is keyed by an aggregate's id (``id.int``: hashed in C) and holds the version
    it was proved at with everything else the decision read: it is used only when the aggregate is still at
    that version and the inputs are equal, i.e. when the same decision would be taken on the same data. An
    entry is only added for a decision that recorded no event and read nothing but the aggregate and the
    inputs kept.

    A run reads ``Regles.memoire`` and writes ``Regles.suivante`` (a copy, updated); the application keeps
    ``suivante`` only once the run is saved — a version a failed or simulated run reached is never stored."""

    eleves: dict[int, tuple[int, EleveSource, bool]] = field(default_factory=dict)  # R6/R7: (version,
    # source record, responsables absent): the pupil's data are the source's
    acquis: dict[int, tuple[int, str]] = field(default_factory=dict)  # R9: (bilan version, services key):
    # every acquis of the services is there with all their teachers
    pp: dict[int, tuple[int, tuple[RefEnseignant, ...]]] = field(default_factory=dict)  # R10: the PP are these
    references: dict[int, tuple[int, tuple[RefEnseignant, ...]]] = field(default_factory=dict)  # R8: a bilan's
    # linked teachers
    lies: dict[int, tuple[tuple[tuple[int, int], ...], tuple[RefEnseignant, ...]]] = field(
        default_factory=dict)  # R8: a division's linked teachers, for its bilans at these versions
    enseignants: dict[int, tuple[int, EnseignantSource, tuple[ServiceEnseignement, ...]]] = field(
        default_factory=dict)  # R8: the teacher's data and services are the source's

    def copie(self) -> Memoire:
        return Memoire(dict(self.eleves), dict(self.acquis), dict(self.pp), dict(self.references),
                       dict(self.lies), dict(self.enseignants))


class Regles:
    """One run's decisions. Call ``appliquer()`` inside ``contexte(acteur, run.id)``. With ``memoire`` (what
    earlier saved runs proved, see ``Memoire``), a decision already proved to change nothing is not taken
    again; the events are the same with and without it."""

    def __init__(self, perimetre: Perimetre, source: SourceSnapshot, run: Synchronisation, jour: date,
                 progression: Progression | None = None, memoire: Memoire | None = None) -> None:
        self.memoire = memoire if memoire is not None else Memoire()
        self.suivante = self.memoire.copie()
        self.p = perimetre
        self.source = source = _libelles_connus(source, perimetre)
        self.absents = frozenset(source.absents)
        self.run = run
        self.jour = jour
        self.progression = progression or (lambda _fait, _total: None)
        self.eleves_source = {e.eleve_id: e for e in source.eleves}
        self.divisions_source = {normaliser_texte(d.code): d for d in source.divisions}
        self.enseignants_source = {conv.ref(e.ref): e for e in source.enseignants}
        self.services: dict[tuple[str, str], list[ServiceSource]] = defaultdict(list)
        for s in source.services:
            self.services[(s.structure_type, s.structure_code)].append(s)
        self.services_enseignants = conv.services_par_enseignant(source)
        self.enseignants_a_jour: dict[RefEnseignant, list[str]] = {}
        self.enseignants_lies: set[RefEnseignant] = set()  # for the counts (and the automatic run's guard)
        # Per run, on the instance: a functools cache on the method would keep every run's rules (and the
        # aggregates they hold) alive for the life of the process — a worker serving many schools grew
        # by some 100 MB per run that way.
        self._services_par_structure: dict[tuple[str, tuple[str, ...]],
                                           tuple[dict[tuple[str, str], list[RefEnseignant]], str]] = {}

    # The run, in the order of SPEC §3 ------------------------------------------------------------
    def appliquer(self) -> None:
        self.r1_etablissement()
        total = sum(len(d.eleves) for d in self.p.divisions)
        fait = 0
        for division in self.p.divisions:
            self.r2_division(division)
            dans_la_division = self.r3_a_r7_eleves(division)
            fait += len(division.eleves)
            self.progression(fait, total)
            if not division.periodes:
                self.avertir("M5", division.code)  # R8 note: no bilan of it is considered
                continue
            self.r8_enseignants(division)
            self.r9_acquis(division, dans_la_division)
            self.r10_profs_principaux(division)
        self.r8_mettre_a_jour_enseignants()

    def avertir(self, code: str, division: str, **valeurs: str) -> None:
        self.run.avertir(code, division, dict(valeurs))

    # R1 -------------------------------------------------------------------------------------------
    def r1_etablissement(self) -> None:
        """Every datum of the établissement but the UAI (checked before the run starts)."""
        etab = self.p.etablissement
        infos = conv.infos_etablissement(self.source.etablissement)
        if "communs" in self.absents:  # R13: what Communs.xml carries stays as LSUN has it
            infos = conv.sans_communs(infos, etab.infos)
        diff = changements(etab.infos, infos)
        self._verifier_decodage(diff, f"l'établissement {etab.uai}")
        etab.appliquer_changements(self.source.uai, diff)

    # R2 -------------------------------------------------------------------------------------------
    def r2_division(self, division: Division) -> None:
        trouvee = self.divisions_source.get(normaliser_texte(division.code))
        if trouvee is not None:
            libelle = trouvee.libelle or division.libelle
            if "structures" in self.absents:  # R13: Structures.xml's libellé stays, STS's only completes it
                libelle = division.libelle or libelle
            if division.libelle and libelle:
                self._verifier_decodage([Changement("libelle", division.libelle, libelle)],
                                        f"la division {division.code}")
            division.mettre_a_jour(trouvee.code, libelle)
            return
        nouveau = self._code_commun(division)
        if nouveau is None:
            self.avertir("M10", division.code)
            return
        ancien = division.code
        renommee = self.divisions_source.get(normaliser_texte(nouveau))
        libelle = (renommee.libelle if renommee is not None else None) or division.libelle
        division.mettre_a_jour(nouveau, libelle)
        self.p.etablissement.renommer_division(ancien, nouveau)

    def _code_commun(self, division: Division) -> str | None:
        """The one new code under which most of the division's pupils appear together, if any."""
        codes = Counter(
            e.division for i in division.eleves
            if (e := self.eleves_source.get(i)) is not None and conv.est_scolarise(e, self.jour))
        if not codes:
            return None
        code, nombre = codes.most_common(1)[0]
        if nombre * 2 <= len(division.eleves) or code in self.p.etablissement.divisions:
            return None
        return code

    # R3 – R7 ----------------------------------------------------------------------------------------
    def r3_a_r7_eleves(self, division: Division) -> dict[str, EleveSource]:
        """Returns the pupils still in this division, by ELEVE_ID, with their source record."""
        restent: dict[str, EleveSource] = {}
        for eleve_id in division.eleves:
            eleve = self.p.eleves[eleve_id]
            source = self.eleves_source.get(eleve_id)
            if source is None or not conv.est_scolarise(source, self.jour):
                self.avertir("M1", division.code, eleve=eleve.identite.nom_affiche)  # R4: nothing else
                continue
            if source.division != division.code:
                self.avertir("M1", division.code, eleve=eleve.identite.nom_affiche)  # R5: scolarité kept
            else:
                restent[eleve_id] = source
            self.r6_r7_mettre_a_jour(eleve, source, division.code)
        return restent

    def r6_r7_mettre_a_jour(self, eleve: Eleve, source: EleveSource, division: str) -> None:
        sans_responsables = "responsables" in self.absents
        deja = self.memoire.eleves.get(eleve.id.int)
        if deja is not None and deja[0] == eleve.version and deja[2] == sans_responsables and deja[1] == source:
            return  # proved by a saved run: these data are the pupil's
        nouvelle = conv.identite_eleve(source)
        if sans_responsables:  # R13: without ResponsablesAvecAdresses.xml the guardians stay
            nouvelle = replace(nouvelle, responsables=eleve.identite.responsables)
        if nouvelle == eleve.identite:  # the same data, however the export wrote them (R13)
            self.suivante.eleves[eleve.id.int] = (eleve.version, source, sans_responsables)
            return
        diff = changements(eleve.identite, nouvelle)
        self._verifier_decodage(diff, f"l'élève {eleve.identite.nom_affiche} ({division}, ELEVE_ID {eleve.eleve_id})")
        for bilan in self.p.bilans.get(eleve.eleve_id, []):
            if bilan.verrouille:  # R6: the bilan as it is, the pupil's data as they were
                bilan.archiver(eleve.identite, self._noms(self._references(bilan)),
                               eleve=nouvelle.nom_affiche, division=division)
        eleve.appliquer_changements(diff, nouvelle, division)  # R7: administrative data only
        if nouvelle == eleve.identite:  # proved for the version this run saves (kept only if it is saved)
            self.suivante.eleves[eleve.id.int] = (eleve.version, source, sans_responsables)

    # R8 -------------------------------------------------------------------------------------------
    def r8_enseignants(self, division: Division) -> None:
        """Step 1: teachers linked, by an acquis or as PP, to the division's bilans."""
        bilans = [b for eleve_id in division.eleves for b in self.p.bilans.get(eleve_id, [])]
        versions = tuple((b.id.int, b.version) for b in bilans)
        deja = self.memoire.lies.get(division.id.int)
        if deja is not None and deja[0] == versions:
            lies: dict[RefEnseignant, None] = dict.fromkeys(deja[1])
        else:
            lies = {}  # in order, once each
            for bilan in bilans:
                lies.update(dict.fromkeys(self._references(bilan)))
            self.suivante.lies[division.id.int] = (versions, tuple(lies))
        self.enseignants_lies.update(lies)
        for ref in lies:
            if ref not in self.enseignants_source:
                self.avertir("M3", division.code, enseignant=self._nom(ref))
            elif ref in self.p.enseignants:
                self.enseignants_a_jour.setdefault(ref, []).append(division.code)

    def r8_mettre_a_jour_enseignants(self) -> None:
        """Each changed teacher is updated once; message M4 once per division where linked."""
        for ref, divisions in self.enseignants_a_jour.items():
            source = self.enseignants_source[ref]
            enseignant = self.p.enseignants[ref]
            services = self.services_enseignants.get(ref, [])
            deja = self.memoire.enseignants.get(enseignant.id.int)
            if (deja is not None and deja[0] == enseignant.version and deja[1] == source
                    and deja[2] == tuple(services)):
                continue  # proved by a saved run: these data and services are the teacher's
            identite = conv.identite_enseignant(source)
            diff = enseignant.changements_pour(identite, services)
            self._verifier_decodage([c for c in diff if c.champ != "services"],
                                    f"l'enseignant {enseignant.identite.nom_affiche} ({ref.type} {ref.id_sts})")
            if diff:
                enseignant.appliquer_changements(diff, identite, divisions)
                if enseignant.changements_pour(identite, services):
                    continue
            self.suivante.enseignants[enseignant.id.int] = (enseignant.version, source, tuple(services))

    # R9 -------------------------------------------------------------------------------------------
    def r9_acquis(self, division: Division, restent: dict[str, EleveSource]) -> None:
        """Step 2: the teachers of each service reach the acquis of every unlocked bilan of the division, those
        of pupils R4/R5 reported too (SPEC: the bilan keeps its division, which decides its services). A pupil
        still in the division is linked to the services of its division and its groups in the source; another
        to those of the groups LSUN knows."""
        for eleve_id in division.eleves:
            source = restent.get(eleve_id)
            groupes = source.groupes if source is not None else self.p.eleves[eleve_id].scolarite.groupes
            par_matiere, cle = self._services_de(division.code, tuple(groupes))
            if not par_matiere:
                if source is not None:
                    self.avertir("M7", division.code, eleve=self.p.eleves[eleve_id].identite.nom_affiche)
                continue
            bilans = [b for b in self.p.bilans.get(eleve_id, []) if not b.verrouille  # R11
                      and self.memoire.acquis.get(b.id.int) != (b.version, cle)]  # else proved complete
            if not bilans:
                continue
            impurs: set[int] = set()  # bilans where something was missing: their decision read more
            for (code, libelle), refs in par_matiere.items():
                nommes: list[EnseignantNomme] | None = None
                for bilan in bilans:
                    acquis = bilan.acquis.get(code)
                    if acquis is not None and all(r in acquis.enseignants for r in refs):
                        continue  # nothing to add (the usual case)
                    impurs.add(bilan.id.int)
                    if nommes is None:
                        nommes = [EnseignantNomme(r, self._nom(r)) for r in refs if self._connaitre(r)]
                    if acquis is None:
                        if not nommes:
                            continue  # a service without teacher yet (early-year export): an acquis needs one
                        bilan.ajouter_acquis(Acquis(code, libelle))
                    bilan.ajouter_enseignants(code, nommes, division=division.code)
            for bilan in bilans:
                if bilan.id.int not in impurs:
                    self.suivante.acquis[bilan.id.int] = (bilan.version, cle)

    def _services_de(self, division: str, groupes: tuple[str, ...]
                     ) -> tuple[dict[tuple[str, str], list[RefEnseignant]], str]:
        """The teachers of each matière of the division and groups, and a key equal for equal services."""
        deja = self._services_par_structure.get((division, groupes))
        if deja is not None:
            return deja
        services = [*self.services.get(("D", division), [])]
        for groupe in groupes:
            services.extend(self.services.get(("G", groupe), []))
        par_matiere: dict[tuple[str, str], list[RefEnseignant]] = {}
        for s in services:
            refs = par_matiere.setdefault((s.matiere_code, s.matiere_libelle), [])
            refs.extend(r for e in s.enseignants if (r := conv.ref(e)) not in refs)
        cle = repr([(matiere, [(r.type, r.id_sts) for r in refs]) for matiere, refs in par_matiere.items()])
        self._services_par_structure[(division, groupes)] = par_matiere, cle
        return par_matiere, cle

    # R10 ------------------------------------------------------------------------------------------
    def r10_profs_principaux(self, division: Division) -> None:
        """Step 3: the STS PP valid on the run date, on every unlocked bilan of the division (those of pupils
        R4/R5 reported too: the bilan's division decides its PP)."""
        pp_sts = [r for r in conv.profs_principaux(self.source, division.code, self.jour) if self._connaitre(r)]
        division.changer_profs_principaux(pp_sts)
        cle = tuple(pp_sts)
        for eleve_id in division.eleves:
            nom_eleve = self.p.eleves[eleve_id].identite.nom_affiche
            for bilan in self.p.bilans.get(eleve_id, []):
                if bilan.verrouille:
                    continue  # R11
                if self.memoire.pp.get(bilan.id.int) == (bilan.version, cle):
                    continue  # proved: these are the bilan's PP
                version = bilan.version
                for ref in pp_sts:
                    bilan.ajouter_prof_principal(EnseignantNomme(ref, self._nom(ref)), nom_eleve, division.code)
                for ref in [r for r in bilan.profs_principaux if r not in pp_sts]:
                    bilan.retirer_prof_principal(EnseignantNomme(ref, self._nom(ref)), nom_eleve, division.code)
                if bilan.version == version:
                    self.suivante.pp[bilan.id.int] = (version, cle)

    def _references(self, bilan: Bilan) -> list[RefEnseignant]:
        """``bilan.references_enseignants()``, remembered for the bilan's version (R8 reads every bilan's)."""
        deja = self.memoire.references.get(bilan.id.int)
        refs = deja[1] if deja is not None and deja[0] == bilan.version else tuple(bilan.references_enseignants())
        self.suivante.references[bilan.id.int] = (bilan.version, refs)
        return list(refs)

    # Teachers -------------------------------------------------------------------------------------
    def _connaitre(self, ref: RefEnseignant) -> bool:
        """True if LSUN knows the teacher, creating it first from STS when it is new (R9, R10)."""
        if ref in self.p.enseignants:
            return True
        source = self.enseignants_source.get(ref)
        if source is None:
            return False
        enseignant = Enseignant(self.p.etablissement.uai, ref, conv.identite_enseignant(source),
                                self.services_enseignants.get(ref, []))
        self.p.enseignants[ref] = enseignant
        self.p.etablissement.rattacher_enseignant(ref.cle)
        return True

    def _nom(self, ref: RefEnseignant) -> str:
        """SPEC §4 {enseignant}: as STS writes it, else as LSUN knows it."""
        if ref in self.enseignants_source:
            source = self.enseignants_source[ref]
            return f"{source.prenom} {source.nom_usage}"
        if ref in self.p.enseignants:
            return self.p.enseignants[ref].identite.nom_affiche
        return ref.cle

    def _verifier_decodage(self, diff: list[Changement], qui: str) -> None:
        """R13 / SPEC §5: a change whose new value is the old one mis-decoded means a damaged source: the whole
        run is refused before anything is saved."""
        for c in diff:
            for ancien, nouveau in _paires_de_textes(c.ancien, c.nouveau):
                erreur = lecture_erronee(ancien, nouveau)
                if erreur is not None:
                    raise SourceEndommageeError(qui, libelle_champ(c.champ), ancien, nouveau, *erreur)

    def _noms(self, refs: list[RefEnseignant]) -> list[EnseignantNomme]:
        return [EnseignantNomme(r, self.p.enseignants[r].identite.nom_affiche if r in self.p.enseignants
                                else r.cle) for r in refs]


def _paires_de_textes(ancien: object, nouveau: object) -> Iterator[tuple[str, str]]:
    """The texts of an old and a new value that stand at the same place (same field, same rank, the same
    guardian…), to compare them one by one."""
    if isinstance(ancien, str) and isinstance(nouveau, str):
        yield ancien, nouveau
    elif isinstance(ancien, tuple | list) and isinstance(nouveau, tuple | list):
        a, n = ordre_canonique(ancien), ordre_canonique(nouveau)
        if len(a) == len(n):
            for x, y in zip(a, n, strict=True):
                yield from _paires_de_textes(x, y)
    elif isinstance(ancien, Valeur) and type(ancien) is type(nouveau):
        for f in fields(ancien):
            yield from _paires_de_textes(getattr(ancien, f.name), getattr(nouveau, f.name))


def _libelles_connus(source: SourceSnapshot, perimetre: Perimetre) -> SourceSnapshot:
    """A service whose matière has no libellé in the source (Nomenclature.xml absent, a matière STS does not
    name) keeps the libellé LSUN knows for that matière, rather than its bare code (R13)."""
    if not any(s.matiere_libelle == s.matiere_code for s in source.services):
        return source
    connus = {s.matiere_code: s.matiere_libelle for e in perimetre.enseignants.values() for s in e.services
              if s.matiere_libelle != s.matiere_code}
    return source.model_copy(update={"services": tuple(
        s.model_copy(update={"matiere_libelle": connus[s.matiere_code]})
        if s.matiere_libelle == s.matiere_code and s.matiere_code in connus else s
        for s in source.services)})


# The run's counts of events, by class (SynchronisationTerminee's ``compteurs``: stored, their keys are data).
COMPTEURS: dict[str, type] = {
    "eleves_mis_a_jour": ev.EleveMisAJour, "bilans_archives": ev.BilanArchive,
    "enseignants_mis_a_jour": ev.EnseignantMisAJour, "enseignants_crees": ev.EnseignantCree,
    "acquis_completes": ev.EnseignantsAjoutesAcquis,
    "profs_principaux_ajoutes": ev.ProfPrincipalAjoute, "profs_principaux_retires": ev.ProfPrincipalRetire,
    "avertissements": ev.AvertissementEmis,
}


def compter(evenements: list[object], regles: Regles | None = None) -> dict[str, int]:
    """The run's counts, from its events (and what the rules examined)."""
    par_classe = Counter(type(e) for e in evenements)
    examines = {}
    if regles is not None:
        examines = {"eleves_examines": sum(len(d.eleves) for d in regles.p.divisions),
                    "enseignants_lies": len(regles.enseignants_lies)}
    return {
        **examines,
        "evenements": len(evenements),
        **{compteur: par_classe[classe] for compteur, classe in COMPTEURS.items()},
    }
