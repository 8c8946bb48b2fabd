"""What the rules refuse: a run that cannot be applied as the source stands. A domain error (nothing is saved),
shown to the user like the others."""

from __future__ import annotations

from lsun_events.aggregates.erreurs import ErreurDomaine


class SourceEndommageeError(ErreurDomaine):
    """A run whose change would turn a value into its own mis-decoding: the source is damaged (R13, SPEC §5)."""

    def __init__(self, qui: str, champ: str, ancien: str, nouveau: str, ecrit: str, lu: str) -> None:
        super().__init__(
            f"Synchronisation refusée, rien n'a été enregistré : la source semble endommagée. Pour {qui}, "
            f"« {champ} » passerait de « {ancien} » à « {nouveau} », qui est « {ancien} » mal décodé (texte "
            f"{ecrit} lu comme du {lu}). Réexportez les fichiers depuis SIECLE et STS-web et utilisez-les sans "
            "les ouvrir ni les réenregistrer, ou vérifiez l'encodage des réponses du service S3E.")
