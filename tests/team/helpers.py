"""Helpers of the organisation and team tests: extra memberships, API tokens, invitation links."""

from __future__ import annotations

import re

from sqlalchemy import select

from clocktower.config import Settings
from clocktower.email.service import decrypt_body
from clocktower.models import Membership, Organization, OutboundEmail, Role
from clocktower.organization.repository import RoleRepository
from clocktower.organization.service import add_member
from tests.support import Factory, Member

INVITATION_LINK = re.compile(r"/invitations/(inv_[A-Za-z0-9]+)")


async def join(
    factory: Factory, who: Member, organization: Organization, role: str = "member"
) -> Membership:
    """Make an existing user a member of another organisation (their current one stays)."""
    found = await RoleRepository(factory.session).by_moniker(organization.id, role)
    assert found is not None
    membership = await add_member(factory.session, organization, who.user, found)
    await factory.session.commit()
    return membership


async def custom_role(
    factory: Factory, organization: Organization, moniker: str, permissions: list[str]
) -> Role:
    role = Role(
        organization_id=organization.id,
        title=moniker.title(),
        moniker=moniker,
        permissions=permissions,
        is_builtin=False,
    )
    factory.session.add(role)
    await factory.session.commit()
    return role


async def sent_emails(factory: Factory, to: str) -> list[OutboundEmail]:
    result = await factory.session.execute(
        select(OutboundEmail)
        .where(OutboundEmail.to_address == to)
        .order_by(OutboundEmail.id)
        .execution_options(populate_existing=True)
    )
    return list(result.scalars())


async def invitation_token(factory: Factory, settings: Settings, to: str) -> str:
    """The token of the latest invitation email to `to`, read from its decrypted body."""
    emails = await sent_emails(factory, to)
    assert emails, f"no email to {to}"
    match = INVITATION_LINK.search(decrypt_body(settings, emails[-1]))
    assert match is not None
    return match.group(1)
