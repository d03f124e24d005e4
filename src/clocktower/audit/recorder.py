"""Writes one audit row per created, changed or deleted object, in the same transaction.

Installed once on SQLAlchemy's Session class, so no write path can forget it. Secret
columns (a model's `__secret_columns__`) appear only as "[redacted]".
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from clocktower.auth.dependencies import AuditActor
from clocktower.kit.time import utcnow
from clocktower.models import AuditLog, Base, Organization

REDACTED = "[redacted]"
_installed = False


def install() -> None:
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        _installed = True


def object_type_of(obj: object) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(obj).__name__).lower()


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return "[binary]"
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def _snapshot(obj: Base) -> dict[str, Any]:
    mapper = inspect(type(obj))
    secret = type(obj).__secret_columns__
    return {
        column.key: REDACTED if column.key in secret else _jsonable(getattr(obj, column.key))
        for column in mapper.column_attrs
    }


def _changes(obj: Base) -> dict[str, Any]:
    state = inspect(obj)
    secret = type(obj).__secret_columns__
    changed: dict[str, Any] = {}
    for attribute in state.mapper.column_attrs:
        history = state.attrs[attribute.key].history
        if not history.has_changes():
            continue
        if attribute.key in secret:
            changed[attribute.key] = REDACTED
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old != new:
            changed[attribute.key] = [_jsonable(old), _jsonable(new)]
    changed.pop("updated_at", None)
    return changed


def _organization_of(obj: Base, actor: AuditActor | None) -> int | None:
    if isinstance(obj, Organization):
        return obj.id
    organization_id = getattr(obj, "organization_id", None)
    if organization_id is not None:
        return int(organization_id)
    return actor.organization_id if actor else None


def _after_flush(session: Session, _flush_context: UOWTransaction) -> None:
    actor: AuditActor | None = session.info.get("audit_actor")
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for verb, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not isinstance(obj, Base) or not type(obj).__audited__:
                continue
            if verb == "create":
                changes = _snapshot(obj)
            elif verb == "update":
                if not session.is_modified(obj, include_collections=False):
                    continue
                changes = _changes(obj)
                if not changes:
                    continue
            else:
                changes = _snapshot(obj)
            rows.append(_row(obj, verb, changes, actor, now))
    if rows:
        session.connection().execute(insert(AuditLog), rows)


def _row(
    obj: Base, verb: str, changes: dict[str, Any], actor: AuditActor | None, now: datetime
) -> dict[str, Any]:
    state = inspect(obj)
    # New objects get their identity key only after after_flush; their primary key is set.
    identity = state.identity or state.mapper.primary_key_from_instance(obj)
    object_type = object_type_of(obj)
    return {
        "organization_id": _organization_of(obj, actor),
        "actor_user_id": actor.user_id if actor else None,
        "api_token_id": actor.api_token_id if actor else None,
        "action": f"{object_type}.{verb}",
        "object_type": object_type,
        "object_id": "/".join(str(part) for part in identity)
        if identity and None not in identity
        else None,
        "changes": changes,
        "ip_address": actor.ip_address if actor else None,
        "user_agent": actor.user_agent if actor else None,
        "request_id": actor.request_id if actor else None,
        "created_at": now,
    }


async def record_event(
    session: Any,
    action: str,
    *,
    organization_id: int | None,
    object_type: str | None = None,
    object_id: int | str | None = None,
    details: dict[str, Any] | None = None,
    actor_user_id: int | None = None,
) -> None:
    """An event that is not a row change: a secret read, a sign-in, a failed sign-in."""
    actor: AuditActor | None = session.info.get("audit_actor")
    session.add(
        AuditLog(
            organization_id=organization_id,
            actor_user_id=actor_user_id
            if actor_user_id is not None
            else (actor.user_id if actor else None),
            api_token_id=actor.api_token_id if actor else None,
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id is not None else None,
            changes=_jsonable(details) if details else None,
            ip_address=actor.ip_address if actor else None,
            user_agent=actor.user_agent if actor else None,
            request_id=actor.request_id if actor else None,
            created_at=utcnow(),
        )
    )
