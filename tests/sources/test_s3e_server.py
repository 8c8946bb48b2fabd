"""The local S3E server, spoken to with raw HTTP (http.client): contract, ETag, token, refusals."""

from __future__ import annotations

import hashlib
import http.client
import logging
import zipfile
from pathlib import Path

import pytest

from lsun_events.sources import s3e_server
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.s3e_server import ServeurS3E, creer_serveur, etag_correspond, servir
from tests.s3e_local import JETON_TEST, demarrer_serveur_s3e

UAI = "0999001X"
AUTORISATION = {"Authorization": f"Bearer {JETON_TEST}"}
ELEVES = '<?xml version="1.0" encoding="ISO-8859-15"?>\n<BEE_ELEVES VERSION="2.1"><!-- Élève --></BEE_ELEVES>\n'


def _xml(racine: str) -> bytes:
    return f'<?xml version="1.0" encoding="ISO-8859-15"?>\n<{racine}/>\n'.encode("iso-8859-15")


def _exports(tmp_path: Path) -> Path:
    dossier = tmp_path / "exports" / UAI
    dossier.mkdir(parents=True)
    (dossier / "ElevesSansAdresses.xml").write_bytes(ELEVES.encode("iso-8859-15"))
    (dossier / "ResponsablesAvecAdresses.xml").write_bytes(_xml("BEE_RESPONSABLES"))
    (dossier / "Nomenclature.xml").write_bytes(_xml("BEE_NOMENCLATURES"))
    (dossier / "Structures.xml").write_bytes(_xml("BEE_STRUCTURES"))
    (dossier / "Communs.xml").write_bytes(_xml("BEE_COMMUN"))
    (dossier / f"sts_emp_{UAI}_2025.xml").write_bytes(_xml("STS_EDT"))
    (dossier / "sts_emp_0999002Y_2025.xml").write_bytes(_xml("AUTRE"))  # another school's file: ignored
    return dossier.parent


def _requete(serveur: ServeurS3E, chemin: str, *, methode: str = "GET",
             entetes: dict[str, str] | None = None) -> tuple[http.client.HTTPResponse, bytes]:
    connexion = http.client.HTTPConnection("127.0.0.1", serveur.server_address[1], timeout=5)
    try:
        connexion.request(methode, chemin, headers=entetes if entetes is not None else AUTORISATION)
        reponse = connexion.getresponse()
        return reponse, reponse.read()
    finally:
        connexion.close()


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    return _exports(tmp_path)


@pytest.fixture
def serveur(exports: Path):
    with demarrer_serveur_s3e(exports) as serveur:
        yield serveur


@pytest.mark.parametrize(("chemin", "fichier"), [
    ("bee/eleves", "ElevesSansAdresses.xml"),
    ("bee/responsables", "ResponsablesAvecAdresses.xml"),
    ("bee/nomenclatures", "Nomenclature.xml"),
    ("bee/structures", "Structures.xml"),
    ("bee/communs", "Communs.xml"),
    ("sts/emp", f"sts_emp_{UAI}_2025.xml"),
])
def test_chaque_ressource_est_le_fichier_tel_quel(serveur: ServeurS3E, exports: Path, chemin: str,
                                                 fichier: str) -> None:
    attendu = (exports / UAI / fichier).read_bytes()
    reponse, corps = _requete(serveur, f"/{UAI}/{chemin}")
    assert reponse.status == 200
    assert corps == attendu
    assert reponse.getheader("Content-Type") == "application/xml"
    assert reponse.getheader("Content-Length") == str(len(attendu))
    assert reponse.getheader("ETag") == f'"{hashlib.sha256(attendu).hexdigest()}"'


def test_if_none_match_donne_304_sans_corps(serveur: ServeurS3E) -> None:
    premiere, _ = _requete(serveur, f"/{UAI}/bee/eleves")
    etag = premiere.getheader("ETag")
    for valeur in (etag, f'"autre", {etag}', f"W/{etag}", "*"):
        reponse, corps = _requete(serveur, f"/{UAI}/bee/eleves", entetes={**AUTORISATION, "If-None-Match": valeur})
        assert (reponse.status, corps, reponse.getheader("ETag")) == (304, b"", etag)
    reponse, corps = _requete(serveur, f"/{UAI}/bee/eleves", entetes={**AUTORISATION, "If-None-Match": '"autre"'})
    assert reponse.status == 200 and corps


def test_un_export_modifie_change_d_etag(serveur: ServeurS3E, exports: Path) -> None:
    avant, _ = _requete(serveur, f"/{UAI}/bee/structures")
    (exports / UAI / "Structures.xml").write_bytes(_xml("BEE_STRUCTURES") + b"<!-- v2 -->")
    apres, corps = _requete(serveur, f"/{UAI}/bee/structures",
                            entetes={**AUTORISATION, "If-None-Match": avant.getheader("ETag")})
    assert apres.status == 200
    assert corps.endswith(b"<!-- v2 -->")
    assert apres.getheader("ETag") != avant.getheader("ETag")


def test_head_donne_les_entetes_sans_corps(serveur: ServeurS3E, exports: Path) -> None:
    reponse, corps = _requete(serveur, f"/{UAI}/sts/emp", methode="HEAD")
    assert reponse.status == 200 and corps == b""
    assert reponse.getheader("Content-Length") == str(len(_xml("STS_EDT")))


@pytest.mark.parametrize("entetes", [{}, {"Authorization": "Bearer mauvais"}, {"Authorization": JETON_TEST}])
def test_jeton_absent_ou_faux_donne_401(serveur: ServeurS3E, entetes: dict[str, str]) -> None:
    reponse, corps = _requete(serveur, f"/{UAI}/bee/eleves", entetes=entetes)
    assert reponse.status == 401
    assert reponse.getheader("WWW-Authenticate", "").startswith("Bearer")
    assert "Jeton d'accès" in corps.decode()


def test_sans_jeton_configure_pas_d_authentification(exports: Path) -> None:
    with demarrer_serveur_s3e(exports, jeton=None) as serveur:
        reponse, _ = _requete(serveur, f"/{UAI}/bee/eleves", entetes={})
    assert reponse.status == 200


@pytest.mark.parametrize(("chemin", "statut"), [
    ("/0999002Y/bee/eleves", 404),  # unknown UAI
    (f"/{UAI}/bee/inconnue", 404),
    (f"/{UAI}/bee", 404),
    (f"/{UAI}/bee/eleves/plus", 404),
    ("/", 404),
    ("/0999001x/bee/eleves", 400),  # not a UAI
    ("/ABC/bee/eleves", 400),
    ("/../etc/passwd", 400),
    (f"/{UAI}/../{UAI}/bee/eleves", 400),
    (f"/{UAI}/bee/..%2f..%2fetc", 400),
    ("/%2e%2e/bee/eleves", 400),
    (f"/{UAI}//bee/eleves", 400),
])
def test_chemins_refuses(serveur: ServeurS3E, chemin: str, statut: int) -> None:
    reponse, corps = _requete(serveur, chemin)
    assert reponse.status == statut
    assert reponse.getheader("Content-Type") == "text/plain; charset=utf-8"
    assert corps.decode().strip()  # a French explanation


def test_ressource_absente_404(serveur: ServeurS3E, exports: Path) -> None:
    (exports / UAI / "Communs.xml").unlink()
    reponse, corps = _requete(serveur, f"/{UAI}/bee/communs")
    assert reponse.status == 404
    assert "Communs.xml" in corps.decode()


def test_methodes_autres_que_get_head_refusees(serveur: ServeurS3E) -> None:
    for methode in ("POST", "PUT", "DELETE"):
        reponse, _ = _requete(serveur, f"/{UAI}/bee/eleves", methode=methode)
        assert reponse.status == 405
        assert reponse.getheader("Allow") == "GET, HEAD"


def test_zip_contenant_le_fichier_est_servi_decompresse(serveur: ServeurS3E, exports: Path) -> None:
    dossier = exports / UAI
    contenu = (dossier / "Nomenclature.xml").read_bytes()
    (dossier / "Nomenclature.xml").unlink()
    with zipfile.ZipFile(dossier / "Nomenclature.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Nomenclature.xml", contenu)
    reponse, corps = _requete(serveur, f"/{UAI}/bee/nomenclatures")
    assert (reponse.status, corps) == (200, contenu)
    assert reponse.getheader("ETag") == f'"{hashlib.sha256(contenu).hexdigest()}"'


def test_plusieurs_candidats_sont_refuses(serveur: ServeurS3E, exports: Path) -> None:
    dossier = exports / UAI
    (dossier / "ElevesAvecAdresses.xml").write_bytes(_xml("BEE_ELEVES"))
    reponse, corps = _requete(serveur, f"/{UAI}/bee/eleves")
    assert reponse.status == 409
    assert "ElevesAvecAdresses.xml" in corps.decode() and "ElevesSansAdresses.xml" in corps.decode()
    with zipfile.ZipFile(dossier / "export.zip", "w") as archive:
        archive.writestr(f"sts_emp_{UAI}_2024.xml", _xml("STS_EDT"))
    reponse, _ = _requete(serveur, f"/{UAI}/sts/emp")
    assert reponse.status == 409


def test_zip_illisible_refuse(serveur: ServeurS3E, exports: Path) -> None:
    (exports / UAI / "Communs.xml").unlink()
    (exports / UAI / "Communs.zip").write_bytes(b"PK pas un zip")
    reponse, corps = _requete(serveur, f"/{UAI}/bee/communs")
    assert reponse.status == 409
    assert "Communs.zip" in corps.decode()


def test_gros_fichier_servi_intact(serveur: ServeurS3E, exports: Path) -> None:
    gros = b"<?xml version='1.0'?>\n<BEE_STRUCTURES>" + b"<DIVISION/>" * 600_000 + b"</BEE_STRUCTURES>"
    assert len(gros) > s3e_server.SEUIL_MEMOIRE
    (exports / UAI / "Structures.xml").write_bytes(gros)
    reponse, corps = _requete(serveur, f"/{UAI}/bee/structures")
    assert corps == gros
    assert reponse.getheader("ETag") == f'"{hashlib.sha256(gros).hexdigest()}"'


def test_journal_et_logs_sans_donnees_personnelles(serveur: ServeurS3E, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=s3e_server.__name__)
    _requete(serveur, f"/{UAI}/bee/eleves?nom=DUPONT", entetes={**AUTORISATION, "If-None-Match": '"x"'})
    _requete(serveur, f"/{UAI}/bee/eleves", entetes={})
    requetes = serveur.requetes()
    assert [(r.methode, r.chemin, r.statut, r.conditionnelle) for r in requetes] == [
        ("GET", f"/{UAI}/bee/eleves", 200, True), ("GET", f"/{UAI}/bee/eleves", 401, False)]
    textes = [enregistrement.getMessage() for enregistrement in caplog.records]
    assert f"GET /{UAI}/bee/eleves 200" in textes
    assert not any("DUPONT" in texte or "127.0.0.1" in texte or JETON_TEST in texte for texte in textes)
    serveur.vider_journal()
    assert serveur.requetes() == []


def test_etag_correspond() -> None:
    assert etag_correspond('"a"', '"a"')
    assert etag_correspond('W/"a"', '"a"')
    assert etag_correspond('"b", "a"', '"a"')
    assert etag_correspond("*", '"a"')
    assert not etag_correspond('"b"', '"a"')


def test_dossier_d_exports_inexistant(tmp_path: Path) -> None:
    with pytest.raises(SourceInvalideError, match="dossier des exports n'existe pas"):
        creer_serveur(tmp_path / "absent")


def test_servir_annonce_l_adresse_et_s_arrete_sur_ctrl_c(exports: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fermes: list[ServeurS3E] = []

    def interrompre(self: ServeurS3E, poll_interval: float = 0.5) -> None:
        raise KeyboardInterrupt

    original = ServeurS3E.server_close
    monkeypatch.setattr(ServeurS3E, "serve_forever", interrompre)
    monkeypatch.setattr(ServeurS3E, "server_close", lambda self: (fermes.append(self), original(self)))
    servir(exports, 0, JETON_TEST)
    sortie = capsys.readouterr().out
    assert sortie.startswith("Serveur S3E local sur http://127.0.0.1:")
    assert f"(exports : {exports.resolve()})" in sortie
    assert "Serveur S3E arrêté." in sortie
    assert len(fermes) == 1
