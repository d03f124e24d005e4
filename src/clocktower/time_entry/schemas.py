"""Time entry requests and answers (seed 002 names; seed 000 additions)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

from clocktower.account.schemas import StrictModel
from clocktower.auth.context import AuthContext
from clocktower.auth.gating import GatedModel
from clocktower.errors import ValidationFailed
from clocktower.kit.ids import IdField
from clocktower.kit.money import JsonNumber
from clocktower.kit.pagination import PaginationRead
from clocktower.kit.period import check_supported, parse_day_or_instant
from clocktower.kit.validation import non_nullable
from clocktower.time_entry.repository import EntryView

Source = Literal["manual", "timer", "focus", "calendar", "import", "integration"]
SOURCES: tuple[str, ...] = ("manual", "timer", "focus", "calendar", "import", "integration")

TAG_MAX = 50
TAGS_MAX_LENGTH = 1000
NOTES_MAX = 20_000
# A week: past this a duration is a mistake, whatever the organisation allows.
ABSOLUTE_MAX_SECONDS = 7 * 24 * 3600


def normalize_tags(value: Any) -> str | None:
    """ "a, b,,a" or ["a", "b"] → "a,b": trimmed, no empties, first spelling of each kept."""
    if value is None:
        return None
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, list | tuple):
        if not all(isinstance(part, str) for part in value):
            raise ValueError("tags must be a comma-separated string or a list of strings")
        parts = [piece for part in value for piece in part.split(",")]
    else:
        raise ValueError("tags must be a comma-separated string or a list of strings")
    seen: dict[str, str] = {}
    for part in parts:
        tag = part.strip()
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            raise ValueError(f"each tag is at most {TAG_MAX} characters")
        seen.setdefault(tag.lower(), tag)
    joined = ",".join(seen.values())
    if len(joined) > TAGS_MAX_LENGTH:
        raise ValueError(f"tags are at most {TAGS_MAX_LENGTH} characters together")
    return joined or None


def tag_list(tags: str | None) -> list[str]:
    return [tag for tag in (tags or "").split(",") if tag]


Tags = Annotated[
    str | None,
    BeforeValidator(normalize_tags),
    Field(description='Comma-separated ("development,frontend") or a list of strings'),
]
Notes = Annotated[str, Field(max_length=NOTES_MAX)]
Seconds = Annotated[int, Field(ge=1, le=ABSOLUTE_MAX_SECONDS, strict=True)]
# An instant of a plausible year (1900-2999): past that it is a typing mistake.
Instant = Annotated[datetime, AfterValidator(check_supported)]
WhenField = Annotated[
    Instant,
    Field(description="ISO 8601; an offset or Z is honoured, a naive time is in your time zone"),
]


class TimeEntryCreate(StrictModel):
    """Without end_time (and without duration_seconds) the entry is a running timer."""

    project_id: IdField | None = None
    task_id: IdField | None = None
    client_id: IdField | None = None
    # For another member: needs time_entry.update.other.
    user_id: IdField | None = None
    start_time: WhenField | None = None
    end_time: WhenField | None = None
    duration_seconds: Seconds | None = None
    notes: Notes | None = None
    tags: Tags = None
    billable: bool | None = None
    paid: bool = False
    source: Source | None = None
    external_id: str | None = Field(None, min_length=1, max_length=300)


class TimeEntryUpdate(StrictModel):
    """PUT and PATCH change only the fields sent. Setting end_time stops a running entry;
    duration_seconds sets the end from the start (seed 000 PATCH `duration`)."""

    project_id: IdField | None = None
    task_id: IdField | None = None
    client_id: IdField | None = None
    start_time: WhenField | None = None
    end_time: WhenField | None = None
    duration_seconds: Seconds | None = None
    notes: Notes | None = None
    tags: Tags = None
    billable: bool | None = None
    paid: bool | None = None

    _not_null = non_nullable("start_time", "end_time", "duration_seconds", "billable", "paid")


class NotesUpdate(StrictModel):
    notes: Notes | None = Field(description="The new notes; null or empty clears them")


def seconds_to_hours(seconds: int | None) -> Decimal | None:
    if seconds is None:
        return None
    return (Decimal(seconds) / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class EntryUserRead(BaseModel):
    id: int
    name: str


class EntryProjectRead(BaseModel):
    id: int
    name: str
    color: str | None


class EntryNamedRead(BaseModel):
    id: int
    name: str


class TimeEntryRead(GatedModel):
    """`user`, `project`, `task` and `client` appear with enrich=true (seed 000)."""

    object_type: ClassVar[str] = "time_entry"

    id: int
    user_id: int
    project_id: int | None
    task_id: int | None
    client_id: int | None
    start_time: datetime
    end_time: datetime | None
    duration_seconds: int | None
    duration_hours: JsonNumber | None
    is_active: bool
    notes: str | None
    tags: str | None
    billable: bool
    paid: bool
    source: str
    external_id: str | None
    created_at: datetime
    updated_at: datetime
    user: EntryUserRead | None = None
    project: EntryProjectRead | None = None
    task: EntryNamedRead | None = None
    client: EntryNamedRead | None = None

    @classmethod
    def of_view(cls, view: EntryView, auth: AuthContext | None) -> Self:
        entry = view.entry
        fields: dict[str, Any] = {
            "start_time": entry.start_at,
            "end_time": entry.end_at,
            "duration_hours": seconds_to_hours(entry.duration_seconds),
            "is_active": entry.end_at is None,
        }
        if view.enriched:
            fields["user"] = EntryUserRead(id=entry.user_id, name=view.user_name or "")
            fields["project"] = (
                EntryProjectRead(
                    id=entry.project_id, name=view.project_name or "", color=view.project_color
                )
                if entry.project_id is not None
                else None
            )
            fields["task"] = (
                EntryNamedRead(id=entry.task_id, name=view.task_name or "")
                if entry.task_id is not None
                else None
            )
            fields["client"] = (
                EntryNamedRead(id=entry.client_id, name=view.client_name or "")
                if entry.client_id is not None
                else None
            )
        return cls.of(entry, auth, **fields)


class TimeEntryList(BaseModel):
    time_entries: list[TimeEntryRead]
    pagination: PaginationRead


class TimeEntryAnswer(BaseModel):
    time_entry: TimeEntryRead


class TimeEntryCreated(BaseModel):
    message: str
    time_entry: TimeEntryRead


class TimeEntryUpdated(BaseModel):
    message: str
    time_entry: TimeEntryRead


class TimeEntryDeleted(BaseModel):
    message: str


def day_or_instant(field: str, text: str | None) -> date | datetime | None:
    """A query parameter that is a whole day (2024-01-15) or an instant (…T09:00:00Z)."""
    if text is None or not text.strip():
        return None
    try:
        return parse_day_or_instant(text)
    except ValueError as error:
        raise ValidationFailed.field(field, str(error)) from None
