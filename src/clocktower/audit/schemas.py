"""Audit log answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from clocktower.kit.pagination import PaginationRead
from clocktower.models import AuditLog


class AuditActorRead(BaseModel):
    id: int
    name: str


class AuditEntryRead(BaseModel):
    """Not field-gated: its `object_type` field would shadow GatedModel's gating key, and
    the whole log is readable only with `audit.fetch.many`."""

    id: int
    action: str
    object_type: str | None
    object_id: str | None
    changes: dict[str, Any] | None
    actor: AuditActorRead | None
    api_token_id: int | None
    ip_address: str | None
    user_agent: str | None
    request_id: str | None
    created_at: datetime

    @classmethod
    def of_row(cls, row: AuditLog, actor_name: str | None) -> AuditEntryRead:
        actor = (
            AuditActorRead(id=row.actor_user_id, name=actor_name)
            if row.actor_user_id is not None and actor_name is not None
            else None
        )
        return cls(
            id=row.id,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            changes=row.changes,
            actor=actor,
            api_token_id=row.api_token_id,
            ip_address=row.ip_address,
            user_agent=row.user_agent,
            request_id=row.request_id,
            created_at=row.created_at,
        )


class AuditLogList(BaseModel):
    audit_log: list[AuditEntryRead]
    pagination: PaginationRead
