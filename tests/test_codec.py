"""The compiled codec of stored events (``storage/codec.py``, issue 18): new events are written as « lsun-mp1 »
(0xC1, version, MessagePack), read back with the same fields and values as the JSON of earlier versions gave;
both formats are read side by side, under compression and encryption too."""

from __future__ import annotations

import base64
import json
import os
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import MapperDeserialisationError, StoredEvent

from lsun_events.aggregates import evenements as ev
from lsun_events.aggregates.base import contexte
from lsun_events.aggregates.eleve import Eleve
from lsun_events.aggregates.valeurs import Adresse, IdentiteEleve, Responsable, Scolarite
from lsun_events.application.app import LsunApp, ouvrir_application
from lsun_events.storage.codec import ENTETE, MapperLsun
from lsun_events.storage.config import CLE_CHIFFREMENT, Store

V2 = Path(__file__).parent / "fixtures" / "magasin_v2" / "evenements.jsonl"


def _anciens() -> list[StoredEvent]:
    lignes = [json.loads(x) for x in V2.read_text(encoding="utf-8").splitlines()]
    return [StoredEvent(UUID(d["originator_id"]), d["originator_version"], d["topic"], base64.b64decode(d["state"]))
            for d in lignes]


@pytest.fixture
def app(tmp_path: Path) -> LsunApp:
    application = ouvrir_application(Store.depuis_url(f"sqlite:///{tmp_path / 'lsun.sqlite'}"))
    yield application  # type: ignore[misc]
    application.close()


def test_le_mapper_est_celui_du_codec(app: LsunApp) -> None:
    assert isinstance(app.mapper, MapperLsun)
    assert set(app.mapper.schemas) == set(ev.EVENEMENTS)


def test_chaque_ancien_evenement_reecrit_au_nouveau_format_se_relit_a_l_identique(app: LsunApp) -> None:
    vus = set()
    for stocke in _anciens():
        assert stocke.state[:1] == b"{"  # the JSON of earlier versions
        evenement = app.mapper.to_domain_event(stocke)
        nouveau = app.mapper.to_stored_event(evenement)
        assert nouveau.state[:2] == ENTETE and nouveau.topic == stocke.topic
        assert len(nouveau.state) < len(stocke.state)
        relu = app.mapper.to_domain_event(nouveau)
        assert type(relu) is type(evenement)
        assert vars(relu) == vars(evenement)
        assert {k: type(v) for k, v in vars(relu).items()} == {k: type(v) for k, v in vars(evenement).items()}
        vus.add(type(evenement))
    assert {ev.BilanOuvert, ev.BilanArchive, ev.EleveInscrit, ev.EleveMisAJour, ev.AcquisSaisi} <= vus


def _identite(nom: str, ville: str) -> IdentiteEleve:
    return IdentiteEleve(nom, ("Léa", "Marie"), date_naissance=date(2012, 3, 4), responsables=(
        Responsable("r1", nom="DUPONT", adresse=Adresse(("1 rue du Port",), "29000", ville)),))


def test_les_changements_gardent_leurs_valeurs_typees(app: LsunApp) -> None:
    """``Changement.ancien`` / ``nouveau`` are ``Any``: dates, tuples of guardians come back as they were."""
    with contexte("Mme Principale"):
        eleve = Eleve("0999001X", "1001", _identite("MARTIN", "QUIMPER"), Scolarite(division="4A"), "d")
        eleve.mettre_a_jour(_identite("MARTIN-LE GALL", "BREST"), "4A")
    app.save(eleve)
    relu = app.repository.get(eleve.id)
    assert relu.identite == eleve.identite
    [maj] = [e for e in app.historique(eleve.id) if type(e) is ev.EleveMisAJour]
    par_champ = {c.champ: c for c in maj.changements}
    assert par_champ["nom_de_famille"].ancien == "MARTIN"
    responsables = par_champ["responsables"].ancien
    assert type(responsables) is tuple and type(responsables[0]) is Responsable
    assert responsables[0].adresse == Adresse(("1 rue du Port",), "29000", "QUIMPER")
    notes = app.recorder.select_notifications(start=None, limit=10)
    assert all(bytes(n.state)[:2] == ENTETE for n in notes)


def test_un_format_de_version_inconnue_est_refuse_clairement(app: LsunApp) -> None:
    stocke = app.mapper.to_stored_event(app.mapper.to_domain_event(_anciens()[0]))
    futur = StoredEvent(stocke.originator_id, stocke.originator_version, stocke.topic,
                        b"\xc1\x09" + stocke.state[2:])
    with pytest.raises(MapperDeserialisationError, match="version 9"):
        app.mapper.to_domain_event(futur)


def test_chiffre_et_compresse_les_deux_formats_se_lisent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CLE_CHIFFREMENT, base64.b64encode(os.urandom(32)).decode())
    app = ouvrir_application(Store.depuis_url(f"sqlite:///{tmp_path / 'chiffre.sqlite'}"))
    try:
        anciens = _anciens()
        # The old events as an encrypted store of earlier versions held them: JSON, compressed, encrypted.
        assert app.mapper.cipher is not None and app.mapper.compressor is not None
        chiffres = [StoredEvent(s.originator_id, s.originator_version, s.topic,
                                app.mapper.cipher.encrypt(app.mapper.compressor.compress(s.state))) for s in anciens]
        app.recorder.insert_events(chiffres)
        with contexte("Mme Principale"):
            eleve = Eleve("0999001X", "9999", _identite("ZÉBULON", "QUIMPER"), Scolarite(division="4A"), "d")
        app.save(eleve)
        notes = app.recorder.select_notifications(start=None, limit=1000)
        assert all(b"ZEBULON" not in bytes(n.state) and "ZÉBULON".encode() not in bytes(n.state) for n in notes)
        assert len(notes) == len(anciens) + 1
        for n in notes:
            app.mapper.to_domain_event(n)
        assert app.repository.get(eleve.id).identite.nom_de_famille == "ZÉBULON"
        clair = app.mapper.compressor.decompress(app.mapper.cipher.decrypt(bytes(notes[-1].state)))
        assert clair[:2] == ENTETE
    finally:
        app.close()
