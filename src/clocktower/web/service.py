"""The pages' use cases: first-run set-up (the first account, created exactly once) and
accepting an invitation as a new account. Every rule stays in the domain services; this
module only adapts them to a page that never shows a token.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.account import service as account_service
from clocktower.account import sessions
from clocktower.account.schemas import RegisterRequest
from clocktower.account.service import email_taken
from clocktower.config import Settings
from clocktower.errors import ValidationFailed
from clocktower.kit.time import is_valid_timezone
from clocktower.models import Organization, User
from clocktower.system import service as system_service
from clocktower.team import service as team_service
from clocktower.team.repository import InvitationByToken
from clocktower.team.schemas import InvitationAcceptance
from clocktower.web.errors import SetupAlreadyDone


async def setup_required(session: AsyncSession) -> bool:
    return await system_service.setup_required(session)


async def complete_setup(
    session: AsyncSession,
    settings: Settings,
    data: RegisterRequest,
    client: account_service.ClientInfo,
) -> tuple[User, Organization]:
    """Create the first account (its user operates the instance) and its organisation.

    Everything that can refuse is checked before anything is written.
    """
    await _queue_behind_other_setups(session)
    if not await system_service.setup_required(session):
        raise SetupAlreadyDone("This installation is already set up; sign in instead")
    if data.timezone is not None and not is_valid_timezone(data.timezone):
        raise ValidationFailed.field("timezone", "Unknown time zone")
    user, organization, pair = await account_service.register(session, settings, data, client)
    # The page never shows tokens, so the sign-in that registration opened would be a
    # credential nobody has seen: end it. The user signs in through the API.
    await sessions.revoke_session(session, pair.session_id, reason="setup")
    return user, organization


async def _queue_behind_other_setups(session: AsyncSession) -> None:
    """Two first-run forms posted at once must not both find "no account yet".

    On SQLite a POST's transaction already begins IMMEDIATE (one writer at a time). On
    PostgreSQL this table lock makes concurrent set-ups and registrations wait until
    this transaction ends; it is taken once per installation.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))


# --- invitations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenInvitation:
    found: InvitationByToken
    # The page cannot sign anyone in: an existing account accepts through the API.
    account_exists: bool


async def open_invitation(session: AsyncSession, raw_token: str) -> OpenInvitation:
    """The pending invitation behind a link (InvitationNotFound / InvitationExpired else)."""
    found = await team_service.open_invitation(session, raw_token)
    return OpenInvitation(
        found=found, account_exists=await email_taken(session, found.invitation.email)
    )


async def accept_invitation_as_new_account(
    session: AsyncSession,
    settings: Settings,
    raw_token: str,
    data: InvitationAcceptance,
    client: account_service.ClientInfo,
) -> team_service.Acceptance:
    """Create the invited account and its membership, exactly as the API does."""
    acceptance = await team_service.accept_invitation(
        session, settings, raw_token, signed_in=None, data=data, client=client
    )
    if acceptance.tokens is not None:
        # As for set-up: the page shows no tokens, so the sign-in the acceptance opened
        # would be a credential nobody has seen. The user signs in through the API.
        await sessions.revoke_session(
            session, acceptance.tokens.session_id, reason="invitation_page"
        )
    return acceptance
