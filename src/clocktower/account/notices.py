"""Security notices: the account's owner hears of every credential change."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.config import Settings
from clocktower.email.service import queue_email
from clocktower.models import User


async def notify_security_change(
    session: AsyncSession, settings: Settings, user: User, *, what: str, to: str | None = None
) -> None:
    """Tell the account's owner that a credential changed, so a takeover does not go unseen."""
    await queue_email(
        session,
        settings,
        organization_id=None,
        to=to or user.email,
        subject=f"Your {settings.app_name} {what} was changed",
        template="security_notice",
        body=(
            f"Hello {user.name},\n\n"
            f"The {what} of your {settings.app_name} account was just changed. "
            "If this was you, there is nothing to do.\n\n"
            "If it was not you, reset your password at once from the sign-in page and tell "
            "your organisation's administrator.\n"
        ),
    )
