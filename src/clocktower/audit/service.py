"""Audit log use cases: read the organisation's log (rows are written by audit.recorder)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.audit.repository import AuditEntry, AuditFilters, AuditLogRepository
from clocktower.auth.context import AuthContext
from clocktower.errors import ValidationFailed
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.time import as_utc


async def list_audit_log(
    session: AsyncSession,
    auth: AuthContext,
    params: PageParams,
    *,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_user_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[AuditEntry]:
    """Newest first; `since` is inclusive, `until` exclusive, naive times are UTC."""
    since = as_utc(since) if since else None
    until = as_utc(until) if until else None
    if since is not None and until is not None and since >= until:
        raise ValidationFailed.field("until", "until must be later than since")
    filters = AuditFilters(
        action=action,
        object_type=object_type,
        object_id=object_id,
        actor_user_id=actor_user_id,
        since=since,
        until=until,
    )
    return await AuditLogRepository(session).page(auth.org_id, filters, params)
