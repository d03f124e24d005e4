"""Bulk action, import and export requests and answers (seed 002 names)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, StrictBool, StrictStr, model_validator

from clocktower.account.schemas import StrictModel
from clocktower.kit.ids import IdField

BULK_MAX = 500

BulkActionName = Literal["delete", "set_billable", "set_paid", "add_tag", "remove_tag"]
SkipReason = Literal["not_found", "not_yours", "active", "locked", "too_many_tags"]
ExportFormat = Literal["csv", "xlsx"]
ImportFormat = Literal["clocktower", "toggl", "clockify", "kimai"]


def _bool_or_text(value: Any) -> Any:
    if value is not None and not isinstance(value, bool | str):
        raise ValueError("value is a tag (a string) or a boolean")
    return value


class BulkAction(StrictModel):
    """Seed 002 `POST /time-entries/bulk`."""

    entry_ids: list[IdField] = Field(min_length=1, max_length=BULK_MAX)
    action: BulkActionName
    value: Annotated[
        StrictBool | StrictStr | None,
        BeforeValidator(_bool_or_text),
        Field(description="A tag (add_tag, remove_tag) or a boolean (set_billable, set_paid)"),
    ] = None


class SkippedEntry(BaseModel):
    id: int
    reason: SkipReason = Field(
        description="not_found (absent or not visible to you), not_yours (another user's "
        "entry, needs time_entry.update.other), active (a running timer), locked (its time "
        "bill is approved or invoiced), too_many_tags"
    )


class BulkResult(BaseModel):
    message: str
    action: BulkActionName
    affected: int = Field(description="Entries changed (or deleted)")
    unchanged: int = Field(description="Entries that already had the value")
    affected_ids: list[int]
    skipped: list[SkippedEntry]


class CsvJson(StrictModel):
    """The JSON form of an import: the file's text as `csv` or `data`."""

    csv: str | None = None
    data: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> CsvJson:
        if (self.csv is None) == (self.data is None):
            raise ValueError('send the CSV text as exactly one of "csv" or "data"')
        return self

    @property
    def text(self) -> str:
        return self.csv if self.csv is not None else (self.data or "")


class CreatedNames(BaseModel):
    clients: int
    projects: int
    tasks: int


class ImportResult(BaseModel):
    message: str
    imported: int
    format: ImportFormat
    created: CreatedNames = Field(
        description="Clients, projects and tasks the file named that did not exist yet"
    )
