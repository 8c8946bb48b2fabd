"""``lsun-events demo``: a collège generated in the real export formats, imported, its periods and bilans
set up, then a synchronisation of changed exports (a corrected name, a new teacher, a new PP), and its report;
then the web page on the demo store (accounts created, the changed exports deposited), unless ``--sans-serveur``.
Everything happens in a demo store that is recreated each time (``lsun-data/demo.sqlite``)."""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from lsun_events.aggregates.valeurs import Periode
from lsun_events.application.erreurs import ErreurLsun
from lsun_events.application.synchronisation import DemandeSynchronisation
from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_exports
from lsun_events.generateur.generation import generer
from lsun_events.interfaces.cli.erreurs import erreurs_stockage
from lsun_events.interfaces.cli.presentation import messages_en_lignes
from lsun_events.interfaces.cli.serveur import servir
from lsun_events.interfaces.cli.sortie import Resultat, afficher
from lsun_events.regles.calendrier import annee_scolaire
from lsun_events.sources.snapshot import charger_exports
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme

if TYPE_CHECKING:
    import argparse

STORE_DEMO = "sqlite:///lsun-data/demo.sqlite"
CHEF = "Mme la Principale (démo)"
COMPTES_DEMO = (  # identifiant, rôle, nom, mot de passe: a local demo only
    ("principale", "chef", "Mme la Principale", "demo-principale"),
    ("prof", "enseignant", "M. le Professeur", "demo-prof"),
    ("academie", "admin", "Mme l'Inspectrice", "demo-academie"),
)


def periodes(annee: int) -> list[Periode]:
    return [Periode("T1", date(annee, 9, 1), date(annee, 11, 30)),
            Periode("T2", date(annee, 12, 1), date(annee + 1, 3, 1)),
            Periode("T3", date(annee + 1, 3, 2), date(annee + 1, 7, 4))]


def preparer(store: Store, dossier: Path, jour: date) -> tuple[Systeme, dict[str, object]]:
    """Import a "petit collège", set its periods and bilans, lock T1 of its first division, then
    synchronise changed exports. Returns the system and what was done."""
    annee = annee_scolaire(jour)
    ecole = generer("petit", annee=annee)
    avant = ecrire_exports(ecole, dossier / "exports-rentree")
    systeme = Systeme(store)
    app = systeme.app
    with app.regrouper():  # the views catch up once, at the end, rather than after each of these saves
        compte = app.importer(charger_exports(avant.siecle_dossier, avant.sts), CHEF, jour)
        divisions = [d.code for d in ecole.divisions]
        for code in divisions:
            app.parametrer_periodes(ecole.uai, code, periodes(annee), CHEF)
            app.ouvrir_bilans(ecole.uai, code, "T1", CHEF)
            app.ouvrir_bilans(ecole.uai, code, "T2", CHEF)
        app.verrouiller(ecole.uai, divisions[0], "T1", CHEF)

        modifiee = v.renommer_eleves(ecole, 0.05, graine=1)
        modifiee, _ = v.ajouter_enseignant_au_service(modifiee, divisions[0], "061300")
        modifiee = v.changer_pp(modifiee, divisions[1])
        apres = ecrire_exports(modifiee, dossier / "exports-novembre")
        demande = DemandeSynchronisation(uai=ecole.uai, acteur=CHEF, jour=jour, divisions=tuple(divisions[:3]))
        resultat = app.synchroniser(demande,
                                    charger_exports(apres.siecle_dossier, apres.sts, uai_attendu=ecole.uai))
    return systeme, {"uai": ecole.uai, "import": compte, "divisions": divisions,
                     "synchronisation": resultat.en_dict(), "messages": resultat.messages,
                     "exports": [str(avant.siecle_dossier.parent), str(apres.siecle_dossier.parent)]}


def _marque(store: Store) -> Path:
    assert store.sqlite_path is not None
    return store.sqlite_path.with_name(f"{store.sqlite_path.name}.demo")


def verifier_store_demo(store: Store) -> None:
    """The demo recreates its store and adds accounts of known passwords: it refuses a store that holds data it
    did not write itself (``--store`` pointing at the real store by mistake)."""
    if store.kind == "sqlite":
        assert store.sqlite_path is not None
        chemin = store.sqlite_path
        if (not chemin.exists() or chemin.stat().st_size == 0 or _marque(store).exists()
                or chemin.resolve() == Path(STORE_DEMO.removeprefix("sqlite:///")).resolve()):
            return
    else:
        try:
            with Systeme(store) as s:
                if not s.app.recorder.max_notification_id():
                    return
        except erreurs_stockage():
            return  # no schema yet: nothing to lose
    raise ErreurLsun(f"Le stockage {store.affichage} contient déjà des données que la démo n'a pas écrites : "
                     "la démo recrée son stockage et y ajoute des comptes aux mots de passe connus. Indiquez un "
                     "autre --store, ou aucun (lsun-data/demo.sqlite).")


def demo(args: argparse.Namespace) -> Resultat:
    store = Store.depuis_url(args.store or STORE_DEMO)
    verifier_store_demo(store)
    if store.kind == "sqlite":
        assert store.sqlite_path is not None
        for ancien in store.sqlite_path.parent.glob(f"{store.sqlite_path.stem}.*sqlite*"):
            ancien.unlink()
        store.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        _marque(store).touch()
    dossier = (store.sqlite_path.parent if store.sqlite_path else Path("lsun-data")) / "demo-exports"
    shutil.rmtree(dossier, ignore_errors=True)
    systeme, fait = preparer(store, dossier, date.today())
    systeme.fermer()
    preparer_page_web(store, str(fait["uai"]), Path(fait["exports"][1]))  # type: ignore[index]
    sync = fait["synchronisation"]
    assert isinstance(sync, dict)
    lignes = [
        f"Démo : établissement {fait['uai']} importé depuis les exports SIECLE/STS générés dans {dossier}",
        "  {divisions} divisions, {groupes} groupes, {eleves} élèves, {enseignants} enseignants ; périodes T1–T3, "
        "bilans T1 et T2 ouverts, T1 de la première division verrouillé".format(**fait["import"]),  # type: ignore[arg-type]
        f"Synchronisation {sync['synchronisation']} des divisions {', '.join(fait['divisions'][:3])} :",  # type: ignore[index]
        *messages_en_lignes(fait["messages"]),  # type: ignore[arg-type]
        f"Stockage : {store.url}",
        f"Revoir le rapport : lsun-events messages --store {store.url} --synchronisation {sync['synchronisation']}",
        *lignes_connexion(args.hote, args.port),
    ]
    resultat = Resultat({k: x for k, x in fait.items() if k != "messages"}, lignes)
    if args.sans_serveur or args.json:
        return resultat
    afficher(resultat, en_json=False)
    sys.stdout.write("Serveur démarré — Ctrl+C pour arrêter.\n")
    sys.stdout.flush()
    servir(store, hote=args.hote, port=args.port)
    return Resultat(resultat.donnees, ["Serveur arrêté."])


def preparer_page_web(store: Store, uai: str, exports: Path) -> None:
    """The demo's accounts, and the changed exports deposited as the chef would upload them."""
    from lsun_events.application.comptes import Comptes  # noqa: PLC0415
    from lsun_events.interfaces.web.reglages import Reglages  # noqa: PLC0415
    from lsun_events.interfaces.web.sources_web import deposer  # noqa: PLC0415

    comptes = Comptes(store)
    for identifiant, role, nom, mot_de_passe in COMPTES_DEMO:
        if comptes.compte(identifiant) is None:
            comptes.ajouter(identifiant, role, mot_de_passe, uai=uai if role != "admin" else None, nom=nom)
    siecle, sts = exports / "siecle.zip", next(exports.glob("sts_emp_*.xml"))
    reglages = Reglages.depuis_environnement(store)
    with siecle.open("rb") as f_siecle, sts.open("rb") as f_sts:
        deposer(reglages, uai, str(annee_scolaire(date.today())), "Mme la Principale (chef)",
                (siecle.name, f_siecle), (sts.name, f_sts))


def lignes_connexion(hote: str, port: int) -> list[str]:
    chef = COMPTES_DEMO[0]
    autres = ", ".join(f"« {i} » / « {m} » ({r})" for i, r, _, m in COMPTES_DEMO[1:])
    return [f"Page web : http://{hote}:{port}/ — connectez-vous en chef d'établissement avec l'identifiant "
            f"« {chef[0]} » et le mot de passe « {chef[3]} » (autres comptes : {autres}).",
            "  Paramétrage › Synchronisation : les exports de novembre sont déjà déposés ; cochez des divisions, "
            "« Simuler » puis « Synchronisation base élèves »."]

