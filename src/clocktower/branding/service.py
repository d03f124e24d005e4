"""The organisation's logo: stored after proving it is a real PNG or JPEG, printed on
invoices and quotes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.audit.recorder import record_event
from clocktower.auth.context import AuthContext
from clocktower.branding.errors import LogoNotFound, LogoTooLarge
from clocktower.branding.image import MAX_BYTES, LogoImage, check_logo
from clocktower.branding.repository import LogoRepository
from clocktower.kit.time import utcnow
from clocktower.models import OrganizationLogo


@dataclass(frozen=True)
class StoredLogo:
    image: LogoImage
    size: int
    updated_at: datetime


async def save_logo(session: AsyncSession, auth: AuthContext, content: bytes) -> StoredLogo:
    if len(content) > MAX_BYTES:
        raise LogoTooLarge(MAX_BYTES)
    # Decoding is CPU work: off the event loop.
    image = await asyncio.to_thread(check_logo, content)
    now = utcnow()
    await LogoRepository(session).put(
        auth.org_id, content_type=image.content_type, data=content, updated_at=now
    )
    # The logo table is not audited row by row (it holds bytes): one event says it changed.
    await record_event(
        session,
        "organization.logo_saved",
        organization_id=auth.org_id,
        object_type="organization",
        object_id=auth.org_id,
        details={"content_type": image.content_type, "size": len(content)},
    )
    return StoredLogo(image=image, size=len(content), updated_at=now)


async def get_logo(session: AsyncSession, organization_id: int) -> OrganizationLogo | None:
    return await LogoRepository(session).get(organization_id)


async def fetch_logo(session: AsyncSession, auth: AuthContext) -> OrganizationLogo:
    logo = await get_logo(session, auth.org_id)
    if logo is None:
        raise LogoNotFound()
    return logo


async def delete_logo(session: AsyncSession, auth: AuthContext) -> None:
    if not await LogoRepository(session).remove(auth.org_id):
        raise LogoNotFound()
    await record_event(
        session,
        "organization.logo_removed",
        organization_id=auth.org_id,
        object_type="organization",
        object_id=auth.org_id,
    )
