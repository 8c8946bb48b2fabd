"""lsun_events: the LSUN "Synchronisation base élèves", event-sourced with an audit log."""

__version__ = "0.1.0"
