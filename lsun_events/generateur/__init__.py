"""Generator of realistic SIECLE/BEE and STS-web export sets, for tests, benchmarks and the demo.

``generer(taille)`` builds a school (``modele.Ecole``), ``variantes`` derive modified copies of it, and
``ecrire_exports`` / ``ecrire_s3e`` write the real files (formats: shared/spec/formats.md).
"""

from __future__ import annotations

from lsun_events.generateur.ecriture import Exports, ecrire_document, ecrire_exports, ecrire_s3e
from lsun_events.generateur.generation import generer
from lsun_events.generateur.modele import INACTIFS, Ecole, RefEnseignant

__all__ = ["INACTIFS", "Ecole", "Exports", "RefEnseignant", "ecrire_document", "ecrire_exports", "ecrire_s3e",
           "generer"]
