"""The one factory for outgoing HTTP clients: 10 s timeouts, a User-Agent naming Clocktower.

Every integration builds its clients here, so timeouts and identification are the same
everywhere and tests can point any of them at a local fake server. Transport errors
(`httpx.HTTPError`) are left to callers: only they know what a failure means.
"""

from __future__ import annotations

from typing import Any

import httpx

from clocktower import __version__

TIMEOUT_SECONDS = 10.0
USER_AGENT = f"Clocktower/{__version__}"


def http_client(**kwargs: Any) -> httpx.AsyncClient:
    """An `httpx.AsyncClient`; keyword arguments override the defaults (headers merge)."""
    headers = {"User-Agent": USER_AGENT, **dict(kwargs.pop("headers", None) or {})}
    kwargs.setdefault("timeout", httpx.Timeout(TIMEOUT_SECONDS))
    return httpx.AsyncClient(headers=headers, **kwargs)
