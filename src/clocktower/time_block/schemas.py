"""Time block requests and answers (seed 003 shapes: `data`, `meta`, `message`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
)

from clocktower.account.schemas import StrictModel
from clocktower.auth.context import AuthContext
from clocktower.auth.gating import GatedModel
from clocktower.kit.ids import IdField
from clocktower.kit.money import JsonNumber
from clocktower.kit.period import check_supported
from clocktower.kit.time import is_valid_timezone
from clocktower.kit.validation import non_nullable
from clocktower.time_block.repository import BlockRow
from clocktower.time_entry.schemas import NOTES_MAX

TITLE_MAX = 300
UNTITLED = "Untitled"

Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX)]
Description = Annotated[str, Field(max_length=NOTES_MAX)]
Color = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="#RRGGBB")]
Zone = Annotated[str, Field(max_length=64, description="IANA time zone, e.g. Europe/Amsterdam")]
When = Annotated[
    datetime,
    AfterValidator(check_supported),
    Field(
        description="ISO 8601; an offset or Z is honoured, a naive time is a wall-clock time "
        "in the block's time zone (the body's timezone, else the block's, else yours)"
    ),
]
# Output: always the numeric offset of the block's zone (2024-01-08T09:00:00+01:00, and
# +00:00 rather than Z), as seed 003 shows.
LocalTime = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]


def _known_zone(value: str | None) -> str | None:
    if value is not None and not is_valid_timezone(value):
        raise ValueError(f"{value!r} is not a known IANA time zone")
    return value


class TimeBlockCreate(StrictModel):
    """A block of tracked time on the calendar; it syncs to connected integrations."""

    title: Title
    description: Description | None = None
    start_time: When
    end_time: When
    client_id: IdField | None = None
    project_id: IdField | None = None
    task_id: IdField | None = None
    calendar_id: IdField | None = Field(
        None, description="No calendar exists until a calendar integration is connected"
    )
    is_billable: bool | None = Field(None, description="Defaults to the project's billable")
    color: Color | None = None
    timezone: Zone | None = Field(None, description="Defaults to your time zone")

    _zone = field_validator("timezone")(_known_zone)


class TimeBlockUpdate(StrictModel):
    """Only the fields sent change; null clears a nullable field."""

    title: Title | None = None
    description: Description | None = None
    start_time: When | None = None
    end_time: When | None = None
    client_id: IdField | None = None
    project_id: IdField | None = None
    task_id: IdField | None = None
    calendar_id: IdField | None = None
    is_billable: bool | None = None
    color: Color | None = None
    timezone: Zone | None = Field(None, description="null: shown in each reader's time zone")

    _not_null = non_nullable("title", "start_time", "end_time", "is_billable")
    _zone = field_validator("timezone")(_known_zone)


class BlockNamedRead(BaseModel):
    id: int
    name: str


class ExternalIdsRead(BaseModel):
    calendar_event_id: str | None
    invoicing_entry_id: str | None


def block_zone(row: BlockRow, reader_zone: str) -> str:
    """The block's own zone, else the reader's."""
    return row.entry.timezone or reader_zone


def block_title(row: BlockRow) -> str:
    """The entry's title, else its task's name, its project's, its notes' first line."""
    entry = row.entry
    first_line = (entry.notes or "").strip().split("\n", 1)[0].strip()
    return entry.title or row.task_name or row.project_name or first_line[:TITLE_MAX] or UNTITLED


def _local(value: datetime | None, zone: str) -> datetime | None:
    return None if value is None else value.astimezone(ZoneInfo(zone))


class TimeBlockRead(GatedModel):
    """A time entry as the calendar shows it. A running timer has end_time null."""

    object_type: ClassVar[str] = "time_block"

    id: int
    title: str
    description: str | None
    start_time: LocalTime
    end_time: LocalTime | None
    timezone: str
    color: str | None
    is_billable: bool
    client: BlockNamedRead | None
    project: BlockNamedRead | None
    user: BlockNamedRead
    calendar_sync_status: str | None = Field(
        description="pending, syncing, synced, failed, not_connected; null: never synced"
    )
    invoicing_sync_status: str | None
    external_ids: ExternalIdsRead

    @classmethod
    def of_row(cls, row: BlockRow, auth: AuthContext) -> TimeBlockRead:
        entry = row.entry
        zone = block_zone(row, auth.user.timezone)
        return cls.of(
            {
                "id": entry.id,
                "title": block_title(row),
                "description": entry.notes,
                "start_time": _local(entry.start_at, zone),
                "end_time": _local(entry.end_at, zone),
                "timezone": zone,
                "color": entry.color or row.project_color,
                "is_billable": entry.billable,
                "client": _named(entry.client_id, row.client_name),
                "project": _named(entry.project_id, row.project_name),
                "user": BlockNamedRead(id=entry.user_id, name=row.user_name),
                "calendar_sync_status": row.calendar.status if row.calendar else None,
                "invoicing_sync_status": row.invoicing.status if row.invoicing else None,
                "external_ids": ExternalIdsRead(
                    calendar_event_id=row.calendar.external_id if row.calendar else None,
                    invoicing_entry_id=row.invoicing.external_id if row.invoicing else None,
                ),
            },
            auth,
        )


def _named(object_id: int | None, name: str | None) -> BlockNamedRead | None:
    return None if object_id is None else BlockNamedRead(id=object_id, name=name or "")


class TimeBlockSummary(GatedModel):
    """What a write answers (seed 003): the block's times and its sync states."""

    object_type: ClassVar[str] = "time_block"

    id: int
    title: str
    start_time: LocalTime
    end_time: LocalTime | None
    calendar_sync_status: str | None
    invoicing_sync_status: str | None

    @classmethod
    def of_row(cls, row: BlockRow, auth: AuthContext) -> TimeBlockSummary:
        zone = block_zone(row, auth.user.timezone)
        return cls.of(
            {
                "id": row.entry.id,
                "title": block_title(row),
                "start_time": _local(row.entry.start_at, zone),
                "end_time": _local(row.entry.end_at, zone),
                "calendar_sync_status": row.calendar.status if row.calendar else None,
                "invoicing_sync_status": row.invoicing.status if row.invoicing else None,
            },
            auth,
        )


class TimeBlockMeta(BaseModel):
    total_hours: JsonNumber = Field(description="Tracked hours inside the range")
    billable_hours: JsonNumber
    by_day: dict[str, JsonNumber] = Field(
        description="Hours per day of your time zone (YYYY-MM-DD), only days with time"
    )


class TimeBlockList(BaseModel):
    data: list[TimeBlockRead]
    meta: TimeBlockMeta


class TimeBlockAnswer(BaseModel):
    data: TimeBlockRead


class TimeBlockWritten(BaseModel):
    data: TimeBlockSummary
    message: str


class TimeBlockDeleted(BaseModel):
    message: str


class SyncStatusRead(BaseModel):
    calendar: str
    invoicing: str


class SyncInitiated(BaseModel):
    message: str
    sync_status: SyncStatusRead
