"""Delta sync, pull side (S6.1): what changed for the caller since their token.

One answer is one page of the change log after the token's sequence number, in order,
with the current state of each changed object (or a tombstone) and the caller's running
timer. Because numbers are handed out in commit order, a token never skips a change
that commits later; paging on until `has_more` is false always ends at a state as new
as the last page read. The cost is the number of changes after the token: a page is one
index range scan plus one statement per kind of object in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.changelog import kinds
from clocktower.changelog.repository import ChangeLogRepository
from clocktower.client.repository import ClientRepository
from clocktower.client_focus.repository import FocusRepository
from clocktower.client_focus.schemas import FocusRead
from clocktower.focus_session.repository import FocusSessionRepository
from clocktower.models import SyncChange
from clocktower.project.repository import ProjectRepository
from clocktower.sync import tokens
from clocktower.sync.errors import SyncInternalOnly, SyncTokenExpired
from clocktower.sync.schemas import (
    SyncAnswer,
    SyncClient,
    SyncCustomerFocus,
    SyncFocusSession,
    SyncProject,
    SyncTask,
    SyncTimeEntry,
    SyncTombstone,
)
from clocktower.task.repository import TaskRepository
from clocktower.time_entry.repository import TimeEntryRepository, Viewer
from clocktower.time_entry.schemas import TimeEntryRead
from clocktower.time_entry.service import running_timer

Versioned = TypeVar(
    "Versioned",
    SyncClient,
    SyncProject,
    SyncTask,
    SyncTimeEntry,
    SyncFocusSession,
    SyncCustomerFocus,
)

DEFAULT_PAGE = 500
MAX_PAGE = 1000

# The permission that lets a member list each kind; a kind they cannot list is left out.
READ_NODE = {
    kinds.CLIENT: "client.fetch.many",
    kinds.PROJECT: "project.fetch.many",
    kinds.TASK: "task.fetch.many",
    kinds.TIME_ENTRY: "time_entry.fetch.many",
    kinds.FOCUS_SESSION: "time_entry.fetch.many",
    kinds.CUSTOMER_FOCUS: "client.fetch.many",
}


def require_internal(auth: AuthContext) -> None:
    if auth.is_customer:
        raise SyncInternalOnly()


def readable_kinds(auth: AuthContext) -> list[str]:
    return [kind for kind in kinds.KINDS if auth.allows(READ_NODE[kind])]


async def pull(
    session: AsyncSession, auth: AuthContext, token: str | None, limit: int = DEFAULT_PAGE
) -> SyncAnswer:
    require_internal(auth)
    readable = readable_kinds(auth)
    holder = tokens.Holder.of(auth.org_id, auth.user_id, readable)
    after = tokens.decode(token, holder)
    snapshot = after is None
    start = after or 0
    log = ChangeLogRepository(session)
    # Read before the changes: every number up to `last` has committed, so the page
    # below sees all of them.
    last, pruned = await log.counter(auth.org_id)
    if not snapshot and (start < pruned or start > last):
        raise SyncTokenExpired()
    changes = await log.after(
        auth.org_id,
        auth.user_id,
        start,
        kinds=readable,
        limit=limit + 1,
        with_tombstones=not snapshot,
    )
    has_more = len(changes) > limit
    page = list(changes[:limit])
    reached = page[-1].seq if has_more else max(last, page[-1].seq if page else start)
    answer = await load(session, auth, page)
    answer.sync_token = tokens.encode(holder, reached)
    answer.has_more = has_more
    answer.snapshot = snapshot
    # The running timer is a time entry: shown to those who may list entries (an API
    # token with `read:sync` alone may not).
    if kinds.TIME_ENTRY in readable:
        timer = await running_timer(session, auth)
        answer.active_timer = TimeEntryRead.of_view(timer, auth) if timer is not None else None
    return answer


async def load(
    session: AsyncSession, auth: AuthContext, changes: Sequence[SyncChange]
) -> SyncAnswer:
    """The current state of each changed object, with its version; tombstones for the
    deleted. An object gone since its change was logged is left out: its deletion comes
    with a later number."""
    answer = SyncAnswer(sync_token="", has_more=False, snapshot=False)
    wanted: dict[str, dict[int, int]] = {}
    for change in changes:
        if change.deleted:
            answer.deleted.append(
                SyncTombstone(type=change.object_type, id=change.object_id, version=change.seq)
            )
        else:
            wanted.setdefault(change.object_type, {})[change.object_id] = change.seq
    org = auth.org_id
    if versions := wanted.get(kinds.CLIENT):
        for client, count in await ClientRepository(session).with_counts_of(org, list(versions)):
            answer.clients.append(_versioned(SyncClient.build(client, count, auth), versions))
    if versions := wanted.get(kinds.PROJECT):
        for row in await ProjectRepository(session).with_clients_of(org, list(versions)):
            project = SyncProject.of_project(row.project, row.client, auth)
            answer.projects.append(_versioned(project, versions))
    if versions := wanted.get(kinds.TASK):
        for view in await TaskRepository(session).views_of(org, list(versions)):
            answer.tasks.append(_versioned(SyncTask.of_view(view, auth), versions))
    if versions := wanted.get(kinds.TIME_ENTRY):
        viewer = Viewer(organization_id=org, only_user_id=auth.user_id)
        for entry_view in await TimeEntryRepository(session).views_of(viewer, list(versions)):
            answer.time_entries.append(
                _versioned(SyncTimeEntry.of_view(entry_view, auth), versions)
            )
    if versions := wanted.get(kinds.FOCUS_SESSION):
        repository = FocusSessionRepository(session)
        for session_view in await repository.views_of(org, auth.user_id, list(versions)):
            work = SyncFocusSession.of_view(session_view, auth)
            answer.focus_sessions.append(_versioned(work, versions))
    if versions := wanted.get(kinds.CUSTOMER_FOCUS):
        for focus, user, client in await FocusRepository(session).with_people_of(
            org, list(versions)
        ):
            base = FocusRead.of(focus, user, client)
            board = SyncCustomerFocus(id=focus.id, **dict(base))
            answer.customer_focus.append(_versioned(board, versions))
    return answer


def _versioned(item: Versioned, versions: dict[int, int]) -> Versioned:
    item.version = versions[item.id]
    return item
