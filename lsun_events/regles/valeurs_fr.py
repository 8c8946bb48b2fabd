"""A field's value as readable French (message details, audit page and CSV, command line): an address on one line,
a guardian with its address and phones, a service as « Mathématiques (061300) — division 4A », a period with its
dates, dates as JJ/MM/AAAA — never JSON nor a Python repr.

Values come either from events (frozen domain values, tuples, dates) or from a stored view (their JSON form: dicts,
lists, ISO dates). ``simple`` turns the first into the second; ``texte`` reads the JSON form, recognising each
value by its keys, so both give the same text."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from lsun_events.regles.libelles import LIENS, libelle_champ

# Fields whose text value is an ISO date.
DATES = frozenset({"date_naissance", "date_entree", "date_sortie", "jour", "debut", "fin"})
STRUCTURES = {"D": "division", "G": "groupe"}


def simple(valeur: Any) -> Any:
    """The JSON form of a value (what a stored view keeps): dicts of fields, lists, ISO dates."""
    if valeur is None or isinstance(valeur, bool | int | float | str):
        return valeur
    if isinstance(valeur, Enum):
        return valeur.value
    if isinstance(valeur, datetime | date):
        return valeur.isoformat()
    if is_dataclass(valeur) and not isinstance(valeur, type):
        return {f.name: simple(getattr(valeur, f.name)) for f in fields(valeur)}
    if isinstance(valeur, dict):
        return {str(k): simple(v) for k, v in valeur.items()}
    if isinstance(valeur, list | tuple | set | frozenset):
        return [simple(v) for v in valeur]
    return str(valeur)


def en_json(valeur: Any) -> str | None:
    """The JSON text of a value's JSON form (None stays None): hashable, stored as is."""
    return None if valeur is None else json.dumps(simple(valeur), ensure_ascii=False)


def date_fr(texte: str) -> str:
    """« 2025-09-01 » → « 01/09/2025 » (a text that is no ISO date stays as it is)."""
    try:
        return date.fromisoformat(texte[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return texte


def texte(valeur: Any, champ: str = "") -> str:
    """A value in readable French; None (no value) is the empty text."""
    valeur = simple(valeur)
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, str):
        return date_fr(valeur) if champ in DATES else valeur
    if isinstance(valeur, int | float):
        return str(valeur)
    if isinstance(valeur, list):
        morceaux = [texte(v, champ) for v in valeur if v is not None]
        return (", " if all(isinstance(v, str) for v in valeur) else " ; ").join(m for m in morceaux if m)
    if isinstance(valeur, dict):
        return _dict(valeur, champ)
    return str(valeur)


def adresse(a: dict[str, Any]) -> str:
    """« 12 rue des Lilas, Bât. B, 75011 PARIS, FRANCE »."""
    ville = " ".join(x for x in (a.get("code_postal"), a.get("commune")) if x)
    return ", ".join(x for x in (*(a.get("lignes") or ()), ville, a.get("pays")) if x)


def responsable(r: dict[str, Any]) -> str:
    """« Mme Claire MARTIN (mère) — 3 rue … — tél. portable 06… — mél … »."""
    nom = " ".join(x for x in (r.get("civilite"), r.get("prenom"), r.get("nom")) if x) or r.get("personne_id", "")
    lien = r.get("lien")
    if lien:
        nom += f" ({LIENS.get(lien, lien)})"
    if r.get("legal") is False:
        nom += ", non responsable légal"
    morceaux = [nom]
    if r.get("adresse"):
        morceaux.append(adresse(r["adresse"]))
    for cle, quoi in (("tel_personnel", "tél. personnel"), ("tel_portable", "tél. portable"),
                      ("tel_professionnel", "tél. professionnel"), ("mel", "mél")):
        if r.get(cle):
            morceaux.append(f"{quoi} {r[cle]}")
    return " — ".join(morceaux)


def service(s: dict[str, Any]) -> str:
    """« Mathématiques (061300) — division 4A » (a modality, when there is one, in brackets at the end)."""
    structure = STRUCTURES.get(s.get("structure_type") or "", "structure")
    texte_ = f"{s.get('matiere_libelle') or s.get('matiere_code')} ({s.get('matiere_code')}) — " \
             f"{structure} {s.get('structure_code')}"
    return texte_ + (f" (modalité {s['modalite']})" if s.get("modalite") else "")


def periode(p: dict[str, Any]) -> str:
    return f"{p['code']} (du {date_fr(p['debut'])} au {date_fr(p['fin'])})"


def _acquis(a: dict[str, Any]) -> str:
    morceaux = [a.get("libelle") or a.get("matiere_libelle") or a.get("matiere_code") or ""]
    enseignants = a.get("enseignants")
    if enseignants:
        morceaux.append("enseignants : " + texte(enseignants))
    if a.get("positionnement") is not None:
        morceaux.append(f"positionnement {a['positionnement']}")
    if a.get("appreciation"):
        morceaux.append(f"« {a['appreciation']} »")
    return " — ".join(m for m in morceaux if m)


def _archive(a: dict[str, Any]) -> str:
    return f"{a['eleve']}, division {a['division']}, période {a['periode']}, {a['etat']}, {a['acquis']} acquis"


def _automatique(p: dict[str, Any]) -> str:
    if not p.get("active"):
        return "désactivée"
    s3e = f", service S3E {p['adresse_s3e']}" if p.get("adresse_s3e") else ""
    return f"activée{s3e}, vérifiée toutes les {p.get('intervalle_minutes')} minutes"


def _source(s: dict[str, Any]) -> str:
    origine = {"fichiers": "exports déposés", "s3e": "service S3E"}.get(s.get("origine") or "", s.get("origine"))
    return f"{origine} (empreinte {str(s.get('empreinte', ''))[:12]})"


def _generique(d: dict[str, Any]) -> str:
    return " ; ".join(f"{libelle_champ(k)} : {t}" for k, v in d.items() if (t := texte(v, k)))


# A value recognised by its keys (the JSON form of the domain's values and of the audit's composite values).
FORMES: tuple[tuple[frozenset[str], Any], ...] = (
    (frozenset({"lignes", "code_postal", "commune"}), adresse),
    (frozenset({"personne_id"}), responsable),
    (frozenset({"structure_code", "structure_type", "matiere_code"}), service),
    (frozenset({"code", "debut", "fin"}), periode),
    (frozenset({"type", "id_sts"}), lambda r: f"{r['type']}:{r['id_sts']}"),
    (frozenset({"ref", "nom"}), lambda n: n["nom"]),
    (frozenset({"rang", "matiere_code"}),
     lambda o: f"option {o['rang']} : {o['matiere_code']}" + (f" ({o['modalite']})" if o.get("modalite") else "")),
    (frozenset({"eleve", "division", "periode", "etat", "acquis"}), _archive),
    (frozenset({"libelle", "enseignants"}), _acquis),
    (frozenset({"matiere_code", "matiere_libelle", "enseignants"}), _acquis),
    (frozenset({"active", "intervalle_minutes"}), _automatique),
    (frozenset({"origine", "empreinte"}), _source),
)


def _dict(d: dict[str, Any], champ: str) -> str:
    cles = set(d)
    for forme, ecrire in FORMES:
        if forme <= cles:
            return str(ecrire(d))
    if d and all(isinstance(v, dict) for v in d.values()):  # a bilan's acquis by discipline
        return " ; ".join(f"{k} : {texte(v)}" for k, v in d.items())
    return _generique(d)
