"""Synchronisation base élèves: the rules R1–R12 of SPEC §3, in order, over the aggregates of one
établissement and one source snapshot. No store, no clock: the run date is given. Every decision is an
event on an aggregate (entity changes) or on the run (warnings M1, M3, M5, M7, M10); the messages are
derived from those events (``lsun_events.messages``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from lsun_events import conversion as conv
from lsun_events.aggregates.base import LsunAggregate
from lsun_events.aggregates.bilan import Bilan
from lsun_events.aggregates.division import Division
from lsun_events.aggregates.eleve import Eleve
from lsun_events.aggregates.enseignant import Enseignant
from lsun_events.aggregates.etablissement import Etablissement
from lsun_events.aggregates.synchronisation import Synchronisation
from lsun_events.aggregates.valeurs import Acquis, EnseignantNomme, RefEnseignant
from lsun_events.sources.records import EleveSource, ServiceSource, SourceSnapshot

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


class Regles:
    """One run's decisions. Call ``appliquer()`` inside ``contexte(acteur, run.id)``."""

    def __init__(self, perimetre: Perimetre, source: SourceSnapshot, run: Synchronisation, jour: date,
                 progression: Progression | None = None) -> None:
        self.p = perimetre
        self.source = source
        self.run = run
        self.jour = jour
        self.progression = progression or (lambda _fait, _total: None)
        self.eleves_source = {e.eleve_id: e for e in source.eleves}
        self.divisions_source = {d.code: d for d in source.divisions}
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
                                           dict[tuple[str, str], list[RefEnseignant]]] = {}

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
            self.r10_profs_principaux(division, dans_la_division)
        self.r8_mettre_a_jour_enseignants()

    def avertir(self, code: str, division: str, **valeurs: str) -> None:
        self.run.avertir(code, division, dict(valeurs))

    # R1 -------------------------------------------------------------------------------------------
    def r1_etablissement(self) -> None:
        """Every datum of the établissement but the UAI (checked before the run starts)."""
        self.p.etablissement.mettre_a_jour(self.source.uai, conv.infos_etablissement(self.source.etablissement))

    # R2 -------------------------------------------------------------------------------------------
    def r2_division(self, division: Division) -> None:
        if division.code in self.divisions_source:
            libelle = self.divisions_source[division.code].libelle or division.libelle
            division.mettre_a_jour(division.code, libelle)
            return
        nouveau = self._code_commun(division)
        if nouveau is None:
            self.avertir("M10", division.code)
            return
        ancien = division.code
        libelle = self.divisions_source[nouveau].libelle if nouveau in self.divisions_source else division.libelle
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
        nouvelle = conv.identite_eleve(source)
        if nouvelle == eleve.identite:
            return
        for bilan in self.p.bilans.get(eleve.eleve_id, []):
            if bilan.verrouille:  # R6: the bilan as it is, the pupil's data as they were
                bilan.archiver(eleve.identite, self._noms(bilan.references_enseignants()),
                               eleve=nouvelle.nom_affiche, division=division)
        eleve.mettre_a_jour(nouvelle, division)  # R7: administrative data only

    # R8 -------------------------------------------------------------------------------------------
    def r8_enseignants(self, division: Division) -> None:
        """Step 1: teachers linked, by an acquis or as PP, to the division's bilans."""
        lies: list[RefEnseignant] = []
        for eleve_id in division.eleves:
            for bilan in self.p.bilans.get(eleve_id, []):
                lies.extend(r for r in bilan.references_enseignants() if r not in lies)
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
            self.p.enseignants[ref].mettre_a_jour(
                conv.identite_enseignant(source), self.services_enseignants.get(ref, []), divisions)

    # R9 -------------------------------------------------------------------------------------------
    def r9_acquis(self, division: Division, restent: dict[str, EleveSource]) -> None:
        """Step 2: the teachers of each service reach the acquis of the unlocked bilans."""
        for eleve_id, source in restent.items():
            par_matiere = self._services_de(division.code, source.groupes)
            if not par_matiere:
                self.avertir("M7", division.code, eleve=self.p.eleves[eleve_id].identite.nom_affiche)
                continue
            bilans = [b for b in self.p.bilans.get(eleve_id, []) if not b.verrouille]  # R11
            for (code, libelle), refs in par_matiere.items():
                nommes: list[EnseignantNomme] | None = None
                for bilan in bilans:
                    acquis = bilan.acquis.get(code)
                    if acquis is not None and all(r in acquis.enseignants for r in refs):
                        continue  # nothing to add (the usual case)
                    if nommes is None:
                        nommes = [EnseignantNomme(r, self._nom(r)) for r in refs if self._connaitre(r)]
                    if acquis is None:
                        if not nommes:
                            continue  # a service without teacher yet (early-year export): an acquis needs one
                        bilan.ajouter_acquis(Acquis(code, libelle))
                    bilan.ajouter_enseignants(code, nommes, division=division.code)

    def _services_de(self, division: str, groupes: tuple[str, ...]) -> dict[tuple[str, str], list[RefEnseignant]]:
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
        self._services_par_structure[(division, groupes)] = par_matiere
        return par_matiere

    # R10 ------------------------------------------------------------------------------------------
    def r10_profs_principaux(self, division: Division, restent: dict[str, EleveSource]) -> None:
        """Step 3: the STS PP valid on the run date, on every unlocked bilan."""
        pp_sts = [r for r in conv.profs_principaux(self.source, division.code, self.jour) if self._connaitre(r)]
        division.changer_profs_principaux(pp_sts)
        for eleve_id in restent:
            nom_eleve = self.p.eleves[eleve_id].identite.nom_affiche
            for bilan in self.p.bilans.get(eleve_id, []):
                if bilan.verrouille:
                    continue  # R11
                for ref in pp_sts:
                    bilan.ajouter_prof_principal(EnseignantNomme(ref, self._nom(ref)), nom_eleve, division.code)
                for ref in [r for r in bilan.profs_principaux if r not in pp_sts]:
                    bilan.retirer_prof_principal(EnseignantNomme(ref, self._nom(ref)), nom_eleve, division.code)

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

    def _noms(self, refs: list[RefEnseignant]) -> list[EnseignantNomme]:
        return [EnseignantNomme(r, self.p.enseignants[r].identite.nom_affiche if r in self.p.enseignants
                                else r.cle) for r in refs]


def compter(evenements: list[object], regles: Regles | None = None) -> dict[str, int]:
    """The run's counts, from its events (and what the rules examined)."""
    noms = Counter(type(e).__name__ for e in evenements)
    examines = {}
    if regles is not None:
        examines = {"eleves_examines": sum(len(d.eleves) for d in regles.p.divisions),
                    "enseignants_lies": len(regles.enseignants_lies)}
    return {
        **examines,
        "evenements": len(evenements),
        "eleves_mis_a_jour": noms["EleveMisAJour"],
        "bilans_archives": noms["BilanArchive"],
        "enseignants_mis_a_jour": noms["EnseignantMisAJour"],
        "enseignants_crees": noms["EnseignantCree"],
        "acquis_completes": noms["EnseignantsAjoutesAcquis"],
        "profs_principaux_ajoutes": noms["ProfPrincipalAjoute"],
        "profs_principaux_retires": noms["ProfPrincipalRetire"],
        "avertissements": noms["AvertissementEmis"],
    }
