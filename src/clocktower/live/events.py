"""Live events and who may receive them.

An event names its organisation and its audience: personal events (a timer, an entry)
carry their owner's user and client, so a subscriber sees them only when they may read
that user's time; focus events are for internal members only.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

TIMER_STARTED = "timer.started"
TIMER_STOPPED = "timer.stopped"
ACTIVE_TIMER_CHANGED = "active_timer.changed"
CUSTOMER_FOCUS_CHANGED = "customer_focus.changed"
ENTRY_CREATED = "time_entry.created"
ENTRY_UPDATED = "time_entry.updated"
ENTRY_DELETED = "time_entry.deleted"

EVENTS: dict[str, str] = {
    TIMER_STARTED: "A timer started (data: the entry)",
    TIMER_STOPPED: "A running timer stopped (data: the entry)",
    ACTIVE_TIMER_CHANGED: "A member's running timer started, changed, stopped or was "
    "discarded (data: user_id and the timer, or null)",
    CUSTOMER_FOCUS_CHANGED: "A member set, moved or cleared their customer focus "
    "(data: user_id and the focus, or null)",
    ENTRY_CREATED: "A time entry was created (data: the entry)",
    ENTRY_UPDATED: "A time entry changed (data: the entry)",
    ENTRY_DELETED: "A time entry was deleted (data: the entry as it was)",
}
# Stream-level messages, not published by writers.
SNAPSHOT = "snapshot"
OVERFLOW = "overflow"


@dataclass(frozen=True)
class Audience:
    """Who may receive an event: `user_id` set makes it personal, `client_id` the
    client it concerns (customers see only their own), `internal_only` hides it from
    customer members."""

    user_id: int | None = None
    client_id: int | None = None
    internal_only: bool = False


@dataclass(frozen=True)
class Viewer:
    """A subscriber, as their permissions stood when they connected."""

    user_id: int
    client_id: int | None
    sees_others: bool

    def accepts(self, audience: Audience) -> bool:
        if self.client_id is not None and (
            audience.internal_only or audience.client_id != self.client_id
        ):
            return False
        if audience.user_id is not None and audience.user_id != self.user_id:
            return self.sees_others
        return True


@dataclass(frozen=True)
class LiveEvent:
    organization_id: int
    event: str
    data: Any
    audience: Audience = Audience()
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "organization_id": self.organization_id,
                "event": self.event,
                "data": self.data,
                "audience": [
                    self.audience.user_id,
                    self.audience.client_id,
                    self.audience.internal_only,
                ],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> LiveEvent:
        raw = json.loads(text)
        user_id, client_id, internal_only = raw["audience"]
        return cls(
            organization_id=int(raw["organization_id"]),
            event=str(raw["event"]),
            data=raw["data"],
            audience=Audience(user_id, client_id, bool(internal_only)),
            id=str(raw["id"]),
        )
