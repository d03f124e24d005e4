"""Offline push (S6.2): changes an app made offline, applied with every rule of the API.

A push is one transaction; each change runs in a savepoint of its own, so a change that
fails is reported (`rejected`, with the error body its REST route would answer) and undone
while the others apply. Every change carries a `client_ref` UUID. Its result is stored in
`sync_pushes` in the same transaction, so pushing the same change again answers that
result and applies nothing: an app that lost an answer simply pushes again.

Conflict rule (DESIGN §6): an update or delete names the `version` it was made from; if
the object changed on the server after it, the server's version wins: nothing is applied
and the answer carries the server's object (or that it is gone). Edits of one push are
compared with the state before the push, so a push never conflicts with itself.

Changes go through the domains' own service functions (and the permission node of the
matching REST route), so webhooks, live events, bills and budget checks follow as they
do for the REST API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.changelog import kinds
from clocktower.changelog import recorder as changelog
from clocktower.changelog.repository import ChangeLogRepository, PushLogRepository
from clocktower.client import service as client_service
from clocktower.client.errors import ClientNotFound
from clocktower.client.schemas import ClientCreate, ClientUpdate
from clocktower.config import Settings
from clocktower.errors import AppError, InvalidReference, NotFound, ValidationFailed
from clocktower.focus_session import service as focus_service
from clocktower.focus_session.errors import FocusSessionNotFound
from clocktower.focus_session.schemas import FocusSessionWrite
from clocktower.models import FocusSession, SyncChange, SyncPush, TimeEntry
from clocktower.project import service as project_service
from clocktower.project.errors import ProjectNotFound
from clocktower.project.schemas import ProjectCreate, ProjectUpdate
from clocktower.sync.errors import SyncPushBusy
from clocktower.sync.schemas import PushAnswer, PushChange, PushRequest, PushResult, SyncAnswer
from clocktower.sync.service import load, require_internal
from clocktower.task import service as task_service
from clocktower.task.errors import TaskNotFound
from clocktower.task.schemas import TaskCreate, TaskUpdate
from clocktower.time_entry import service as entry_service
from clocktower.time_entry.errors import TimeEntryNotFound
from clocktower.time_entry.schemas import TimeEntryCreate, TimeEntryUpdate

APPLIED: Final = "applied"
CONFLICT: Final = "conflict"
REJECTED: Final = "rejected"
CLAIM_ATTEMPTS = 3

# The permission nodes of the REST route each change stands for. A project's DELETE
# archives (project.update); deleting one for good, as a pushed delete does, also needs
# project.delete.
NODES: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    (kinds.TIME_ENTRY, "create"): ("time_entry.create",),
    (kinds.TIME_ENTRY, "update"): ("time_entry.update",),
    (kinds.TIME_ENTRY, "delete"): ("time_entry.delete",),
    (kinds.FOCUS_SESSION, "create"): ("time_entry.create",),
    (kinds.FOCUS_SESSION, "update"): ("time_entry.update",),
    (kinds.FOCUS_SESSION, "delete"): ("time_entry.delete",),
    (kinds.TASK, "create"): ("task.create",),
    (kinds.TASK, "update"): ("task.update",),
    (kinds.TASK, "delete"): ("task.delete",),
    (kinds.PROJECT, "create"): ("project.create",),
    (kinds.PROJECT, "update"): ("project.update",),
    (kinds.PROJECT, "delete"): ("project.update", "project.delete"),
    (kinds.CLIENT, "create"): ("client.create",),
    (kinds.CLIENT, "update"): ("client.update",),
    (kinds.CLIENT, "delete"): ("client.delete",),
}

# The type of object each `refs` field names, and which fields each type takes.
REF_TYPES: Final = {"task_id": kinds.TASK, "project_id": kinds.PROJECT, "client_id": kinds.CLIENT}
REF_FIELDS: Final[dict[str, frozenset[str]]] = {
    kinds.TIME_ENTRY: frozenset({"task_id", "project_id", "client_id"}),
    kinds.FOCUS_SESSION: frozenset({"task_id", "project_id"}),
    kinds.TASK: frozenset({"project_id"}),
    kinds.PROJECT: frozenset({"client_id"}),
    kinds.CLIENT: frozenset(),
}
# A focus session names its task inside `task` (seed 001): where each ref goes there.
_SESSION_TASK_KEYS: Final = {"task_id": ("id",), "project_id": ("project_id", "projectId")}

_NOT_FOUND: Final[dict[str, Callable[[], NotFound]]] = {
    kinds.TIME_ENTRY: TimeEntryNotFound,
    kinds.FOCUS_SESSION: FocusSessionNotFound,
    kinds.TASK: TaskNotFound,
    kinds.PROJECT: ProjectNotFound,
    kinds.CLIENT: ClientNotFound,
}

Model = TypeVar("Model", bound=BaseModel)
Key = tuple[str, int]  # object type, id


@dataclass
class _Outcome:
    """What became of one change before versions and objects are known."""

    change: PushChange
    status: str
    id: int | None = None
    error: dict[str, Any] | None = None


@dataclass
class _Batch:
    session: AsyncSession
    auth: AuthContext
    settings: Settings
    # Results stored by earlier pushes (replays, refs), and this push's outcomes so far.
    stored: dict[str, dict[str, Any]]
    outcomes: dict[str, _Outcome] = field(default_factory=dict)
    # The version of each object this push read, before changing it.
    seen: dict[Key, int] = field(default_factory=dict)


async def push(
    session: AsyncSession, auth: AuthContext, request: PushRequest, *, settings: Settings
) -> PushAnswer:
    """Applies the changes in order (each applied, in conflict or rejected) and answers one
    result per change; a client_ref answered before answers the same again."""
    require_internal(auth)
    changes = request.changes
    wanted = [str(change.client_ref) for change in changes]
    wanted += [str(ref) for change in changes for ref in (change.refs or {}).values()]
    found = await PushLogRepository(session).of_refs(auth.org_id, auth.user_id, _unique(wanted))
    stored = {ref: row.result for ref, row in found.items()}
    claims = await _claim(session, auth, changes, stored)
    batch = _Batch(session, auth, settings, stored)
    for change in changes:
        ref = str(change.client_ref)
        if ref not in stored and ref not in batch.outcomes:
            batch.outcomes[ref] = await _apply_in_savepoint(batch, change)
    # Numbers this push's changes now instead of at commit: the answer carries them.
    assigned = await changelog.assign_now(session)
    results = await _results(batch, assigned)
    for ref, claim in claims.items():
        claim.result = results[ref]
        claim.object_id = results[ref]["id"]
    await session.flush()
    refs = [str(change.client_ref) for change in changes]
    answers = [stored[ref] if ref in stored else results[ref] for ref in refs]
    return PushAnswer(results=[PushResult.model_validate(answer) for answer in answers])


# --- one change ---------------------------------------------------------------------------


async def _apply_in_savepoint(batch: _Batch, change: PushChange) -> _Outcome:
    try:
        async with batch.session.begin_nested():
            return await _apply(batch, change)
    except AppError as error:
        # The savepoint is rolled back: nothing of the change stays, notes and jobs included.
        return _Outcome(change, REJECTED, id=change.id, error=error.body())


async def _apply(batch: _Batch, change: PushChange) -> _Outcome:
    session, auth, kind = batch.session, batch.auth, change.type
    auth.require(*NODES[(kind, change.op)])
    if change.op == "create":
        created = await _CREATE[kind](batch, _data(batch, change))
        return _Outcome(change, APPLIED, id=created)
    assert change.id is not None
    assert change.base_version is not None
    object_id = change.id
    # The log is numbered at the end of the push, so this is the version before it: an
    # object several changes of one push edit is compared with what the app saw.
    version, exists = await _lock(session, auth, kind, object_id)
    batch.seen[(kind, object_id)] = version
    if not exists:
        # Gone already: the client's delete holds; its update has nothing to change.
        return _Outcome(change, APPLIED if change.op == "delete" else CONFLICT, id=object_id)
    if version > change.base_version:
        return _Outcome(change, CONFLICT, id=object_id)
    if change.op == "update":
        await _UPDATE[kind](batch, object_id, _data(batch, change))
    else:
        await _DELETE[kind](batch, object_id)
    return _Outcome(change, APPLIED, id=object_id)


async def _lock(
    session: AsyncSession, auth: AuthContext, kind: str, object_id: int
) -> tuple[int, bool]:
    """The object's version and whether it still exists, read under the lock of its row
    (a writer that changed it before has committed its number by then). Objects the
    caller cannot sync (another organisation's, another user's entries) are not found."""
    logged = await ChangeLogRepository(session).latest(auth.org_id, kind, object_id)
    if logged is None or logged.user_id not in (None, auth.user_id):
        raise _NOT_FOUND[kind]()
    await session.flush()
    if kind == kinds.FOCUS_SESSION:
        # A work session changes with its entry: lock the entry first, as its writers do.
        focus = await session.get(FocusSession, object_id)
        if focus is not None and focus.time_entry_id is not None:
            await _for_update(session, TimeEntry, focus.time_entry_id)
    locked = await _for_update(session, kinds.MODEL_OF_KIND[kind], object_id)
    logged = await ChangeLogRepository(session).latest(auth.org_id, kind, object_id)
    version = logged.seq if logged is not None else 0
    return version, locked is not None and locked.organization_id == auth.org_id


async def _for_update(session: AsyncSession, model: type[Any], object_id: int) -> Any:
    return await session.get(model, object_id, with_for_update=True, populate_existing=True)


# --- data and refs ------------------------------------------------------------------------


def _data(batch: _Batch, change: PushChange) -> dict[str, Any]:
    """The change's body with the ids its `refs` name filled in."""
    data = dict(change.data or {})
    for name, ref in (change.refs or {}).items():
        if name not in REF_FIELDS[change.type]:
            raise ValidationFailed.field(
                f"refs.{name}", f"A {change.type.replace('_', ' ')} has no {name}"
            )
        object_id = _created_by(batch, name, str(ref))
        if change.type == kinds.FOCUS_SESSION:
            data["task"] = _in_session_task(data.get("task"), name, object_id)
        elif name in data:
            raise ValidationFailed.field(f"refs.{name}", f"Send {name} in data or refs, not both")
        else:
            data[name] = object_id
    return data


def _created_by(batch: _Batch, name: str, ref: str) -> int:
    """The id of the object an earlier create with this client_ref made (in this push,
    before this change, or in an earlier push of the same user)."""
    wanted = REF_TYPES[name]
    outcome = batch.outcomes.get(ref)
    made: tuple[Any, Any, Any, Any]
    if outcome is not None:
        made = (outcome.change.type, outcome.change.op, outcome.status, outcome.id)
    elif ref in batch.stored:
        result = batch.stored[ref]
        made = (result.get("type"), result.get("op"), result.get("status"), result.get("id"))
    else:
        made = (None, None, None, None)
    kind, op, status, object_id = made
    if kind != wanted or op != "create" or status != APPLIED or not isinstance(object_id, int):
        raise InvalidReference(
            f"refs.{name}",
            f"No {wanted.replace('_', ' ')} was created by a change with client_ref {ref}",
        )
    return object_id


def _in_session_task(task: Any, name: str, object_id: int) -> dict[str, Any]:
    if task is None:
        task = {}
    if not isinstance(task, dict):
        raise ValidationFailed.field("task", "task must be an object")
    keys = _SESSION_TASK_KEYS[name]
    if any(key in task for key in keys):
        raise ValidationFailed.field(
            f"refs.{name}", f"Send task.{keys[0]} in data or refs.{name}, not both"
        )
    return {**task, keys[0]: object_id}


def _validated(model: type[Model], data: dict[str, Any]) -> Model:
    """The data as the REST route's body model, or the 400 that route would answer."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors: dict[str, list[str]] = {}
        for problem in error.errors():
            name = ".".join(str(part) for part in problem["loc"]) or "body"
            message = "Unknown field" if problem["type"] == "extra_forbidden" else problem["msg"]
            errors.setdefault(name, []).append(message)
        raise ValidationFailed(errors) from None


# --- the domains' writers -----------------------------------------------------------------


async def _create_entry(batch: _Batch, data: dict[str, Any]) -> int:
    body = _validated(TimeEntryCreate, data)
    if body.user_id not in (None, batch.auth.user_id):
        # Sync hands out the caller's own time only: it pushes nobody else's.
        raise ValidationFailed.field("user_id", "Offline push writes your own time only")
    return (await entry_service.create_entry(batch.session, batch.auth, body)).entry.id


async def _update_entry(batch: _Batch, entry_id: int, data: dict[str, Any]) -> None:
    body = _validated(TimeEntryUpdate, data)
    await entry_service.update_entry(batch.session, batch.auth, entry_id, body)


async def _delete_entry(batch: _Batch, entry_id: int) -> None:
    await entry_service.delete_entry(batch.session, batch.auth, entry_id)


async def _create_session(batch: _Batch, data: dict[str, Any]) -> int:
    body = _validated(FocusSessionWrite, data)
    saved = await focus_service.create_session(batch.session, batch.auth, body)
    return saved.view.focus.id


async def _update_session(batch: _Batch, session_id: int, data: dict[str, Any]) -> None:
    body = _validated(FocusSessionWrite, data)
    await focus_service.update_session(batch.session, batch.auth, session_id, body)


async def _delete_session(batch: _Batch, session_id: int) -> None:
    await focus_service.delete_session(batch.session, batch.auth, session_id)


async def _create_task(batch: _Batch, data: dict[str, Any]) -> int:
    body = _validated(TaskCreate, data)
    return (await task_service.create_task(batch.session, batch.auth, body)).task.id


async def _update_task(batch: _Batch, task_id: int, data: dict[str, Any]) -> None:
    body = _validated(TaskUpdate, data)
    await task_service.update_task(batch.session, batch.auth, task_id, body)


async def _delete_task(batch: _Batch, task_id: int) -> None:
    await task_service.delete_task(batch.session, batch.auth, task_id)


async def _create_project(batch: _Batch, data: dict[str, Any]) -> int:
    body = _validated(ProjectCreate, data)
    return (await project_service.create_project(batch.session, batch.auth, body)).project.id


async def _update_project(batch: _Batch, project_id: int, data: dict[str, Any]) -> None:
    body = _validated(ProjectUpdate, data)
    await project_service.update_project(
        batch.session, batch.auth, project_id, body, settings=batch.settings
    )


async def _delete_project(batch: _Batch, project_id: int) -> None:
    await project_service.delete_project(batch.session, batch.auth, project_id)


async def _create_client(batch: _Batch, data: dict[str, Any]) -> int:
    body = _validated(ClientCreate, data)
    return (await client_service.create_client(batch.session, batch.auth, body)).client.id


async def _update_client(batch: _Batch, client_id: int, data: dict[str, Any]) -> None:
    body = _validated(ClientUpdate, data)
    await client_service.update_client(batch.session, batch.auth, client_id, body)


async def _delete_client(batch: _Batch, client_id: int) -> None:
    # A client with work recorded is archived instead (as DELETE /clients does).
    await client_service.delete_client(batch.session, batch.auth, client_id)


_CREATE: Final[dict[str, Callable[[_Batch, dict[str, Any]], Awaitable[int]]]] = {
    kinds.TIME_ENTRY: _create_entry,
    kinds.FOCUS_SESSION: _create_session,
    kinds.TASK: _create_task,
    kinds.PROJECT: _create_project,
    kinds.CLIENT: _create_client,
}
_UPDATE: Final[dict[str, Callable[[_Batch, int, dict[str, Any]], Awaitable[None]]]] = {
    kinds.TIME_ENTRY: _update_entry,
    kinds.FOCUS_SESSION: _update_session,
    kinds.TASK: _update_task,
    kinds.PROJECT: _update_project,
    kinds.CLIENT: _update_client,
}
_DELETE: Final[dict[str, Callable[[_Batch, int], Awaitable[None]]]] = {
    kinds.TIME_ENTRY: _delete_entry,
    kinds.FOCUS_SESSION: _delete_session,
    kinds.TASK: _delete_task,
    kinds.PROJECT: _delete_project,
    kinds.CLIENT: _delete_client,
}


# --- claims and results -------------------------------------------------------------------


async def _claim(
    session: AsyncSession,
    auth: AuthContext,
    changes: Sequence[PushChange],
    stored: dict[str, dict[str, Any]],
) -> dict[str, SyncPush]:
    """The push log rows of the new client_refs, inserted before anything is applied: a
    concurrent push of the same changes waits on the unique index and, once it commits,
    they are answered as replays instead."""
    first: dict[str, str] = {}
    for change in changes:
        first.setdefault(str(change.client_ref), change.type)
    repository = PushLogRepository(session)
    for _ in range(CLAIM_ATTEMPTS):
        claims = {
            ref: SyncPush(
                organization_id=auth.org_id,
                user_id=auth.user_id,
                client_ref=ref,
                object_type=kind,
                result={},
            )
            for ref, kind in first.items()
            if ref not in stored
        }
        try:
            async with session.begin_nested():
                session.add_all(claims.values())
                await session.flush()
        except IntegrityError:
            taken = await repository.of_refs(auth.org_id, auth.user_id, list(claims))
            stored.update({ref: row.result for ref, row in taken.items()})
            continue
        return claims
    raise SyncPushBusy()


async def _results(batch: _Batch, assigned: dict[Key, int]) -> dict[str, dict[str, Any]]:
    """Each outcome as its answer: the object's version and state after the whole push
    (as a pull would hand it out), or that it is gone."""
    versions: dict[Key, int] = {}
    for outcome in batch.outcomes.values():
        if outcome.status != REJECTED and outcome.id is not None:
            key = (outcome.change.type, outcome.id)
            versions[key] = assigned.get(key, batch.seen.get(key, 0))
    objects = _by_key(await load(batch.session, batch.auth, _synthetic(batch.auth, versions)))
    results: dict[str, dict[str, Any]] = {}
    for ref, outcome in batch.outcomes.items():
        change = outcome.change
        result: dict[str, Any] = {
            "client_ref": ref,
            "type": change.type,
            "op": change.op,
            "status": outcome.status,
            "id": outcome.id,
            "version": None,
            "deleted": False,
            "object": None,
            "error": outcome.error,
        }
        if outcome.status != REJECTED and outcome.id is not None:
            key = (change.type, outcome.id)
            found = objects.get(key)
            result.update(version=versions[key], deleted=found is None, object=found)
        results[ref] = PushResult.model_validate(result).model_dump(mode="json")
    return results


def _synthetic(auth: AuthContext, versions: dict[Key, int]) -> list[SyncChange]:
    """Change-log rows standing for the objects to load (never added to the session)."""
    return [
        SyncChange(
            organization_id=auth.org_id,
            object_type=kind,
            object_id=object_id,
            seq=version,
            deleted=False,
        )
        for (kind, object_id), version in versions.items()
    ]


def _by_key(answer: SyncAnswer) -> dict[Key, dict[str, Any]]:
    lists: list[tuple[str, Sequence[BaseModel]]] = [
        (kinds.CLIENT, answer.clients),
        (kinds.PROJECT, answer.projects),
        (kinds.TASK, answer.tasks),
        (kinds.TIME_ENTRY, answer.time_entries),
        (kinds.FOCUS_SESSION, answer.focus_sessions),
    ]
    objects: dict[Key, dict[str, Any]] = {}
    for kind, items in lists:
        for item in items:
            dumped = item.model_dump(mode="json")  # gated for the caller; `id` always kept
            objects[(kind, dumped["id"])] = dumped
    return objects


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
