"""Sync tokens: an opaque encoding of the organisation and the last sequence number seen."""

from __future__ import annotations

import base64
import binascii

from clocktower.sync.errors import InvalidSyncToken

FULL = "*"
_PREFIX = "s1_"


def encode(organization_id: int, seq: int) -> str:
    raw = f"{organization_id}.{seq}".encode()
    return _PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str | None, organization_id: int) -> int | None:
    """The sequence number after which to read; None for a full snapshot."""
    if token is None or token.strip() in ("", FULL):
        return None
    if not token.startswith(_PREFIX):
        raise InvalidSyncToken()
    body = token[len(_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        owner, seq = (int(part) for part in raw.split("."))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidSyncToken() from None
    if owner != organization_id or seq < 0:
        raise InvalidSyncToken()
    return seq
