"""Connecting to the live stream: who the subscriber is, and the snapshot they start from.

The snapshot's parts come from the domains that own them (the running timer from the
time-entry ledger, the focus list from customer focus), registered with `snapshot_part`:
this package sits below them and cannot import them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.kit.time import utcnow
from clocktower.live.errors import LiveUnavailable
from clocktower.live.events import Viewer
from clocktower.live.hub import Hub, HubUnavailable, Subscription

SnapshotPart = Callable[[AsyncSession, AuthContext], Awaitable[Any]]
_PARTS: dict[str, SnapshotPart] = {}


def snapshot_part(name: str) -> Callable[[SnapshotPart], SnapshotPart]:
    """Registers `name` of the snapshot: a function of the session and the subscriber."""

    def register(part: SnapshotPart) -> SnapshotPart:
        _PARTS[name] = part
        return part

    return register


def viewer_of(auth: AuthContext) -> Viewer:
    """Permissions as they stand at connect time hold for the whole stream."""
    return Viewer(
        user_id=auth.user_id,
        client_id=auth.client_id,
        sees_others=auth.allows("time_entry.fetch.other"),
    )


async def connect(
    session: AsyncSession, auth: AuthContext, hub: Hub
) -> tuple[Subscription, dict[str, Any]]:
    """Subscribes first, then reads the snapshot: a change committed in between arrives
    as an event too (at worst twice), never not at all."""
    try:
        subscription = await hub.subscribe(auth.org_id, viewer_of(auth))
    except HubUnavailable as error:
        raise LiveUnavailable() from error
    try:
        snapshot: dict[str, Any] = {
            "organization_id": auth.org_id,
            "user_id": auth.user_id,
            "server_time": utcnow().isoformat(),
        }
        for name, part in sorted(_PARTS.items()):
            snapshot[name] = await part(session, auth)
    except BaseException:
        subscription.close()
        raise
    return subscription, snapshot
