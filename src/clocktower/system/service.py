"""System checks."""

from __future__ import annotations

from sqlalchemy import exists, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.models import User


async def setup_required(session: AsyncSession) -> bool:
    """True until the first account exists (the first-run page creates it)."""
    return not bool((await session.execute(select(exists().where(User.id.isnot(None))))).scalar())


async def database_answers(session: AsyncSession) -> bool:
    try:
        await session.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
