"""Team and invitations over HTTP: parse, authorise, call one service function.

`router` (/team) holds the organisation's side; `invitation_router` (/invitations) the
invited person's side, public: the token in the path is the credential.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from clocktower.account.errors import EmailTaken
from clocktower.account.schemas import Message, OrganizationSummary, UserSummary
from clocktower.account.service import ClientInfo
from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import (
    PublicRateLimit,
    authenticate,
    authorized,
    client_ip,
    primary_role,
)
from clocktower.db import DbSession
from clocktower.errors import InvalidReference, Unauthorized, error_responses
from clocktower.idempotency import Idempotent
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.models import Invitation, Membership
from clocktower.organization.errors import LastOwner, MemberNotFound, OwnerOnly
from clocktower.routing import AppRoute
from clocktower.team import service as team_service
from clocktower.team.errors import (
    AlreadyMember,
    InvitationAccepted,
    InvitationEmailMismatch,
    InvitationExpired,
    InvitationNotFound,
    InvitationPending,
    InvitationRevoked,
    SignInRequired,
)
from clocktower.team.schemas import (
    MAX_ID,
    InvitationAcceptance,
    InvitationAcceptedAnswer,
    InvitationCreate,
    InvitationDetails,
    InvitationDetailsAnswer,
    InvitationRead,
    InvitationSent,
    MemberRoleRead,
    MemberRoleUpdate,
    MemberRoleUpdated,
    PendingInvitationRead,
    TeamList,
    TeamMemberRead,
)

router = APIRouter(prefix="/team", tags=["team"], route_class=AppRoute)
invitation_router = APIRouter(prefix="/invitations", tags=["invitations"], route_class=AppRoute)

TeamRead = Annotated[AuthContext, authorized("team.fetch.many")]
TeamInvite = Annotated[AuthContext, authorized("team.invite")]
TeamUpdate = Annotated[AuthContext, authorized("team.update")]
TeamRemove = Annotated[AuthContext, authorized("team.remove")]
# Leaving needs no team permission: every member of the organisation may leave it.
TeamLeave = Annotated[AuthContext, authorized("organization.fetch")]

# Ids past BIGINT would reach the database as an overflow error; refuse them as input.
UserId = Annotated[int, Path(ge=1, le=MAX_ID)]
InvitationId = Annotated[int, Path(ge=1, le=MAX_ID)]
InvitationToken = Annotated[str, Path(min_length=1, max_length=100)]
PublicInvitationLimit = Depends(PublicRateLimit("invitations"))


def _monikers(membership: Membership) -> list[str]:
    return [role.moniker for role in membership.roles]


def _member_read(membership: Membership, auth: AuthContext) -> TeamMemberRead:
    monikers = _monikers(membership)
    return TeamMemberRead.of(
        {
            "id": membership.user_id,
            "name": membership.user.name,
            "email": membership.user.email,
            "role": primary_role(monikers),
            "roles": monikers,
            "joined_at": membership.joined_at,
        },
        auth,
    )


def _invitation_read(invitation: Invitation, auth: AuthContext) -> InvitationRead:
    return InvitationRead.of(
        {
            "id": invitation.id,
            "email": invitation.email,
            "role": invitation.role.moniker,
            "expires_at": invitation.expires_at,
        },
        auth,
    )


@router.get("")
async def list_team(auth: TeamRead, session: DbSession, pagination: Pagination) -> TeamList:
    """Members (paginated) and pending invitations (seed 003)."""
    team = await team_service.list_team(session, auth, pagination)
    return TeamList(
        members=[_member_read(membership, auth) for membership in team.members.items],
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
            for invitation in team.pending_invitations
        ],
        pagination=PaginationRead.of(team.members),
    )


@router.post(
    "/invite",
    status_code=201,
    responses=error_responses(AlreadyMember, InvitationPending, OwnerOnly, InvalidReference),
)
async def invite_member(
    data: InvitationCreate, request: Request, auth: TeamInvite, session: DbSession, _key: Idempotent
) -> InvitationSent:
    """Invite someone by email; the link in the email is valid for a week."""
    invitation = await team_service.invite_member(
        session, auth, data, settings=request.app.state.settings
    )
    return InvitationSent(
        message=f"Invitation sent to {invitation.email}",
        invitation=_invitation_read(invitation, auth),
    )


@router.post(
    "/invitations/{invitation_id}/resend",
    responses=error_responses(
        InvitationNotFound, InvitationAccepted, InvitationRevoked, OwnerOnly, InvalidReference
    ),
)
async def resend_invitation(
    invitation_id: InvitationId, request: Request, auth: TeamInvite, session: DbSession
) -> InvitationSent:
    """A new link and a new expiry; the old link stops working."""
    invitation = await team_service.resend_invitation(
        session, auth, invitation_id, settings=request.app.state.settings
    )
    return InvitationSent(
        message=f"Invitation re-sent to {invitation.email}",
        invitation=_invitation_read(invitation, auth),
    )


@router.delete(
    "/invitations/{invitation_id}",
    responses=error_responses(InvitationNotFound, InvitationAccepted),
)
async def revoke_invitation(
    invitation_id: InvitationId, auth: TeamInvite, session: DbSession
) -> Message:
    invitation = await team_service.revoke_invitation(session, auth, invitation_id)
    return Message(message=f"Invitation for {invitation.email} revoked")


@router.post("/leave", responses=error_responses(LastOwner))
async def leave_organization(auth: TeamLeave, session: DbSession) -> Message:
    """Leave the current organisation (any member; the last owner cannot)."""
    organization = await team_service.leave_organization(session, auth)
    return Message(message=f"You left {organization.name}")


@router.put(
    "/{user_id}",
    responses=error_responses(MemberNotFound, OwnerOnly, LastOwner, InvalidReference),
)
async def update_member_role(
    user_id: UserId, data: MemberRoleUpdate, auth: TeamUpdate, session: DbSession
) -> MemberRoleUpdated:
    """Replace the member's built-in role (seed 003); their custom roles stay."""
    membership = await team_service.update_member_role(session, auth, user_id, data)
    return MemberRoleUpdated(
        message="Role updated",
        user=MemberRoleRead.of(
            {
                "id": membership.user_id,
                "name": membership.user.name,
                "role": primary_role(_monikers(membership)),
            },
            auth,
        ),
    )


@router.delete("/{user_id}", responses=error_responses(MemberNotFound, OwnerOnly, LastOwner))
async def remove_member(user_id: UserId, auth: TeamRemove, session: DbSession) -> Message:
    """Remove a member: their roles and their API tokens here go with them."""
    membership = await team_service.remove_member(session, auth, user_id)
    return Message(message=f"{membership.user.name} removed from the team")


# --- the invited person's side (public) ----------------------------------------------------


@invitation_router.get(
    "/{token}",
    dependencies=[PublicInvitationLimit],
    responses=error_responses(InvitationNotFound, InvitationExpired),
)
async def get_invitation(token: InvitationToken, session: DbSession) -> InvitationDetailsAnswer:
    """What an invitation link offers: which organisation, which role, from whom."""
    found = await team_service.open_invitation(session, token)
    return InvitationDetailsAnswer(
        invitation=InvitationDetails(
            organization=OrganizationSummary.model_validate(found.organization),
            email=found.invitation.email,
            role=found.invitation.role.moniker,
            expires_at=found.invitation.expires_at,
            invited_by=found.invited_by,
        )
    )


@invitation_router.post(
    "/{token}/accept",
    dependencies=[PublicInvitationLimit],
    response_model_exclude_none=True,
    responses=error_responses(
        InvitationNotFound,
        InvitationExpired,
        InvitationEmailMismatch,
        SignInRequired,
        AlreadyMember,
        EmailTaken,
        Unauthorized,
    ),
)
async def accept_invitation(
    token: InvitationToken,
    request: Request,
    session: DbSession,
    data: InvitationAcceptance | None = None,
) -> InvitationAcceptedAnswer:
    """Join the organisation: signed in (Authorization: Bearer) with the invited email, or
    without a sign-in by sending name and password to create the account (signed in after).
    """
    signed_in = (
        await authenticate(request, session) if request.headers.get("authorization") else None
    )
    acceptance = await team_service.accept_invitation(
        session,
        request.app.state.settings,
        token,
        signed_in=signed_in,
        data=data,
        client=ClientInfo(
            user_agent=(request.headers.get("user-agent") or "")[:500] or None,
            ip_address=client_ip(request),
        ),
    )
    tokens = acceptance.tokens
    return InvitationAcceptedAnswer(
        message=f"Welcome to {acceptance.organization.name}",
        organization=OrganizationSummary.model_validate(acceptance.organization),
        user=UserSummary.of(acceptance.user, None),
        token=tokens.access_token if tokens else None,
        refresh_token=tokens.refresh_token if tokens else None,
        token_type="Bearer" if tokens else None,
        expires_in=tokens.expires_in if tokens else None,
    )
