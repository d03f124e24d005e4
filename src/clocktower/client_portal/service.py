"""A client's projects and customer users, through the project, team and organisation rules.

Nothing here decides what a project or an invitation is: it checks the client in the path
(visible to the caller, so another organisation's or another customer's client is a 404) and
hands the request to the service that owns the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.account.service import normalize_email
from clocktower.auth.context import AuthContext
from clocktower.client.errors import ClientNotFound
from clocktower.client.repository import ClientRepository
from clocktower.client_portal.repository import (
    CUSTOMER,
    ClientInvitationRepository,
    CustomerRepository,
)
from clocktower.client_portal.schemas import ClientProjectCreate, CustomerInvite
from clocktower.config import Settings
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.time import utcnow
from clocktower.models import Client, Invitation, Membership
from clocktower.organization.errors import MemberNotFound
from clocktower.organization.membership import remove_membership
from clocktower.project import service as project_service
from clocktower.project.repository import ProjectWithClient
from clocktower.team import service as team_service
from clocktower.team.errors import InvitationNotFound
from clocktower.team.schemas import InvitationCreate


async def _client(session: AsyncSession, auth: AuthContext, client_id: int) -> Client:
    client = await ClientRepository(session).get_visible(auth.org_id, auth.client_id, client_id)
    if client is None:
        raise ClientNotFound()
    return client


# --- projects (seed 000 pillars) -----------------------------------------------------------


async def list_client_projects(
    session: AsyncSession, auth: AuthContext, client_id: int, params: PageParams
) -> Page[ProjectWithClient]:
    await _client(session, auth, client_id)
    return await project_service.list_projects(session, auth, params, client_id=client_id)


async def create_client_project(
    session: AsyncSession, auth: AuthContext, client_id: int, data: ClientProjectCreate
) -> ProjectWithClient:
    client = await _client(session, auth, client_id)
    return await project_service.create_project(
        session, auth, data.model_copy(update={"client_id": client.id})
    )


# --- customer users ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientUsers:
    users: Page[Membership]
    pending_invitations: Sequence[Invitation]


async def list_customers(
    session: AsyncSession, auth: AuthContext, client_id: int, params: PageParams
) -> ClientUsers:
    await _client(session, auth, client_id)
    customers = CustomerRepository(session)
    page = await customers.paginate(customers.of_client(auth.org_id, client_id), params)
    pending = await ClientInvitationRepository(session).pending_of_client(
        auth.org_id, client_id, utcnow()
    )
    return ClientUsers(users=page, pending_invitations=pending)


async def invite_customer(
    session: AsyncSession,
    auth: AuthContext,
    client_id: int,
    data: CustomerInvite,
    *,
    settings: Settings,
) -> Invitation:
    client = await _client(session, auth, client_id)
    invitation = InvitationCreate(email=data.email, role=CUSTOMER, client_id=client.id)
    return await team_service.invite_member(session, auth, invitation, settings=settings)


async def resend_customer_invitation(
    session: AsyncSession,
    auth: AuthContext,
    client_id: int,
    data: CustomerInvite,
    *,
    settings: Settings,
) -> Invitation:
    """The email's live invitation to this client, sent again (a new link and expiry)."""
    client = await _client(session, auth, client_id)
    live = await ClientInvitationRepository(session).live_for_email(
        auth.org_id, normalize_email(data.email), utcnow()
    )
    if live is None or live.client_id != client.id:
        raise InvitationNotFound()
    return await team_service.resend_invitation(session, auth, live.id, settings=settings)


async def remove_customer(
    session: AsyncSession, auth: AuthContext, client_id: int, user_id: int
) -> Membership:
    client = await _client(session, auth, client_id)
    membership = await CustomerRepository(session).customer_of_client(
        auth.org_id, client.id, user_id
    )
    if membership is None:
        raise MemberNotFound()
    await remove_membership(session, auth, membership)
    return membership
