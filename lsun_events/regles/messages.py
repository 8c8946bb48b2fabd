"""The user-facing messages of a run (SPEC §4): exact texts M1–M14, built from the run's events
alone — the same function serves the run itself, the simulation and the regenerated report. A message about a
change carries its details beside its exact text (``regles.details``: field, French label, old → new)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lsun_events.aggregates import evenements as ev
from lsun_events.regles import details as d
from lsun_events.regles.details import Detail

INFO = "info"
AVERTISSEMENT = "avertissement"

TEXTES: dict[str, tuple[str, str]] = {
    "M1": (AVERTISSEMENT, "L'élève {eleve} n'est plus scolarisé dans la division {division}."),
    "M2": (INFO, "L'élève {eleve} ({division}) a été mis à jour."),
    "M3": (AVERTISSEMENT, "L'enseignant {enseignant} n'a pas été retrouvé pour la division {division} "
                          "dans les données SIECLE."),
    "M4": (INFO, "L'enseignant {enseignant} ({division}) a été mis à jour."),
    "M5": (AVERTISSEMENT, "Aucune période n'est paramétrée pour la division {division}."),
    "M6": (INFO, "Les enseignants {enseignants} ont été ajoutés à l'acquis {acquis}."),
    "M7": (AVERTISSEMENT, "Aucun service d'enseignement n'a été trouvé pour l'élève {eleve} "
                          "dans la base de données SIECLE."),
    "M8": (INFO, "Le professeur principal {enseignant} a été ajouté au bilan de l'élève {eleve}."),
    "M9": (INFO, "La division {ancien_code} a été renommée {code}."),
    "M10": (AVERTISSEMENT, "La division {division} n'existe plus dans les données SIECLE."),
    "M11": (INFO, "Le professeur principal {enseignant} a été retiré du bilan de l'élève {eleve}."),
    "M12": (INFO, "Les informations LSUN de l'élève {eleve} ont été archivées ({n} bilan(s) verrouillé(s))."),
    "M13": (INFO, "La synchronisation du {date} ({acteur}) a été annulée."),
    "M14": (INFO, "Les enseignants {enseignants} ont été retirés de l'acquis {acquis}."),
}

# SPEC §9 M13: the undone run's start, « JJ/MM/AAAA à HH:MM », in the schools' local time.
FUSEAU = ZoneInfo("Europe/Paris")


def date_locale(moment: datetime) -> str:
    return moment.astimezone(FUSEAU).strftime("%d/%m/%Y à %H:%M")

# Optional exports (R13): when one is absent, what it alone carries is kept as LSUN has it; the run says so.
EXPORTS_FACULTATIFS: dict[str, tuple[str, str]] = {
    "responsables": ("ResponsablesAvecAdresses.xml", "les responsables légaux des élèves sont gardés tels que "
                                                     "LSUN les connaît"),
    "communs": ("Communs.xml", "le nom, l'adresse, le téléphone, le mél et le chef de l'établissement sont gardés "
                               "tels que LSUN les connaît"),
    "nomenclature": ("Nomenclature.xml", "les libellés des matières que STS-web ne donne pas sont gardés tels que "
                                         "LSUN les connaît"),
    "structures": ("Structures.xml", "les libellés des divisions sont gardés tels que LSUN les connaît"),
}


def exports_absents(roles: Iterable[str]) -> list[dict[str, str]]:
    """The run's summary of absent optional exports: the file and what was therefore kept."""
    return [{"export": role, "fichier": EXPORTS_FACULTATIFS[role][0], "garde": EXPORTS_FACULTATIFS[role][1]}
            for role in roles if role in EXPORTS_FACULTATIFS]


def exports_absents_en_lignes(roles: Iterable[str]) -> list[str]:
    return [f"Export facultatif absent : {x['fichier']} — {x['garde']}." for x in exports_absents(roles)]


# Report order inside a division: rule (R2, R4/R5, R6/R7, R8, R9, R10), then name, then rule step.
RANG: dict[str, tuple[int, int]] = {
    "M9": (0, 0), "M10": (0, 1), "M1": (1, 0), "M12": (2, 0), "M2": (2, 1), "M5": (3, 0), "M3": (3, 1),
    "M4": (3, 2), "M6": (4, 0), "M14": (4, 0), "M7": (4, 1), "M8": (5, 0), "M11": (5, 1),
    "M13": (-1, 0),  # an undo's report opens with what it undid (before every division)
}


@dataclass(frozen=True)
class Message:
    code: str
    division: str
    valeurs: tuple[tuple[str, str], ...]
    details: tuple[Detail, ...] = ()  # what the message changed, field by field (none for a warning)

    @classmethod
    def de(cls, code_message: str, division: str, details: Iterable[Detail] = (), **valeurs: Any) -> Message:
        paires = {**valeurs, "division": division}
        return cls(code_message, division, tuple(sorted((k, str(v)) for k, v in paires.items())), tuple(details))

    @property
    def niveau(self) -> str:
        return TEXTES[self.code][0]

    @property
    def texte(self) -> str:
        return TEXTES[self.code][1].format(**dict(self.valeurs))

    @property
    def nom(self) -> str:
        v = dict(self.valeurs)
        return v.get("eleve") or v.get("enseignant") or v.get("enseignants") or v.get("acquis") or ""

    def en_dict(self) -> dict[str, Any]:
        """SPEC §8's message, plus its ``details``: [{champ, libelle, ancien, nouveau}] (readable values)."""
        return {"niveau": self.niveau, "division": self.division, "code": self.code, "texte": self.texte,
                "details": [x.en_dict() for x in self.details]}

    def en_liste(self) -> list[Any]:
        """As a web task keeps it: [code, division, [[clé, valeur]…], [[champ, libellé, ancien, nouveau]…]]."""
        return [self.code, self.division, [list(v) for v in self.valeurs], [x.en_liste() for x in self.details]]

    @classmethod
    def de_liste(cls, x: Sequence[Any]) -> Message:
        """The inverse of ``en_liste``; a list kept before details existed has three items."""
        code, division, valeurs = x[0], x[1], x[2]
        details = x[3] if len(x) > 3 else []
        return cls(code, division, tuple((k, v) for k, v in valeurs), tuple(Detail.de_liste(y) for y in details))


def _cle_nom(nom: str) -> str:
    sans_accents = unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode()
    return sans_accents.casefold()


def ordonner(messages: Iterable[Message], selection: Sequence[str],
             renommages: dict[str, str] | None = None) -> list[Message]:
    """Group by division in the order selected (a renamed division keeps its place), then rule
    order, then name; identical texts within a division once."""
    renommages = renommages or {}
    place = {code: i for i, code in enumerate(selection)}
    for ancien, nouveau in renommages.items():
        if ancien in place:
            place.setdefault(nouveau, place[ancien])

    def cle(m: Message) -> tuple[Any, ...]:
        rang, etape = RANG[m.code]
        if rang < 0:
            return (-1, "", rang, "", etape, m.texte)
        return (place.get(m.division, len(place)), m.division, rang, _cle_nom(m.nom), etape, m.texte)

    # Identical texts within a division once; their details merged, none lost (M4 of a teacher updated twice…).
    places: dict[tuple[str, str], int] = {}
    resultat: list[Message] = []
    for m in sorted(messages, key=cle):
        i = places.get((m.division, m.texte))
        if i is None:
            places[(m.division, m.texte)] = len(resultat)
            resultat.append(m)
        elif m.details:
            premier = resultat[i]
            resultat[i] = replace(premier, details=d.fusionner(premier.details, m.details))
    return resultat


@dataclass(frozen=True)
class Element:
    """What one event contributes to its run's report (before grouping and counting)."""

    code: str
    division: str
    valeurs: tuple[tuple[str, str], ...]
    details: tuple[Detail, ...] = ()


def _element(code_element: str, division: str, details: tuple[Detail, ...] = (), **valeurs: Any) -> Element:
    return Element(code_element, division, tuple(sorted((k, str(v)) for k, v in valeurs.items())), details)


def _demarree(e: ev.SynchronisationDemarree) -> list[Element]:
    return [_element("S", "", divisions="\n".join(e.divisions))]


def _avertissement(e: ev.AvertissementEmis) -> list[Element]:
    return [_element(e.code, e.division, **e.valeurs)]


def _eleve_mis_a_jour(e: ev.EleveMisAJour) -> list[Element]:
    return [_element("M2", e.division, d.de_changements(e.changements), eleve=e.eleve)]


def _bilan_archive(e: ev.BilanArchive) -> list[Element]:
    return [_element("M12", e.division, d.de_archive(e), eleve=e.eleve)]


def _enseignant_mis_a_jour(e: ev.EnseignantMisAJour) -> list[Element]:
    details = d.de_changements(e.changements)
    return [_element("M4", division, details, enseignant=e.enseignant) for division in e.divisions]


def _enseignants_ajoutes(e: ev.EnseignantsAjoutesAcquis) -> list[Element]:
    return [_element("M6", e.division, d.de_enseignants(e), enseignants=", ".join(x.nom for x in e.enseignants),
                     acquis=e.acquis)]


def _enseignants_retires(e: ev.EnseignantsRetiresAcquis) -> list[Element]:
    return [_element("M14", e.division, d.de_enseignants(e), enseignants=", ".join(x.nom for x in e.enseignants),
                     acquis=e.acquis)]


def _annulation(e: ev.AnnulationDemarree) -> list[Element]:
    return [_element("M13", "", d.de_annulation(e), date=date_locale(e.debut_annulee), acteur=e.acteur_annulee)]


def _pp_ajoute(e: ev.ProfPrincipalAjoute) -> list[Element]:
    return [_element("M8", e.division, d.de_prof_principal(e), enseignant=e.enseignant.nom, eleve=e.eleve)]


def _pp_retire(e: ev.ProfPrincipalRetire) -> list[Element]:
    return [_element("M11", e.division, d.de_prof_principal(e), enseignant=e.enseignant.nom, eleve=e.eleve)]


def _division_mise_a_jour(e: ev.DivisionMiseAJour) -> list[Element]:
    if e.ancien_code == e.code:
        return []
    return [_element("R", e.code, ancien_code=e.ancien_code),
            _element("M9", e.code, d.de_division(e), ancien_code=e.ancien_code, code=e.code)]


# The events a report reads, by class (``tests/test_evenements_par_classe.py``: every class is here or in
# SANS_ELEMENT).
ELEMENTS: dict[type[Any], Callable[[Any], list[Element]]] = {
    ev.SynchronisationDemarree: _demarree, ev.AvertissementEmis: _avertissement, ev.EleveMisAJour: _eleve_mis_a_jour,
    ev.BilanArchive: _bilan_archive, ev.EnseignantMisAJour: _enseignant_mis_a_jour,
    ev.EnseignantsAjoutesAcquis: _enseignants_ajoutes, ev.ProfPrincipalAjoute: _pp_ajoute,
    ev.ProfPrincipalRetire: _pp_retire, ev.DivisionMiseAJour: _division_mise_a_jour,
    ev.EnseignantsRetiresAcquis: _enseignants_retires, ev.AnnulationDemarree: _annulation,
}

# The events that give no report element: what a run changes without a message (R5, R6, R10 creations…), and the
# run's outcome, which the message list keeps beside the report (``projections.rapports``).
SANS_ELEMENT: tuple[type[Any], ...] = (
    ev.EtablissementImporte, ev.EtablissementMisAJour, ev.SynchronisationAutomatiqueParametree, ev.DivisionRattachee,
    ev.DivisionRecodee, ev.GroupeDefini, ev.EnseignantRattache, ev.DivisionCreee, ev.EleveInscritDansDivision,
    ev.PeriodesParametrees, ev.PeriodeOuverte, ev.ProfsPrincipauxDivisionChanges, ev.EleveInscrit, ev.EnseignantCree,
    ev.BilanOuvert, ev.AcquisSaisi, ev.AcquisAjoute, ev.BilanVerrouille, ev.BilanDeverrouille,
    ev.SynchronisationTerminee, ev.SynchronisationEchouee, ev.SynchronisationRetenue, ev.SynchronisationAbandonnee,
    ev.SynchronisationRetenueAppliquee, ev.AcquisRetire, ev.SynchronisationAnnulee,
)


def elements(e: Any) -> list[Element]:
    """The report elements of one event. ``SynchronisationDemarree`` gives the selection ("S"), a
    renamed division the rename ("R" plus M9); archives are counted per pupil when assembling."""
    traiter = ELEMENTS.get(type(e))
    return traiter(e) if traiter is not None else []


def assembler(tous: Iterable[Element]) -> list[Message]:
    """The ordered report from the elements of one run."""
    messages: list[Message] = []
    selection: list[str] = []
    renommages: dict[str, str] = {}
    archives: dict[tuple[str, str], int] = {}
    archivees: dict[tuple[str, str], list[Detail]] = {}  # the details of each pupil's archives
    for el in tous:
        valeurs = dict(el.valeurs)
        if el.code == "S":
            selection = valeurs["divisions"].split("\n") if valeurs["divisions"] else []
        elif el.code == "R":
            renommages[valeurs["ancien_code"]] = el.division
        elif el.code == "M12":
            cle = (el.division, valeurs["eleve"])
            archives[cle] = archives.get(cle, 0) + 1
            archivees.setdefault(cle, []).extend(el.details)
        else:
            messages.append(Message.de(el.code, el.division, el.details, **valeurs))
    messages.extend(Message.de("M12", division, archivees[(division, eleve)], eleve=eleve, n=n)
                    for (division, eleve), n in archives.items())
    return ordonner(messages, selection, renommages)


def rapport(evenements: Iterable[Any]) -> list[Message]:
    """The report of one run from its events: the run's own and the entity events carrying its id."""
    return assembler(el for e in evenements for el in elements(e))
