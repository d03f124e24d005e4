"""First-run set-up: the installation's first account, created exactly once."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.account import service as account_service
from clocktower.account import sessions
from clocktower.account.schemas import RegisterRequest
from clocktower.config import Settings
from clocktower.errors import ValidationFailed
from clocktower.kit.time import is_valid_timezone
from clocktower.models import Organization, User
from clocktower.system import service as system_service
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
