"""Automatic background synchronisation (SPEC §6, the use case's NB): a worker polls each school's S3E
source, does nothing when nothing changed, holds a suspicious source for the chef, applies the others."""
