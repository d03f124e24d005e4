"""Team use cases: list, change a member's role, remove, leave; invitations end to end.

An invitation token is `inv_` + 40 random characters. Only its SHA-256 is stored; the
plaintext exists once, in the (encrypted) invitation email. Acceptance is one conditional
UPDATE (`accepted_at IS NULL`), so of concurrent acceptances exactly one wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.account import service as account_service
from clocktower.account import sessions
from clocktower.account.service import ClientInfo, normalize_email
from clocktower.audit.recorder import record_event
from clocktower.auth.context import AuthContext
from clocktower.client.repository import ClientRepository
from clocktower.config import Settings
from clocktower.email.service import queue_email
from clocktower.errors import InvalidReference, ValidationFailed
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.time import utcnow
from clocktower.kit.tokens import random_token, sha256_hex
from clocktower.models import Invitation, Membership, Organization, Role, User
from clocktower.organization.errors import MemberNotFound, OrganizationNotFound, OwnerOnly
from clocktower.organization.membership import (
    OWNER,
    remove_membership,
    resolve_roles,
    set_roles,
)
from clocktower.organization.repository import MembershipRepository, OrganizationRepository
from clocktower.organization.service import add_member
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
from clocktower.team.repository import InvitationByToken, InvitationRepository
from clocktower.team.schemas import InvitationAcceptance, InvitationCreate, MemberRoleUpdate

INVITATION_TOKEN_PREFIX = "inv_"
CUSTOMER = "customer"


# --- members -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    members: Page[Membership]
    pending_invitations: Sequence[Invitation]


async def list_team(session: AsyncSession, auth: AuthContext, params: PageParams) -> Team:
    """A page of members (users and roles loaded) and every pending invitation."""
    memberships = MembershipRepository(session)
    page = await memberships.paginate(memberships.listing(auth.org_id), params)
    pending = await InvitationRepository(session).pending(auth.org_id, utcnow())
    return Team(members=page, pending_invitations=pending)


async def _member(session: AsyncSession, auth: AuthContext, user_id: int) -> Membership:
    membership = await MembershipRepository(session).of_user(auth.org_id, user_id)
    if membership is None:
        raise MemberNotFound()
    return membership


def _is_customer_role(role: Role) -> bool:
    return role.is_builtin and role.moniker == CUSTOMER


async def update_member_role(
    session: AsyncSession, auth: AuthContext, user_id: int, data: MemberRoleUpdate
) -> Membership:
    """Replace the member's built-in role; custom roles stay (owner rules: membership.py)."""
    membership = await _member(session, auth, user_id)
    [role] = await resolve_roles(session, auth.org_id, [data.role], field="role")
    if _is_customer_role(role) and membership.client_id is None:
        raise ValidationFailed.field(
            "role", "A customer sees one client's data: invite them with that client_id"
        )
    kept = [r for r in membership.roles if not r.is_builtin and r.id != role.id]
    await set_roles(session, auth, membership, [role, *kept])
    if not _is_customer_role(role):
        # Client scoping belongs to the customer role; a colleague sees the whole team's data.
        membership.client_id = None
        await session.flush()
    return membership


async def remove_member(session: AsyncSession, auth: AuthContext, user_id: int) -> Membership:
    membership = await _member(session, auth, user_id)
    await remove_membership(session, auth, membership)
    return membership


async def leave_organization(session: AsyncSession, auth: AuthContext) -> Organization:
    """Anyone may leave; the last owner may not (they delete the organisation instead)."""
    organization = await OrganizationRepository(session).get(auth.org_id)
    if organization is None:
        raise OrganizationNotFound()
    await remove_membership(session, auth, await _member(session, auth, auth.user_id))
    return organization


# --- invitations ---------------------------------------------------------------------------


async def _check_grantable(
    session: AsyncSession, auth: AuthContext, role: Role, client_id: int | None
) -> None:
    if role.is_builtin and role.moniker == OWNER and OWNER not in auth.roles:
        raise OwnerOnly("Only an owner can invite an owner")
    if _is_customer_role(role) and client_id is None:
        raise ValidationFailed.field("client_id", "A customer invitation needs a client_id")
    if client_id is not None and not _is_customer_role(role):
        raise ValidationFailed.field("client_id", "client_id is only for the customer role")
    if client_id is not None:
        client = await ClientRepository(session).get(auth.org_id, client_id)
        if client is None:
            raise InvalidReference("client_id", "Client not found")


async def invite_member(
    session: AsyncSession, auth: AuthContext, data: InvitationCreate, *, settings: Settings
) -> Invitation:
    """An invitation with its email queued in the same transaction."""
    email = normalize_email(data.email)
    [role] = await resolve_roles(session, auth.org_id, [data.role], field="role")
    await _check_grantable(session, auth, role, data.client_id)
    # Two invitations of one email racing each other: the second waits, then sees the first.
    await OrganizationRepository(session).lock(auth.org_id)
    if await MembershipRepository(session).by_email(auth.org_id, email) is not None:
        raise AlreadyMember(f"{email} is already a member of this organisation")
    now = utcnow()
    invitations = InvitationRepository(session)
    if await invitations.live_for_email(auth.org_id, email, now) is not None:
        raise InvitationPending(
            f"{email} already has a pending invitation; re-send or revoke it instead"
        )
    raw = _new_token()
    invitation = Invitation(
        organization_id=auth.org_id,
        email=email,
        role_id=role.id,
        client_id=data.client_id,
        token_hash=sha256_hex(raw),
        invited_by_id=auth.user_id,
        created_at=now,
        last_sent_at=now,
        expires_at=now + timedelta(days=settings.invitation_ttl_days),
    )
    invitation.role = role
    session.add(invitation)
    await session.flush()
    await _send(session, settings, auth, invitation, raw)
    return invitation


async def _invitation(session: AsyncSession, auth: AuthContext, invitation_id: int) -> Invitation:
    invitation = await InvitationRepository(session).get_with_role(auth.org_id, invitation_id)
    if invitation is None:
        raise InvitationNotFound()
    if invitation.accepted_at is not None:
        raise InvitationAccepted("This invitation was already accepted")
    return invitation


async def resend_invitation(
    session: AsyncSession, auth: AuthContext, invitation_id: int, *, settings: Settings
) -> Invitation:
    """A new token and expiry (the old link stops working) and the email again."""
    invitation = await _invitation(session, auth, invitation_id)
    if invitation.revoked_at is not None:
        raise InvitationRevoked("This invitation was revoked; send a new one")
    await _check_grantable(session, auth, invitation.role, invitation.client_id)
    raw = _new_token()
    now = utcnow()
    invitation.token_hash = sha256_hex(raw)
    invitation.last_sent_at = now
    invitation.expires_at = now + timedelta(days=settings.invitation_ttl_days)
    await session.flush()
    await _send(session, settings, auth, invitation, raw)
    return invitation


async def revoke_invitation(
    session: AsyncSession, auth: AuthContext, invitation_id: int
) -> Invitation:
    """Its link stops working; revoking twice changes nothing."""
    invitation = await _invitation(session, auth, invitation_id)
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        await session.flush()
    return invitation


def _new_token() -> str:
    return INVITATION_TOKEN_PREFIX + random_token(40)


async def _send(
    session: AsyncSession,
    settings: Settings,
    auth: AuthContext,
    invitation: Invitation,
    raw_token: str,
) -> None:
    organization = await OrganizationRepository(session).get(invitation.organization_id)
    assert organization is not None  # the caller's own organisation
    link = f"{settings.base_url.rstrip('/')}/invitations/{raw_token}"
    body = (
        "Hello,\n\n"
        f"{auth.user.name} invited you to join {organization.name} on {settings.app_name} "
        f"as {invitation.role.title} ({invitation.role.moniker}).\n\n"
        f"Accept the invitation:\n\n{link}\n\n"
        f"The invitation expires on {invitation.expires_at:%Y-%m-%d %H:%M} UTC. "
        "If you did not expect it, ignore this email.\n"
    )
    await queue_email(
        session,
        settings,
        organization_id=organization.id,
        to=invitation.email,
        subject=f"You're invited to {organization.name} on {settings.app_name}",
        template="team_invitation",
        body=body,
    )


async def open_invitation(session: AsyncSession, raw_token: str) -> InvitationByToken:
    """The invitation behind a token: 404 unless pending, 410 once expired."""
    found = None
    if raw_token.startswith(INVITATION_TOKEN_PREFIX):
        found = await InvitationRepository(session).by_token_hash(sha256_hex(raw_token))
    if found is None:
        raise InvitationNotFound()
    invitation = found.invitation
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise InvitationNotFound()
    if invitation.expires_at <= utcnow():
        raise InvitationExpired("This invitation has expired; ask for a new one")
    return found


@dataclass(frozen=True)
class Acceptance:
    organization: Organization
    user: User
    # Only when the account was created by the acceptance.
    tokens: sessions.TokenPair | None


async def accept_invitation(
    session: AsyncSession,
    settings: Settings,
    raw_token: str,
    *,
    signed_in: AuthContext | None,
    data: InvitationAcceptance | None,
    client: ClientInfo,
) -> Acceptance:
    """Join as the invited role: signed in with the invited email, or as a new account."""
    found = await open_invitation(session, raw_token)
    invitation, organization = found.invitation, found.organization
    if signed_in is not None:
        user = _invited_user(signed_in, invitation)
    else:
        user = await _new_account(session, invitation, organization, data)
    now = utcnow()
    if not await InvitationRepository(session).mark_accepted(invitation.id, now):
        raise InvitationNotFound()  # accepted or revoked a moment ago
    try:
        async with session.begin_nested():
            await add_member(
                session, organization, user, invitation.role, client_id=invitation.client_id
            )
    except IntegrityError as error:
        raise AlreadyMember(f"You are already a member of {organization.name}") from error
    user.current_organization_id = organization.id
    await session.flush()
    await record_event(
        session,
        "invitation.accept",
        organization_id=organization.id,
        object_type="invitation",
        object_id=invitation.id,
        actor_user_id=user.id,
    )
    tokens = None
    if signed_in is None:
        tokens = await sessions.start_session(
            session, settings, user, user_agent=client.user_agent, ip_address=client.ip_address
        )
    return Acceptance(organization=organization, user=user, tokens=tokens)


def _invited_user(signed_in: AuthContext, invitation: Invitation) -> User:
    if signed_in.api_token_id is not None:
        raise SignInRequired("Accept an invitation signed in, not with an API token")
    if normalize_email(signed_in.user.email) != normalize_email(invitation.email):
        raise InvitationEmailMismatch(
            "This invitation is for another email address; sign in with that account"
        )
    return signed_in.user


async def _new_account(
    session: AsyncSession,
    invitation: Invitation,
    organization: Organization,
    data: InvitationAcceptance | None,
) -> User:
    if data is None:
        raise ValidationFailed(
            {field: ["Field required"] for field in ("name", "password", "password_confirmation")},
            message="Sign in, or send name and password to create your account",
        )
    return await account_service.create_user(
        session,
        name=data.name,
        email=invitation.email,
        password=data.password,
        timezone=organization.timezone,
        taken_message="An account with this email exists: sign in, then accept the invitation",
    )
