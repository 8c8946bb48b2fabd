"""Undoing a run (SPEC §9, U1–U5): a new run whose events put back what the undone run changed. History is never
rewritten: the undone run stays, marked « annulée » by the undo; its archives stay.

The undo reads the undone run's own events (``evenements_du_run``), refuses when anything it touched has moved
since (U2), then replays each change backwards through the aggregates' own commands — so the undo's events are
ordinary ``…MisAJour``, PP and acquis events carrying the undo as their run, and its report is built like any
run's (M2, M4, M8, M9, M11, plus M13 and M14)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from lsun_events.aggregates import evenements as ev
from lsun_events.aggregates.base import LsunAggregate, contexte
from lsun_events.aggregates.bilan import Bilan
from lsun_events.aggregates.division import Division
from lsun_events.aggregates.eleve import Eleve
from lsun_events.aggregates.enseignant import Enseignant
from lsun_events.aggregates.etablissement import Etablissement
from lsun_events.aggregates.synchronisation import StatutSynchronisation, Synchronisation
from lsun_events.aggregates.valeurs import DescriptionSource, IdentiteEnseignant
from lsun_events.application.erreurs import ConflitError, ErreurLsun
from lsun_events.application.synchronisation import ResultatSynchronisation, RunInconnuError, evenements_du_run
from lsun_events.regles.messages import date_locale, rapport
from lsun_events.regles.synchronisation import Progression, compter
from lsun_events.storage.chargement import charger
from lsun_events.storage.verrous import ATTENTE_PAR_DEFAUT, verrou_etablissement

if TYPE_CHECKING:
    from lsun_events.application.app import LsunApp

ORIGINE = "annulation"  # the undo's « source »: the run it undoes (``DescriptionSource.empreinte``)


@dataclass(frozen=True)
class DemandeAnnulation:
    uai: str
    synchronisation: str  # the run to undo
    acteur: str
    jour: date
    simulation: bool = False


class AnnulationRefuseeError(ErreurLsun):
    """U1/U2: the run cannot be undone; ``depuis`` lists what changed since, element by element (U2)."""

    def __init__(self, texte: str, depuis: list[str] | None = None) -> None:
        self.depuis = depuis or []
        lignes = "".join(f"\n  – {x}" for x in self.depuis)
        super().__init__(texte + lignes)


# The events of a run that an undo leaves as they are (U3): archives are history and already hold the data put
# back; teachers the run created stay known; the run's own events are its record.
LAISSES: tuple[type[Any], ...] = (ev.BilanArchive, ev.EnseignantCree, ev.EnseignantRattache)

# Later events that do not touch what a run changed (U2 ignores them): the school's background-sync settings.
SANS_EFFET: tuple[type[Any], ...] = (ev.SynchronisationAutomatiqueParametree,)


def annuler(app: LsunApp, demande: DemandeAnnulation, progression: Progression | None = None, *,
            attente: float = ATTENTE_PAR_DEFAUT) -> ResultatSynchronisation:
    """U4: like a run — the school's runs are serialised, a simulation saves nothing and takes no lock;
    ``progression(fait, total)`` follows the changes put back."""
    if demande.simulation or app.store is None:
        return _annuler(app, demande, progression)
    with app.regrouper(), verrou_etablissement(app.store, demande.uai, attente):
        return _annuler(app, demande, progression)


def verifier_annulable(app: LsunApp, uai: str, synchronisation: str) -> None:
    """U1 alone (cheap: the run's own aggregate), for an interface to refuse at once what it would refuse later."""
    _run_a_annuler(app, uai.upper(), synchronisation)


def _annuler(app: LsunApp, demande: DemandeAnnulation, progression: Progression | None) -> ResultatSynchronisation:
    uai = demande.uai.upper()
    annulee = _run_a_annuler(app, uai, demande.synchronisation)
    evenements = evenements_du_run(app, annulee.id)
    debut = evenements[0].timestamp
    a_defaire = [e for e in evenements if e.originator_id != annulee.id and not isinstance(e, LAISSES)]
    if not a_defaire:
        raise AnnulationRefuseeError(f"La synchronisation du {date_locale(debut)} n'a rien changé : "
                                     "il n'y a rien à annuler.")
    etab = app.etablissement(uai)
    touches = _charger_touches(app, etab, a_defaire)
    _exiger_rien_depuis(app, etab, touches, a_defaire, debut)
    with contexte(demande.acteur, Synchronisation.nouvel_id()) as ctx:
        undo = Synchronisation(UUID(ctx.synchronisation), uai, list(annulee.divisions), annulee.toutes,
                               DescriptionSource(ORIGINE, str(annulee.id)), demande.jour, False)
        undo.annuler_la_synchronisation(annulee.id, debut, evenements[0].acteur)
        Defaire(etab, touches, progression).tout(a_defaire)
        entites = [a for a in (etab, *touches.values()) if a.pending_events]
        undo.terminer(compter([*undo.pending_events[1:], *(e for a in entites for e in a.pending_events)]))
        annulee.marquer_annulee(undo.id)
    nouveaux = [*undo.pending_events, *(e for a in entites for e in a.pending_events), *annulee.pending_events]
    resultat = ResultatSynchronisation(undo.id, "terminee", rapport(nouveaux), undo.compteurs,
                                       list(annulee.divisions))
    if demande.simulation:
        resultat.statut = "simulation"
        return resultat
    try:
        app.save(undo, annulee, *entites)
    except IntegrityError:
        raise ConflitError("Des données touchées par cette synchronisation ont été modifiées pendant son "
                           "annulation : rien n'a été enregistré. Relancez l'annulation.") from None
    return resultat


def _run_a_annuler(app: LsunApp, uai: str, synchronisation: str) -> Synchronisation:
    """U1: a completed run of this school that is not an undo and was not undone."""
    try:
        run: LsunAggregate = app.repository.get(UUID(synchronisation))
    except (ValueError, AggregateNotFoundError):
        raise RunInconnuError(synchronisation) from None
    if not isinstance(run, Synchronisation) or run.uai != uai:
        raise RunInconnuError(synchronisation)
    if run.annule is not None:
        raise AnnulationRefuseeError("Cette synchronisation est elle-même une annulation : elle ne s'annule pas.")
    if run.annulee_par is not None:
        raise AnnulationRefuseeError(f"Cette synchronisation a déjà été annulée (par la synchronisation "
                                     f"{run.annulee_par}).")
    if run.statut != StatutSynchronisation.TERMINEE:
        statut = {"echouee": "a échoué", "retenue": "est retenue", "abandonnee": "a été abandonnée",
                  "appliquee": "a été appliquée par une autre synchronisation"}.get(run.statut, "n'est pas terminée")
        raise AnnulationRefuseeError(f"Cette synchronisation {statut} : elle n'a rien appliqué à annuler.")
    return run


def _charger_touches(app: LsunApp, etab: Etablissement, a_defaire: list[Any]) -> dict[UUID, LsunAggregate]:
    """Every aggregate the run changed, and the pupils of the bilans it changed (their names, for M8/M11)."""
    ids = [e.originator_id for e in a_defaire if e.originator_id != etab.id]
    touches = charger(app, ids)
    eleves = {Eleve.id_pour(b.uai, b.eleve_id) for b in touches.values() if isinstance(b, Bilan)}
    touches.update(charger(app, [i for i in eleves if i not in touches]))
    return touches


def _exiger_rien_depuis(app: LsunApp, etab: Etablissement, touches: dict[UUID, LsunAggregate],
                        a_defaire: list[Any], debut: Any) -> None:
    """U2: refused, element by element, if anything the run changed has a later event."""
    derniere: dict[UUID, int] = {}
    for e in a_defaire:
        derniere[e.originator_id] = max(derniere.get(e.originator_id, 0), e.originator_version)
    agregats: dict[UUID, LsunAggregate] = {etab.id: etab, **touches}
    depuis: list[str] = []
    for agregat_id, version in derniere.items():
        agregat = agregats[agregat_id]
        if agregat.version <= version:
            continue
        plus_tard = [e for e in app.events.get(agregat_id, gt=version) if not isinstance(e, SANS_EFFET)]
        if plus_tard:
            faits = "; ".join(_ce_qui_s_est_passe(e) for e in plus_tard)
            depuis.append(f"{_nom_element(agregat, agregats)} : {faits}")
    if depuis:
        raise AnnulationRefuseeError(
            f"La synchronisation du {date_locale(debut)} ne peut pas être annulée : des données qu'elle a "
            "modifiées ont changé depuis. Rien n'a été enregistré.", depuis)


def _nom_element(agregat: LsunAggregate, agregats: dict[UUID, LsunAggregate]) -> str:
    if isinstance(agregat, Etablissement):
        return f"l'établissement {agregat.uai}"
    if isinstance(agregat, Division):
        return f"la division {agregat.code}"
    if isinstance(agregat, Eleve):
        return f"l'élève {agregat.identite.nom_affiche}"
    if isinstance(agregat, Enseignant):
        return f"l'enseignant {agregat.identite.nom_affiche}"
    if isinstance(agregat, Bilan):
        eleve = agregats.get(Eleve.id_pour(agregat.uai, agregat.eleve_id))
        nom = eleve.identite.nom_affiche if isinstance(eleve, Eleve) else agregat.eleve_id
        return f"le bilan de l'élève {nom} ({agregat.division}, période {agregat.periode.code})"
    return str(agregat.id)  # pragma: no cover (every aggregate a run changes is named above)


# What happened to an element since the run, as the refusal says it (U2).
_FAITS: dict[type[Any], str] = {
    ev.BilanVerrouille: "verrouillé", ev.BilanDeverrouille: "déverrouillé", ev.BilanArchive: "archivé",
    ev.AcquisSaisi: "acquis saisi", ev.AcquisAjoute: "acquis ajouté", ev.AcquisRetire: "acquis retiré",
    ev.EnseignantsAjoutesAcquis: "enseignants ajoutés à un acquis",
    ev.EnseignantsRetiresAcquis: "enseignants retirés d'un acquis",
    ev.ProfPrincipalAjoute: "professeur principal ajouté", ev.ProfPrincipalRetire: "professeur principal retiré",
    ev.EleveMisAJour: "mis à jour", ev.EnseignantMisAJour: "mis à jour", ev.EtablissementMisAJour: "mis à jour",
    ev.DivisionMiseAJour: "mise à jour", ev.ProfsPrincipauxDivisionChanges: "professeurs principaux changés",
    ev.DivisionRecodee: "division renommée", ev.DivisionRattachee: "division rattachée",
    ev.EnseignantRattache: "enseignant rattaché", ev.GroupeDefini: "groupe défini",
    ev.PeriodesParametrees: "périodes paramétrées", ev.PeriodeOuverte: "bilans ouverts",
    ev.EleveInscritDansDivision: "élève inscrit",
}


def _ce_qui_s_est_passe(e: Any) -> str:
    fait = _FAITS.get(type(e), ev.nom(e))
    if isinstance(e, ev.AcquisSaisi):
        fait = f"acquis {e.matiere_code} saisi"
    quand = f"le {date_locale(e.timestamp)}"
    if e.synchronisation:
        return f"{fait} par une synchronisation {quand} ({e.acteur})"
    return f"{fait} {quand} par {e.acteur}"


class Defaire:
    """Puts back, through the aggregates' commands, what each event of the undone run changed (U3)."""

    def __init__(self, etab: Etablissement, touches: dict[UUID, LsunAggregate],
                 progression: Progression | None = None) -> None:
        self.etab = etab
        self.progression = progression
        self.touches = touches
        self.renommages: dict[str, str] = {}
        self._par_classe: dict[type[Any], Callable[[Any], None]] = {
            ev.EtablissementMisAJour: self._etablissement, ev.DivisionRecodee: self._recodee,
            ev.DivisionMiseAJour: self._division, ev.ProfsPrincipauxDivisionChanges: self._pp_division,
            ev.EleveMisAJour: self._eleve, ev.EnseignantMisAJour: self._enseignant,
            ev.ProfPrincipalAjoute: self._pp_ajoute, ev.ProfPrincipalRetire: self._pp_retire,
            ev.EnseignantsAjoutesAcquis: self._enseignants_ajoutes, ev.AcquisAjoute: self._acquis_ajoute,
        }

    def tout(self, evenements: list[Any]) -> None:
        """The school and its divisions first (the later messages name the divisions as they are put back),
        then everything else; each in the reverse order of the run."""
        inconnus = [ev.nom(e) for e in evenements if type(e) not in self._par_classe]
        if inconnus:
            raise AnnulationRefuseeError("Cette synchronisation contient des changements qu'une annulation ne sait "
                                         f"pas défaire ({', '.join(sorted(set(inconnus)))}) : rien n'a été "
                                         "enregistré.")
        # A division the run renamed is named, in the undo's messages, by the code it gets back.
        self.renommages = {e.code: e.ancien_code for e in evenements
                           if isinstance(e, ev.DivisionMiseAJour) and e.code != e.ancien_code}
        structure = (ev.EtablissementMisAJour, ev.DivisionRecodee, ev.DivisionMiseAJour,
                     ev.ProfsPrincipauxDivisionChanges)
        ordre = [*reversed([e for e in evenements if isinstance(e, structure)]),
                 *reversed([e for e in evenements if not isinstance(e, structure)])]
        for fait, e in enumerate(ordre, 1):
            self._par_classe[type(e)](e)
            if self.progression is not None and (fait % 50 == 0 or fait == len(ordre)):
                self.progression(fait, len(ordre))

    def _agregat(self, e: Any) -> Any:
        return self.touches[e.originator_id]

    def _code(self, division_id: str) -> str:
        """A division's code as it is now (after the renames are put back)."""
        return next((code for code, i in self.etab.divisions.items() if i == str(division_id)), "")

    def _nom_eleve(self, bilan: Bilan, defaut: str) -> str:
        eleve = self.touches.get(Eleve.id_pour(bilan.uai, bilan.eleve_id))
        return eleve.identite.nom_affiche if isinstance(eleve, Eleve) else defaut

    # The school and its divisions
    def _etablissement(self, e: ev.EtablissementMisAJour) -> None:
        self.etab.mettre_a_jour(self.etab.uai, replace(self.etab.infos, **{c.champ: c.ancien for c in e.changements}))

    def _recodee(self, e: ev.DivisionRecodee) -> None:
        self.etab.renommer_division(e.code, e.ancien_code)

    def _division(self, e: ev.DivisionMiseAJour) -> None:
        division: Division = self._agregat(e)
        division.mettre_a_jour(e.ancien_code, e.ancien_libelle)

    def _pp_division(self, e: ev.ProfsPrincipauxDivisionChanges) -> None:
        division: Division = self._agregat(e)
        division.changer_profs_principaux(list(e.anciens))

    # Pupils and teachers
    def _eleve(self, e: ev.EleveMisAJour) -> None:
        eleve: Eleve = self._agregat(e)
        identite = replace(eleve.identite, **{c.champ: c.ancien for c in e.changements})
        eleve.mettre_a_jour(identite, self._code(eleve.division_id) or self.renommages.get(e.division, e.division))

    def _enseignant(self, e: ev.EnseignantMisAJour) -> None:
        enseignant: Enseignant = self._agregat(e)
        anciens = {c.champ: c.ancien for c in e.changements}
        services = anciens.pop("services", enseignant.services)
        identite = IdentiteEnseignant(**{**enseignant.identite.en_dict(), **anciens})
        enseignant.mettre_a_jour(identite, list(services), [self.renommages.get(d, d) for d in e.divisions])

    # Bilans
    def _pp_ajoute(self, e: ev.ProfPrincipalAjoute) -> None:
        bilan: Bilan = self._agregat(e)
        bilan.retirer_prof_principal(e.enseignant, self._nom_eleve(bilan, e.eleve), self._code(bilan.division_id))

    def _pp_retire(self, e: ev.ProfPrincipalRetire) -> None:
        bilan: Bilan = self._agregat(e)
        bilan.ajouter_prof_principal(e.enseignant, self._nom_eleve(bilan, e.eleve), self._code(bilan.division_id))

    def _enseignants_ajoutes(self, e: ev.EnseignantsAjoutesAcquis) -> None:
        bilan: Bilan = self._agregat(e)
        bilan.retirer_enseignants(e.matiere_code, list(e.enseignants), self._code(bilan.division_id))

    def _acquis_ajoute(self, e: ev.AcquisAjoute) -> None:
        bilan: Bilan = self._agregat(e)
        bilan.retirer_acquis(e.acquis.matiere_code, self._code(bilan.division_id))
