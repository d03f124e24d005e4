"""A client's projects and customer users over HTTP (seed 000 pillars and customer users).

Full paths, no prefix: the routes live under /clients/{client_id} next to the client routes.
A pillar's PUT and DELETE are /projects/{project_id} (the project router).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request

from clocktower.account.schemas import Message
from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.client.errors import ClientNotFound
from clocktower.client_portal import service
from clocktower.client_portal.schemas import (
    ClientProjectCreate,
    CustomerInvite,
    CustomerUserList,
    CustomerUserRead,
)
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.idempotency import Idempotent
from clocktower.kit.ids import IdPath
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.models import Invitation
from clocktower.organization.errors import LastOwner, MemberNotFound, OwnerOnly
from clocktower.project.errors import ProjectNameTaken
from clocktower.project.schemas import ProjectCreated, ProjectList, ProjectRead
from clocktower.routing import AppRoute
from clocktower.team.errors import (
    AlreadyMember,
    InvitationAccepted,
    InvitationNotFound,
    InvitationPending,
    InvitationRevoked,
)
from clocktower.team.schemas import InvitationRead, InvitationSent, PendingInvitationRead

router = APIRouter(tags=["client portal"], route_class=AppRoute)

BASE = "/clients/{client_id}"

ProjectsList = Annotated[AuthContext, authorized("project.fetch.many")]
ProjectsCreate = Annotated[AuthContext, authorized("project.create")]
TeamRead = Annotated[AuthContext, authorized("team.fetch.many")]
TeamInvite = Annotated[AuthContext, authorized("team.invite")]
TeamRemove = Annotated[AuthContext, authorized("team.remove")]


def _invitation_sent(message: str, invitation: Invitation, auth: AuthContext) -> InvitationSent:
    return InvitationSent(
        message=message,
        invitation=InvitationRead.of(
            {
                "id": invitation.id,
                "email": invitation.email,
                "role": invitation.role.moniker,
                "expires_at": invitation.expires_at,
            },
            auth,
        ),
    )


@router.get(f"{BASE}/projects", responses=error_responses(ClientNotFound))
async def list_client_projects(
    client_id: IdPath, auth: ProjectsList, session: DbSession, pagination: Pagination
) -> ProjectList:
    """The client's projects (seed 000 pillars), as GET /projects?client_id= lists them."""
    page = await service.list_client_projects(session, auth, client_id, pagination)
    return ProjectList(
        projects=[ProjectRead.of_project(row.project, row.client, auth) for row in page.items],
        pagination=PaginationRead.of(page),
    )


@router.post(
    f"{BASE}/projects",
    status_code=201,
    responses=error_responses(ClientNotFound, ProjectNameTaken),
)
async def create_client_project(
    client_id: IdPath,
    data: ClientProjectCreate,
    auth: ProjectsCreate,
    session: DbSession,
    _claim: Idempotent,
) -> ProjectCreated:
    """POST /projects for this client (seed 000: create pillar)."""
    created = await service.create_client_project(session, auth, client_id, data)
    return ProjectCreated(
        message="Project created",
        project=ProjectRead.of_project(created.project, created.client, auth),
    )


@router.get(f"{BASE}/users", responses=error_responses(ClientNotFound))
async def list_customer_users(
    client_id: IdPath, auth: TeamRead, session: DbSession, pagination: Pagination
) -> CustomerUserList:
    """The client's customer members (paginated) and their pending invitations."""
    found = await service.list_customers(session, auth, client_id, pagination)
    return CustomerUserList(
        users=[
            CustomerUserRead.of(
                {
                    "id": membership.user_id,
                    "name": membership.user.name,
                    "email": membership.user.email,
                    "joined_at": membership.joined_at,
                },
                auth,
            )
            for membership in found.users.items
        ],
        pending_invitations=[
            PendingInvitationRead.of(
                {
                    "id": invitation.id,
                    "email": invitation.email,
                    "role": invitation.role.moniker,
                    "invited_at": invitation.created_at,
                    "expires_at": invitation.expires_at,
                },
                auth,
            )
            for invitation in found.pending_invitations
        ],
        pagination=PaginationRead.of(found.users),
    )


@router.post(
    f"{BASE}/users/invite",
    status_code=201,
    responses=error_responses(ClientNotFound, AlreadyMember, InvitationPending),
)
async def invite_customer_user(
    client_id: IdPath,
    data: CustomerInvite,
    request: Request,
    auth: TeamInvite,
    session: DbSession,
    _key: Idempotent,
) -> InvitationSent:
    """Invite someone to this client's portal: the built-in customer role, this client."""
    invitation = await service.invite_customer(
        session, auth, client_id, data, settings=request.app.state.settings
    )
    return _invitation_sent(f"Invitation sent to {invitation.email}", invitation, auth)


@router.post(
    f"{BASE}/users/resend-invite",
    responses=error_responses(
        ClientNotFound, InvitationNotFound, InvitationAccepted, InvitationRevoked
    ),
)
async def resend_customer_invite(
    client_id: IdPath, data: CustomerInvite, request: Request, auth: TeamInvite, session: DbSession
) -> InvitationSent:
    """Send the email's live invitation to this client again; the old link stops working."""
    invitation = await service.resend_customer_invitation(
        session, auth, client_id, data, settings=request.app.state.settings
    )
    return _invitation_sent(f"Invitation re-sent to {invitation.email}", invitation, auth)


@router.delete(
    f"{BASE}/users/{{user_id}}",
    responses=error_responses(ClientNotFound, MemberNotFound, OwnerOnly, LastOwner),
)
async def remove_customer_user(
    client_id: IdPath, user_id: IdPath, auth: TeamRemove, session: DbSession
) -> Message:
    """Remove a customer member of this client from the organisation."""
    membership = await service.remove_customer(session, auth, client_id, user_id)
    return Message(message=f"{membership.user.name} removed")
