"""The query parameters that filter a list of time entries (seed 000 and 002), shared by
every route that lists them: the list itself and the export."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from clocktower.kit.ids import MAX_ID
from clocktower.time_entry.schemas import Instant, Source, day_or_instant
from clocktower.time_entry.service import EntryQuery

OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
_DAY_OR_INSTANT = "A day (2024-01-15, your time zone) or an instant (2024-01-15T09:00:00Z); "


async def entry_filters(
    project_id: OptionalId = None,
    task_id: OptionalId = None,
    client_id: OptionalId = None,
    user_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Another user's entries need time_entry.fetch.other"),
    ] = None,
    start_date: Annotated[
        str | None,
        Query(max_length=40, description=_DAY_OR_INSTANT + "entries starting then or later"),
    ] = None,
    end_date: Annotated[
        str | None,
        Query(max_length=40, description=_DAY_OR_INSTANT + "a day includes that whole day"),
    ] = None,
    billable: bool | None = None,
    paid: bool | None = None,
    source: Source | None = None,
    tag: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
    search: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    include_active: Annotated[bool, Query(description="Include running timers")] = False,
    updated_since: Annotated[
        Instant | None,
        Query(description="Entries changed after this instant (sync); naive is your time zone"),
    ] = None,
) -> EntryQuery:
    return EntryQuery(
        user_id=user_id,
        project_id=project_id,
        task_id=task_id,
        client_id=client_id,
        start_date=day_or_instant("start_date", start_date),
        end_date=day_or_instant("end_date", end_date),
        billable=billable,
        paid=paid,
        source=source,
        tag=tag,
        search=search,
        include_active=include_active,
        updated_since=updated_since,
    )


EntryFilters = Annotated[EntryQuery, Depends(entry_filters)]
