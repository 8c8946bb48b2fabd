"""The web page and the JSON API (FastAPI, server-rendered Jinja2 pages)."""

from __future__ import annotations

from lsun_events.interfaces.web.app import create_app

__all__ = ["create_app"]
