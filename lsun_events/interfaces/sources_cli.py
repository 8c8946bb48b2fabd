"""Reading a source snapshot for a command: export files, or the S3E web service."""

from __future__ import annotations

from pathlib import Path

from lsun_events.sources.records import SourceSnapshot


def lire_source(uai: str | None, *, siecle: Path | None = None, sts: Path | None = None, s3e: str | None = None,
                jeton: str | None = None, annee: str | None = None) -> SourceSnapshot:
    """Nothing is saved before the whole source has been read and checked (UAI, school year)."""
    if s3e:
        from lsun_events.sources.s3e_client import ClientS3E  # noqa: PLC0415
        from lsun_events.sources.snapshot import lire_snapshot  # noqa: PLC0415

        assert uai is not None
        with ClientS3E(s3e, jeton=jeton) as client, client.telecharger(uai) as resultat:
            assert resultat.documents is not None
            return lire_snapshot(resultat.documents, uai_attendu=uai, annee_attendue=annee)
    from lsun_events.sources.snapshot import charger_exports  # noqa: PLC0415

    assert siecle is not None and sts is not None
    return charger_exports(siecle, sts, uai_attendu=uai, annee_attendue=annee)
