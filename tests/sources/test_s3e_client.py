"""The S3E client against real HTTP on 127.0.0.1: the local S3E server, and small misbehaving servers."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lsun_events.sources import s3e_client
from lsun_events.sources.erreurs import S3EIndisponibleError, SourceInvalideError
from lsun_events.sources.s3e_client import ClientS3E, ResultatS3E
from lsun_events.sources.s3e_server import ServeurS3E
from tests.s3e_local import JETON_TEST, demarrer_serveur_s3e, en_fond, serveur_s3e

UAI = "0999001X"
FICHIERS = {
    "eleves": "ElevesSansAdresses.xml",
    "responsables": "ResponsablesAvecAdresses.xml",
    "nomenclatures": "Nomenclature.xml",
    "structures": "Structures.xml",
    "communs": "Communs.xml",
    "sts": f"sts_emp_{UAI}_2025.xml",
}
RACINES = {"eleves": "BEE_ELEVES", "responsables": "BEE_RESPONSABLES", "nomenclatures": "BEE_NOMENCLATURES",
           "structures": "BEE_STRUCTURES", "communs": "BEE_COMMUN", "sts": "STS_EDT"}
CHEMINS = {"eleves": "bee/eleves", "responsables": "bee/responsables", "nomenclatures": "bee/nomenclatures",
           "structures": "bee/structures", "communs": "bee/communs", "sts": "sts/emp"}
CHAMPS = {"eleves": "eleves", "responsables": "responsables", "nomenclatures": "nomenclature",
          "structures": "structures", "communs": "communs", "sts": "sts"}
XML = b'<?xml version="1.0" encoding="ISO-8859-15"?>\n<BEE_ELEVES/>\n'


pytestmark = pytest.mark.usefixtures("sans_proxy")  # the S3E client talks to 127.0.0.1 directly


def _contenu(cle: str, version: str = "1") -> bytes:
    racine = RACINES[cle]
    texte = f'<?xml version="1.0" encoding="ISO-8859-15"?>\n<{racine} VERSION="{version}"><!-- Élève --></{racine}>\n'
    return texte.encode("iso-8859-15")


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    dossier = tmp_path / "exports" / UAI
    dossier.mkdir(parents=True)
    for cle, fichier in FICHIERS.items():
        (dossier / fichier).write_bytes(_contenu(cle))
    return dossier.parent


@pytest.fixture
def serveur(exports: Path) -> Iterator[ServeurS3E]:
    with demarrer_serveur_s3e(exports) as serveur:
        yield serveur


def _client(url: str, **options: object) -> ClientS3E:
    reglages: dict[str, object] = {"jeton": JETON_TEST, "timeout": (2, 2), "tentatives": 2, "backoff": 0.01}
    reglages.update(options)
    return ClientS3E(url, **reglages)  # type: ignore[arg-type]


def _lire(resultat: ResultatS3E, cle: str) -> bytes | None:
    assert resultat.documents is not None
    document = getattr(resultat.documents, CHAMPS[cle])
    if document is None:
        return None
    with document.ouvrir() as flux:
        return flux.read()


def _par_ressource(serveur: ServeurS3E) -> Counter[str]:
    return Counter(r.chemin.removeprefix(f"/{UAI}/") for r in serveur.requetes())


# -- the local server ------------------------------------------------------------------------------------

def test_telecharge_les_six_documents(serveur: ServeurS3E) -> None:
    with _client(serveur.url) as client, client.telecharger(UAI) as resultat:
        assert not resultat.inchange
        assert resultat.documents is not None and resultat.documents.origine == "s3e"
        for cle in FICHIERS:
            assert _lire(resultat, cle) == _contenu(cle)
            assert getattr(resultat.documents, CHAMPS[cle]).nom == f"{serveur.url}/{UAI}/{CHEMINS[cle]}"
        assert set(resultat.etags) == set(FICHIERS)
    assert _par_ressource(serveur) == Counter(CHEMINS.values())


def test_serveur_s3e_donne_une_url_de_base(exports: Path) -> None:
    with serveur_s3e(exports) as base_url, ClientS3E(base_url + "/", jeton=JETON_TEST) as client:
        assert base_url.startswith("http://127.0.0.1:")
        resultat = client.telecharger(UAI.lower())
        assert _lire(resultat, "sts") == _contenu("sts")


def test_etags_inchange_une_requete_conditionnelle_par_ressource(serveur: ServeurS3E) -> None:
    client = _client(serveur.url)
    premier = client.telecharger(UAI)
    serveur.vider_journal()
    second = client.telecharger(UAI, etags=premier.etags)
    assert second.inchange and second.documents is None
    assert second.etags == premier.etags
    requetes = serveur.requetes()
    assert _par_ressource(serveur) == Counter(CHEMINS.values())  # exactly one request each
    assert all(r.conditionnelle and r.statut == 304 for r in requetes)
    serveur.vider_journal()
    assert client.verifier(UAI) is False  # the client remembers its last ETags
    assert all(r.statut == 304 for r in serveur.requetes())


def test_un_fichier_modifie_est_retelecharge_et_le_jeu_est_complet(serveur: ServeurS3E, exports: Path) -> None:
    client = _client(serveur.url)
    premier = client.telecharger(UAI)
    (exports / UAI / FICHIERS["structures"]).write_bytes(_contenu("structures", "2"))
    assert client.verifier(UAI) is True
    assert _client(serveur.url).verifier(UAI) is True  # nothing known: everything counts as changed
    assert client.verifier(UAI, etags=premier.etags) is True
    serveur.vider_journal()
    second = client.telecharger(UAI, etags=premier.etags)
    assert not second.inchange
    assert second.etags["structures"] != premier.etags["structures"]
    assert {cle: e for cle, e in second.etags.items() if cle != "structures"} == {
        cle: e for cle, e in premier.etags.items() if cle != "structures"}
    for cle in FICHIERS:  # complete: the ones that answered 304 were fetched again
        assert _lire(second, cle) == (_contenu("structures", "2") if cle == "structures" else _contenu(cle))
    conditionnelles = Counter(r.chemin.removeprefix(f"/{UAI}/") for r in serveur.requetes() if r.conditionnelle)
    # Order: eleves, sts, responsables, nomenclatures (304), structures (200), then communs unconditionally.
    assert conditionnelles == Counter(["bee/eleves", "sts/emp", "bee/responsables", "bee/nomenclatures",
                                       "bee/structures"])
    assert _par_ressource(serveur) == Counter({"bee/eleves": 2, "sts/emp": 2, "bee/responsables": 2,
                                               "bee/nomenclatures": 2, "bee/structures": 1, "bee/communs": 1})
    assert client.telecharger(UAI, etags=second.etags).inchange


def test_ressources_facultatives_absentes(serveur: ServeurS3E, exports: Path) -> None:
    for cle in ("responsables", "nomenclatures", "structures", "communs"):
        (exports / UAI / FICHIERS[cle]).unlink()
    client = _client(serveur.url)
    resultat = client.telecharger(UAI)
    assert resultat.documents is not None
    assert (resultat.documents.responsables, resultat.documents.nomenclature, resultat.documents.structures,
            resultat.documents.communs) == (None, None, None, None)
    assert set(resultat.etags) == {"eleves", "sts"}
    assert client.telecharger(UAI, etags=resultat.etags).inchange  # still absent: unchanged
    (exports / UAI / FICHIERS["communs"]).write_bytes(_contenu("communs"))  # appears
    apparu = client.telecharger(UAI, etags=resultat.etags)
    assert not apparu.inchange and _lire(apparu, "communs") == _contenu("communs")
    (exports / UAI / FICHIERS["communs"]).unlink()  # disappears
    disparu = client.telecharger(UAI, etags=apparu.etags)
    assert not disparu.inchange and _lire(disparu, "communs") is None


@pytest.mark.parametrize(("cle", "chemin"), [("eleves", "bee/eleves"), ("sts", "sts/emp")])
def test_ressource_obligatoire_absente(serveur: ServeurS3E, exports: Path, cle: str, chemin: str) -> None:
    (exports / UAI / FICHIERS[cle]).unlink()
    with pytest.raises(S3EIndisponibleError) as erreur:
        _client(serveur.url).telecharger(UAI)
    message = str(erreur.value)
    assert f"{serveur.url}/{UAI}/{chemin}" in message
    assert f"n'a pas la ressource obligatoire « {chemin} » (HTTP 404)" in message
    assert "Vérifiez l'UAI" in message


def test_uai_inconnu(serveur: ServeurS3E) -> None:
    with pytest.raises(S3EIndisponibleError, match="ne connaît pas l'établissement 0999002Y"):
        _client(serveur.url).telecharger("0999002Y")


def test_uai_invalide_refuse_sans_requete(serveur: ServeurS3E) -> None:
    with pytest.raises(SourceInvalideError, match=r"l'UAI « \.\./etc » n'est pas valide"):
        _client(serveur.url).telecharger("../etc")
    assert serveur.requetes() == []


def test_jeton_absent(serveur: ServeurS3E) -> None:
    with pytest.raises(S3EIndisponibleError) as erreur:
        _client(serveur.url, jeton=None).telecharger(UAI)
    message = str(erreur.value)
    assert "le service S3E demande un jeton d'accès (HTTP 401)" in message
    assert "option --jeton" in message


def test_jeton_faux(serveur: ServeurS3E) -> None:
    with pytest.raises(S3EIndisponibleError) as erreur:
        _client(serveur.url, jeton="faux").telecharger(UAI)
    message = str(erreur.value)
    assert "le service S3E a refusé le jeton d'accès (HTTP 401)" in message
    assert f"{serveur.url}/{UAI}/bee/eleves" in message
    assert len(serveur.requetes()) == 1  # a 401 is not retried


def test_corps_trop_gros_annonce(serveur: ServeurS3E) -> None:
    with pytest.raises(S3EIndisponibleError, match="dépasse la taille maximale de 50 octets"):
        _client(serveur.url, taille_max=50).telecharger(UAI)


def test_gros_document_sur_disque_lu_plusieurs_fois(serveur: ServeurS3E, exports: Path) -> None:
    gros = b"<?xml version='1.0'?>\n<BEE_STRUCTURES>" + b"<DIVISION/>" * 20_000 + b"</BEE_STRUCTURES>"
    (exports / UAI / FICHIERS["structures"]).write_bytes(gros)
    resultat = _client(serveur.url, seuil_memoire=1024).telecharger(UAI)
    assert resultat.documents is not None and resultat.documents.structures is not None
    premier, second = resultat.documents.structures.ouvrir(), resultat.documents.structures.ouvrir()
    assert premier.read(10) == gros[:10]
    assert second.read() == gros  # each opening has its own position
    assert premier.read() == gros[10:]
    premier.seek(0)
    assert premier.read(5) == gros[:5]
    resultat.fermer()
    with pytest.raises(ValueError, match="déjà libéré"):
        resultat.documents.structures.ouvrir().read()


def test_adresse_de_service_invalide() -> None:
    with pytest.raises(S3EIndisponibleError, match="n'est pas une adresse http"):
        ClientS3E("ftp://exemple.fr")


# -- misbehaving servers ---------------------------------------------------------------------------------

Repondre = Callable[[BaseHTTPRequestHandler, int], None]


class _Faux(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, repondre: Repondre) -> None:
        self.repondre = repondre
        self.appels: Counter[str] = Counter()
        self.verrou = threading.Lock()
        self.liberer = threading.Event()  # set at the end: slow handlers stop waiting
        super().__init__(("127.0.0.1", 0), _GestionnaireFaux)

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up (timeouts) are expected here


class _GestionnaireFaux(BaseHTTPRequestHandler):
    server: _Faux
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        with self.server.verrou:
            self.server.appels[self.path] += 1
            numero = self.server.appels[self.path]
        self.server.repondre(self, numero)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serveur_faux(repondre: Repondre) -> Iterator[_Faux]:
    serveur = _Faux(repondre)
    with en_fond(serveur, serveur.liberer):
        yield serveur


def _url(serveur: _Faux) -> str:
    return f"http://127.0.0.1:{serveur.server_address[1]}"


def envoyer(gestionnaire: BaseHTTPRequestHandler, statut: int, corps: bytes = b"",
            type_contenu: str | None = "application/xml", entetes: dict[str, str] | None = None) -> None:
    gestionnaire.send_response(statut)
    if type_contenu is not None:
        gestionnaire.send_header("Content-Type", type_contenu)
    gestionnaire.send_header("Content-Length", str(len(corps)))
    for nom, valeur in (entetes or {}).items():
        gestionnaire.send_header(nom, valeur)
    gestionnaire.end_headers()
    gestionnaire.wfile.write(corps)


def echec(repondre: Repondre, **options: object) -> tuple[_Faux, str]:
    """The fake server (for its call counts) and the message of the error the client raised against it."""
    with serveur_faux(repondre) as serveur, pytest.raises(S3EIndisponibleError) as erreur:
        _client(_url(serveur), **options).telecharger(UAI)
    return serveur, str(erreur.value)


def xml_pour_tout(gestionnaire: BaseHTTPRequestHandler, numero: int) -> None:
    """eleves and sts answer a document, the optional resources are absent."""
    if gestionnaire.path.endswith(("/bee/eleves", "/sts/emp")):
        envoyer(gestionnaire, 200, XML)
    else:
        envoyer(gestionnaire, 404, b"absent", "text/plain")


def test_page_html_au_lieu_du_xml() -> None:
    page = b"<!DOCTYPE html><html><body>Connexion au proxy</body></html>"
    serveur, message = echec(lambda g, n: envoyer(g, 200, page, "text/html; charset=utf-8"))
    assert "le service S3E a répondu une page HTML au lieu du document XML attendu" in message
    assert f"{_url(serveur)}/{UAI}/bee/eleves" in message
    assert "Vérifiez l'adresse du service" in message


@pytest.mark.parametrize("type_contenu", [None, "application/octet-stream", "application/xml"])
def test_page_html_reconnue_a_son_contenu(type_contenu: str | None) -> None:
    page = b"\xef\xbb\xbf\n  <html lang='fr'><body>Erreur</body></html>"
    _, message = echec(lambda g, n: envoyer(g, 200, page, type_contenu))
    assert "page HTML au lieu du document XML" in message


def test_xml_sans_type_accepte_avec_bom() -> None:
    corps = b"\xef\xbb\xbf" + XML
    with serveur_faux(lambda g, n: envoyer(g, 200, corps, None) if g.path.endswith(("eleves", "emp"))
                      else envoyer(g, 404)) as serveur:
        resultat = _client(_url(serveur)).telecharger(UAI)
    assert _lire(resultat, "eleves") == corps


def test_ni_xml_ni_html() -> None:
    _, message = echec(lambda g, n: envoyer(g, 200, b'{"erreur": 1}', "application/json"))
    assert "autre chose qu'un document XML" in message


def test_document_vide() -> None:
    _, message = echec(lambda g, n: envoyer(g, 200, b""))
    assert "un document vide" in message


def test_500_deux_fois_puis_200() -> None:
    def repondre(gestionnaire: BaseHTTPRequestHandler, numero: int) -> None:
        if gestionnaire.path.endswith("/bee/eleves") and numero <= 2:
            envoyer(gestionnaire, 500, b"panne", "text/plain")
        else:
            xml_pour_tout(gestionnaire, numero)

    with serveur_faux(repondre) as serveur:
        resultat = _client(_url(serveur), tentatives=3).telecharger(UAI)
    assert _lire(resultat, "eleves") == XML
    assert serveur.appels[f"/{UAI}/bee/eleves"] == 3


def test_500_toujours() -> None:
    serveur, message = echec(lambda g, n: envoyer(g, 500, b"Erreur interne.", "text/plain"), tentatives=3)
    assert serveur.appels[f"/{UAI}/bee/eleves"] == 3
    assert "le service S3E a répondu HTTP 500 après 3 tentatives (réponse du service : Erreur interne)" in message
    assert "Réessayez plus tard" in message


def test_retry_after_respecte_et_borne(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(s3e_client, "ATTENTE_MAX_RETRY_AFTER", 0.3)

    def repondre(gestionnaire: BaseHTTPRequestHandler, numero: int) -> None:
        if gestionnaire.path.endswith("/bee/eleves") and numero == 1:
            envoyer(gestionnaire, 503, b"", "text/plain", {"Retry-After": "3600"})
        else:
            xml_pour_tout(gestionnaire, numero)

    with serveur_faux(repondre) as serveur:
        debut = time.monotonic()
        _client(_url(serveur), backoff=0).telecharger(UAI)
        duree = time.monotonic() - debut
    assert serveur.appels[f"/{UAI}/bee/eleves"] == 2
    assert 0.3 <= duree < 2  # waited once, 0.3 s instead of an hour


def test_connexion_refusee() -> None:
    with socket.socket() as prise:
        prise.bind(("127.0.0.1", 0))
        port = prise.getsockname()[1]
    with pytest.raises(S3EIndisponibleError) as erreur:
        _client(f"http://127.0.0.1:{port}", tentatives=2).telecharger(UAI)
    message = str(erreur.value)
    assert f"http://127.0.0.1:{port}/{UAI}/bee/eleves" in message
    assert "impossible de joindre le service S3E après 2 tentatives (connexion refusée ou adresse inconnue)" in message
    assert "qu'il est démarré" in message


def test_serveur_trop_lent() -> None:
    def repondre(gestionnaire: BaseHTTPRequestHandler, numero: int) -> None:
        gestionnaire.server.liberer.wait(5)  # type: ignore[attr-defined]

    with serveur_faux(repondre) as serveur:
        debut = time.monotonic()
        with pytest.raises(S3EIndisponibleError) as erreur:
            _client(_url(serveur), timeout=(1, 0.3), tentatives=2).telecharger(UAI)
        message = str(erreur.value)
        assert time.monotonic() - debut < 2
        assert serveur.appels[f"/{UAI}/bee/eleves"] == 2
    assert "le service S3E n'a pas répondu en 0.3 s après 2 tentatives" in message


def test_corps_qui_s_arrete_en_route() -> None:
    def repondre(gestionnaire: BaseHTTPRequestHandler, numero: int) -> None:
        gestionnaire.send_response(200)
        gestionnaire.send_header("Content-Type", "application/xml")
        gestionnaire.send_header("Content-Length", "1000")
        gestionnaire.end_headers()
        gestionnaire.wfile.write(XML)
        gestionnaire.wfile.flush()
        gestionnaire.server.liberer.wait(5)  # type: ignore[attr-defined]

    _, message = echec(repondre, timeout=(1, 0.3))
    assert "le service S3E n'a pas répondu en 0.3 s pendant l'envoi du document" in message


def test_corps_tronque() -> None:
    def repondre(gestionnaire: BaseHTTPRequestHandler, numero: int) -> None:
        gestionnaire.send_response(200)
        gestionnaire.send_header("Content-Type", "application/xml")
        gestionnaire.send_header("Content-Length", "1000")
        gestionnaire.end_headers()
        gestionnaire.wfile.write(XML)  # then the connection closes (HTTP/1.0)

    serveur, message = echec(repondre)
    assert f"{_url(serveur)}/{UAI}/bee/eleves" in message
    assert f"la réponse du service S3E est incomplète (connexion interrompue après {len(XML)} octets " \
           "sur 1000 annoncés)" in message


def test_corps_trop_gros_sans_longueur_annoncee() -> None:
    def repondre(gestionnaire: BaseHTTPRequestHandler, numero: int) -> None:
        gestionnaire.send_response(200)
        gestionnaire.send_header("Content-Type", "application/xml")
        gestionnaire.end_headers()  # no Content-Length: the body ends when the connection closes
        gestionnaire.wfile.write(b"<?xml version='1.0'?><BEE_ELEVES>" + b" " * 200_000)

    _, message = echec(repondre, taille_max=100_000)
    assert "dépasse la taille maximale de 98 Ko" in message


def test_serveur_sans_if_none_match_mais_meme_etag() -> None:
    def repondre(gestionnaire: BaseHTTPRequestHandler, numero: int) -> None:
        if gestionnaire.path.endswith(("/bee/eleves", "/sts/emp")):
            envoyer(gestionnaire, 200, XML, entetes={"ETag": '"v1"'})
        else:
            envoyer(gestionnaire, 404)

    with serveur_faux(repondre) as serveur:
        client = _client(_url(serveur))
        premier = client.telecharger(UAI)
        assert premier.etags == {"eleves": '"v1"', "sts": '"v1"'}
        assert client.telecharger(UAI, etags=premier.etags).inchange
        assert client.verifier(UAI, etags={"eleves": '"v0"', "sts": '"v1"'}) is True


def test_403_et_autres_statuts() -> None:
    _, message = echec(lambda g, n: envoyer(g, 403, b"", "text/plain"))
    assert "ne donne pas accès à l'établissement 0999001X" in message
    _, message = echec(lambda g, n: envoyer(g, 418, b"", "text/plain"))
    assert "a répondu HTTP 418" in message
