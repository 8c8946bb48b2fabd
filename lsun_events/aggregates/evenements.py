"""Every event class of the aggregates under its stable name, for whoever reads events (rules, messages, views,
pages): they dispatch on the class (a dict keyed by ``type(e)``, ``isinstance``), never on ``type(e).__name__``,
so renaming a class can no longer silently drop a message or a row.

The name an event is stored and shown under (the store's topic « lsun:… », the audit's ``evenement`` column, the
API's history) is data: ``NOMS[classe]``, the class's explicit topic without « lsun: » — never its Python name.

The library's ``@event("Nom", topic="lsun:Nom")`` makes these classes when each aggregate's class is defined: the
type checker cannot see them, so for it each is ``_Evenement`` (the base's fields typed — acteur, synchronisation,
timestamp, originator_id… — the event's own fields ``Any``); the handlers' annotations are checked at run time
instead (``tests/test_evenements_par_classe.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from lsun_events.aggregates.base import LsunAggregate
from lsun_events.aggregates.bilan import Bilan
from lsun_events.aggregates.division import Division
from lsun_events.aggregates.eleve import Eleve
from lsun_events.aggregates.enseignant import Enseignant
from lsun_events.aggregates.etablissement import Etablissement
from lsun_events.aggregates.synchronisation import Synchronisation

if TYPE_CHECKING:
    class _Evenement(LsunAggregate.Event):
        TOPIC: ClassVar[str]

        def __getattr__(self, nom: str) -> Any: ...

    EtablissementImporte = _Evenement
    EtablissementMisAJour = _Evenement
    SynchronisationAutomatiqueParametree = _Evenement
    DivisionRattachee = _Evenement
    DivisionRecodee = _Evenement
    GroupeDefini = _Evenement
    EnseignantRattache = _Evenement
    DivisionCreee = _Evenement
    EleveInscritDansDivision = _Evenement
    PeriodesParametrees = _Evenement
    PeriodeOuverte = _Evenement
    DivisionMiseAJour = _Evenement
    ProfsPrincipauxDivisionChanges = _Evenement
    EleveInscrit = _Evenement
    EleveMisAJour = _Evenement
    EnseignantCree = _Evenement
    EnseignantMisAJour = _Evenement
    BilanOuvert = _Evenement
    AcquisSaisi = _Evenement
    AcquisAjoute = _Evenement
    EnseignantsAjoutesAcquis = _Evenement
    EnseignantsRetiresAcquis = _Evenement
    AcquisRetire = _Evenement
    ProfPrincipalAjoute = _Evenement
    ProfPrincipalRetire = _Evenement
    BilanVerrouille = _Evenement
    BilanDeverrouille = _Evenement
    BilanArchive = _Evenement
    SynchronisationDemarree = _Evenement
    AvertissementEmis = _Evenement
    SynchronisationTerminee = _Evenement
    SynchronisationEchouee = _Evenement
    SynchronisationRetenue = _Evenement
    SynchronisationAbandonnee = _Evenement
    SynchronisationRetenueAppliquee = _Evenement
    AnnulationDemarree = _Evenement
    SynchronisationAnnulee = _Evenement
else:
    EtablissementImporte = Etablissement.EtablissementImporte
    EtablissementMisAJour = Etablissement.EtablissementMisAJour
    SynchronisationAutomatiqueParametree = Etablissement.SynchronisationAutomatiqueParametree
    DivisionRattachee = Etablissement.DivisionRattachee
    DivisionRecodee = Etablissement.DivisionRecodee
    GroupeDefini = Etablissement.GroupeDefini
    EnseignantRattache = Etablissement.EnseignantRattache

    DivisionCreee = Division.DivisionCreee
    EleveInscritDansDivision = Division.EleveInscritDansDivision
    PeriodesParametrees = Division.PeriodesParametrees
    PeriodeOuverte = Division.PeriodeOuverte
    DivisionMiseAJour = Division.DivisionMiseAJour
    ProfsPrincipauxDivisionChanges = Division.ProfsPrincipauxDivisionChanges

    EleveInscrit = Eleve.EleveInscrit
    EleveMisAJour = Eleve.EleveMisAJour

    EnseignantCree = Enseignant.EnseignantCree
    EnseignantMisAJour = Enseignant.EnseignantMisAJour

    BilanOuvert = Bilan.BilanOuvert
    AcquisSaisi = Bilan.AcquisSaisi
    AcquisAjoute = Bilan.AcquisAjoute
    EnseignantsAjoutesAcquis = Bilan.EnseignantsAjoutesAcquis
    EnseignantsRetiresAcquis = Bilan.EnseignantsRetiresAcquis
    AcquisRetire = Bilan.AcquisRetire
    ProfPrincipalAjoute = Bilan.ProfPrincipalAjoute
    ProfPrincipalRetire = Bilan.ProfPrincipalRetire
    BilanVerrouille = Bilan.BilanVerrouille
    BilanDeverrouille = Bilan.BilanDeverrouille
    BilanArchive = Bilan.BilanArchive

    SynchronisationDemarree = Synchronisation.SynchronisationDemarree
    AvertissementEmis = Synchronisation.AvertissementEmis
    SynchronisationTerminee = Synchronisation.SynchronisationTerminee
    SynchronisationEchouee = Synchronisation.SynchronisationEchouee
    SynchronisationRetenue = Synchronisation.SynchronisationRetenue
    SynchronisationAbandonnee = Synchronisation.SynchronisationAbandonnee
    SynchronisationRetenueAppliquee = Synchronisation.SynchronisationRetenueAppliquee
    AnnulationDemarree = Synchronisation.AnnulationDemarree
    SynchronisationAnnulee = Synchronisation.SynchronisationAnnulee

# Every event class, by aggregate (a test checks none of the aggregates' classes is missing).
EVENEMENTS: tuple[type[Any], ...] = (
    EtablissementImporte, EtablissementMisAJour, SynchronisationAutomatiqueParametree, DivisionRattachee,
    DivisionRecodee, GroupeDefini, EnseignantRattache,
    DivisionCreee, EleveInscritDansDivision, PeriodesParametrees, PeriodeOuverte, DivisionMiseAJour,
    ProfsPrincipauxDivisionChanges,
    EleveInscrit, EleveMisAJour,
    EnseignantCree, EnseignantMisAJour,
    BilanOuvert, AcquisSaisi, AcquisAjoute, EnseignantsAjoutesAcquis, ProfPrincipalAjoute, ProfPrincipalRetire,
    BilanVerrouille, BilanDeverrouille, BilanArchive, EnseignantsRetiresAcquis, AcquisRetire,
    SynchronisationDemarree, AvertissementEmis, SynchronisationTerminee, SynchronisationEchouee,
    SynchronisationRetenue, SynchronisationAbandonnee, SynchronisationRetenueAppliquee,
    AnnulationDemarree, SynchronisationAnnulee,
)

# The events of a run itself (the Synchronisation aggregate).
EVENEMENTS_DU_RUN: tuple[type[Any], ...] = (
    SynchronisationDemarree, AvertissementEmis, SynchronisationTerminee, SynchronisationEchouee,
    SynchronisationRetenue, SynchronisationAbandonnee, SynchronisationRetenueAppliquee,
    AnnulationDemarree, SynchronisationAnnulee)

PREFIXE = "lsun:"


def nom_stable(classe: type[Any]) -> str:
    """The name an event class is stored and shown under: its explicit topic without « lsun: »."""
    topic: str = classe.__dict__["TOPIC"]
    return topic.removeprefix(PREFIXE)


# The stored name of each class (a dict lookup on ``type(e)``: the views name tens of thousands of events a second).
NOMS: dict[type[Any], str] = {c: nom_stable(c) for c in EVENEMENTS}


def nom(e: Any) -> str:
    """The stored name of one event (``EleveMisAJour``…)."""
    return NOMS[type(e)]
