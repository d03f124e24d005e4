"""A user's preferences (seed 003): time zone, work week, work hours and display choices."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.account.schemas import DisplayPreferences, PreferencesRead, PreferencesUpdate
from clocktower.auth.context import AuthContext
from clocktower.errors import ValidationFailed
from clocktower.models import User


def display_preferences(stored: dict[str, Any] | None) -> DisplayPreferences:
    """The stored choices over the defaults; a value no longer valid falls back to its default."""
    valid: dict[str, Any] = {}
    for key, value in (stored or {}).items():
        if key not in DisplayPreferences.model_fields:
            continue
        try:
            DisplayPreferences.model_validate({key: value})
        except ValidationError:
            continue
        valid[key] = value
    return DisplayPreferences.model_validate(valid)


def preferences_of(user: User) -> PreferencesRead:
    return PreferencesRead(
        timezone=user.timezone,
        work_days=list(user.work_days),
        work_hours_start=user.work_hours_start,
        work_hours_end=user.work_hours_end,
        preferences=display_preferences(user.preferences),
    )


async def update_preferences(
    session: AsyncSession, auth: AuthContext, data: PreferencesUpdate
) -> User:
    """PUT /preferences: only what is sent changes; display choices merge key by key."""
    user = auth.user
    changes = data.model_dump(exclude_unset=True)
    start = changes.get("work_hours_start", user.work_hours_start)
    end = changes.get("work_hours_end", user.work_hours_end)
    # "HH:MM" strings compare in time order.
    if start >= end:
        field = "work_hours_end" if "work_hours_end" in changes else "work_hours_start"
        raise ValidationFailed.field(field, "work_hours_start must be before work_hours_end")
    display = changes.pop("preferences", None)
    for field, value in changes.items():
        setattr(user, field, value)
    if display:
        # A new dict, so the JSON column is seen as changed; unknown stored keys are kept.
        user.preferences = {**(user.preferences or {}), **display}
    await session.flush()
    return user
