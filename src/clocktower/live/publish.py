"""Publishing live events after commit: what writers call.

`queue_live` keeps an event in the session until its transaction ends. When the outer
transaction commits, the session's events go to the hub of the session's database; when
it rolls back they are dropped, and a rolled-back savepoint drops the events queued
inside it. A request that fails publishes nothing.

The hub is found through the engine the session is bound to (`install` attaches the
app's hub to the app's engine). A process without one, such as a `clocktower worker`,
gets a publish-only hub from its settings: Redis when configured, else nothing (no
stream can be connected to that process).
"""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from clocktower.config import Settings, get_settings
from clocktower.db import began_within, current_transaction
from clocktower.live.events import (
    ACTIVE_TIMER_CHANGED,
    CUSTOMER_FOCUS_CHANGED,
    ENTRY_CREATED,
    ENTRY_DELETED,
    ENTRY_UPDATED,
    EVENTS,
    TIMER_STARTED,
    TIMER_STOPPED,
    Audience,
    LiveEvent,
)
from clocktower.live.hub import Hub, InProcessHub, create_hub

_PENDING = "live_pending"
_hubs: weakref.WeakKeyDictionary[Engine, Hub] = weakref.WeakKeyDictionary()

Pending = list[tuple[SessionTransaction | None, LiveEvent]]


def install(settings: Settings, engine: AsyncEngine) -> Hub:
    """The hub of the app's engine, created with the first app on that engine: apps that
    share an engine (one process) share its hub, so what their requests publish is what
    their streams receive."""
    hub = _hubs.get(engine.sync_engine)
    if hub is None:
        hub = create_hub(settings)
        _hubs[engine.sync_engine] = hub
    return hub


def queue_live(
    session: AsyncSession,
    organization_id: int,
    name: str,
    data: Any,
    audience: Audience | None = None,
) -> None:
    """Publishes `name` with its JSON-ready `data` once the session's transaction commits."""
    if name not in EVENTS:
        raise ValueError(f"unknown live event {name!r}")
    sync = session.sync_session
    transaction = current_transaction(sync)
    pending: Pending = sync.info.setdefault(_PENDING, [])
    pending.append((transaction, LiveEvent(organization_id, name, data, audience or Audience())))


def queue_entry_event(
    session: AsyncSession, organization_id: int, name: str, entry: dict[str, Any]
) -> None:
    """An entry event (the entry as webhooks carry it), plus `active_timer.changed` when
    the change started, changed, stopped or discarded a running timer."""
    audience = Audience(user_id=entry.get("user_id"), client_id=entry.get("client_id"))
    queue_live(session, organization_id, name, entry, audience)
    running = bool(entry.get("is_active"))
    timer: dict[str, Any] | bool | None = False  # False: the active timer did not change
    if name == TIMER_STARTED or (name == ENTRY_UPDATED and running):
        timer = entry
    elif name == TIMER_STOPPED or (name == ENTRY_DELETED and running):
        timer = None
    elif name not in (ENTRY_CREATED, ENTRY_UPDATED, ENTRY_DELETED):
        raise ValueError(f"not an entry event: {name!r}")
    if timer is not False:
        queue_live(
            session,
            organization_id,
            ACTIVE_TIMER_CHANGED,
            {"user_id": entry.get("user_id"), "timer": timer},
            audience,
        )


def queue_focus_changed(
    session: AsyncSession,
    organization_id: int,
    user_id: int,
    client_id: int,
    focus: dict[str, Any] | None,
) -> None:
    """A member's customer focus was set or moved (`focus`) or cleared (None), for
    internal members only. `client_id` is the client the focus is on (or was on)."""
    queue_live(
        session,
        organization_id,
        CUSTOMER_FOCUS_CHANGED,
        {"user_id": user_id, "client_id": client_id, "focus": focus},
        Audience(internal_only=True),
    )


def _hub_for(session: Session) -> Hub | None:
    engine = session.get_bind().engine
    hub = _hubs.get(engine)
    if hub is None:
        settings = get_settings()
        hub = create_hub(settings) if settings.redis_url else InProcessHub()
        _hubs[engine] = hub
    return hub


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its events wait for the outer commit
    pending: Pending | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    hub = _hub_for(session)
    if hub is not None:
        hub.publish_nowait([live for _, live in pending])


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    pending: Pending | None = session.info.get(_PENDING)
    if pending:
        pending[:] = [(tag, live) for tag, live in pending if not began_within(tag, previous)]
