"""Queries of focus sessions; each starts from the organisation-scoped statement.

A work session's time entry rides along in the same statement (an outer join), so a page
is two statements whatever its size and the entry's start, duration, note and task are
what the answer shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func

from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.repository import TenantRepository
from clocktower.models import FocusSession, TimeEntry


@dataclass(frozen=True)
class SessionView:
    """A session and its time entry (work sessions only). The entry is the truth for what
    they share: it may have been edited through /time-entries."""

    focus: FocusSession
    entry: TimeEntry | None

    @property
    def start_at(self) -> datetime:
        return self.entry.start_at if self.entry is not None else self.focus.start_at

    @property
    def duration_seconds(self) -> int:
        if self.entry is not None and self.entry.duration_seconds is not None:
            return self.entry.duration_seconds
        return self.focus.duration_seconds

    @property
    def note(self) -> str | None:
        return self.entry.notes if self.entry is not None else self.focus.note

    @property
    def task_id(self) -> int | None:
        return self.entry.task_id if self.entry is not None else self.focus.task_id

    @property
    def edited(self) -> bool:
        """Edited through PUT /sessions, or its entry changed through /time-entries."""
        focus = self.focus
        return focus.edited or (
            self.entry is not None
            and (
                self.start_at != focus.start_at
                or self.duration_seconds != focus.duration_seconds
                or self.note != focus.note
                or self.task_id != focus.task_id
            )
        )

    @property
    def last_updated(self) -> datetime:
        if self.entry is not None and self.entry.updated_at > self.focus.updated_at:
            return self.entry.updated_at
        return self.focus.updated_at


@dataclass(frozen=True)
class SessionFilters:
    """`user_id` None: every user's sessions (callers decide who may ask). Instants are
    UTC; `start_from` inclusive, `start_before` exclusive (seed 001)."""

    user_id: int | None = None
    start_from: datetime | None = None
    start_before: datetime | None = None


def _start() -> Any:
    # A work session starts when its entry does.
    return func.coalesce(TimeEntry.start_at, FocusSession.start_at)


class FocusSessionRepository(TenantRepository[FocusSession]):
    model = FocusSession

    def _joined(self, organization_id: int) -> Select[Any]:
        return self.in_organization(organization_id).outerjoin(
            TimeEntry,
            (TimeEntry.id == FocusSession.time_entry_id)
            & (TimeEntry.organization_id == organization_id),
        )

    def _filtered(self, organization_id: int, filters: SessionFilters) -> Select[Any]:
        statement = self._joined(organization_id)
        if filters.user_id is not None:
            statement = statement.where(FocusSession.user_id == filters.user_id)
        if filters.start_from is not None:
            statement = statement.where(_start() >= filters.start_from)
        if filters.start_before is not None:
            statement = statement.where(_start() < filters.start_before)
        return statement

    async def page(
        self, organization_id: int, filters: SessionFilters, params: PageParams
    ) -> Page[SessionView]:
        """Oldest first; the count and the page (with entries), whatever the page size."""
        statement = self._filtered(organization_id, filters)
        total = await self.count(statement)
        result = await self.session.execute(
            statement.add_columns(TimeEntry)
            .order_by(_start(), FocusSession.id)
            .limit(params.per_page)
            .offset(params.offset)
        )
        items = [SessionView(focus, entry) for focus, entry in result.all()]
        return Page(items=items, total=total, params=params)

    async def views_of(
        self, organization_id: int, user_id: int, ids: Sequence[int]
    ) -> list[SessionView]:
        """These sessions of the user, with their entries, one statement (delta sync)."""
        result = await self.session.execute(
            self._filtered(organization_id, SessionFilters(user_id=user_id))
            .add_columns(TimeEntry)
            .where(FocusSession.id.in_(ids))
        )
        return [SessionView(focus, entry) for focus, entry in result.all()]

    async def view(
        self, organization_id: int, session_id: int, *, user_id: int | None
    ) -> SessionView | None:
        """One session with its entry; `user_id` narrows to that user's sessions."""
        result = await self.session.execute(
            self._filtered(organization_id, SessionFilters(user_id=user_id))
            .add_columns(TimeEntry)
            .where(FocusSession.id == session_id)
        )
        row = result.first()
        return None if row is None else SessionView(row[0], row[1])
