"""Sync tokens: an opaque encoding of whose they are and the last sequence number seen.

A token names its organisation, its user and the kinds of object that user could read
when it was issued. Another user's or organisation's token is refused (400); a token
issued while the user could read other kinds than now is expired (410), because the app
holds objects it may no longer see, or lacks ones it now may: only a snapshot is right.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from clocktower.changelog.kinds import KINDS
from clocktower.sync.errors import InvalidSyncToken, SyncTokenExpired

FULL = "*"
_PREFIX = "s2_"


@dataclass(frozen=True)
class Holder:
    organization_id: int
    user_id: int
    kinds: int  # bit i set: KINDS[i] readable

    @classmethod
    def of(cls, organization_id: int, user_id: int, readable: Sequence[str]) -> Holder:
        mask = sum(1 << index for index, kind in enumerate(KINDS) if kind in readable)
        return cls(organization_id, user_id, mask)


def encode(holder: Holder, seq: int) -> str:
    raw = f"{holder.organization_id}.{holder.user_id}.{holder.kinds}.{seq}".encode()
    return _PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str | None, holder: Holder) -> int | None:
    """The sequence number after which to read; None for a full snapshot."""
    if token is None or token.strip() in ("", FULL):
        return None
    if not token.startswith(_PREFIX):
        raise InvalidSyncToken()
    body = token[len(_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        organization_id, user_id, kinds, seq = (int(part) for part in raw.split("."))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidSyncToken() from None
    if (organization_id, user_id) != (holder.organization_id, holder.user_id) or seq < 0:
        raise InvalidSyncToken()
    if kinds != holder.kinds:
        raise SyncTokenExpired()
    return seq
