"""Focus session requests and answers (seed 001).

Answers are snake_case like the rest of the API. Requests accept snake_case and the seed's
camelCase spellings (`startTimestamp`, `retroAdded`, `isCompleted`, `projectId`); the
OpenAPI document shows the snake_case names. Durations are whole seconds, in and out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal, Self

from pydantic import AliasChoices, AliasGenerator, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from clocktower.auth.context import AuthContext
from clocktower.auth.gating import GatedModel
from clocktower.focus_session.repository import SessionView
from clocktower.kit.ids import IdField
from clocktower.kit.pagination import PaginationRead
from clocktower.models import Project, Task
from clocktower.time_entry.schemas import ABSOLUTE_MAX_SECONDS, NOTES_MAX

SessionType = Literal["session", "break", "long-break"]
# The one type that is tracked time; breaks never are.
WORK = "session"

TASK_TITLE_MAX = 300
PROJECT_TITLE_MAX = 200


def _either_spelling(name: str) -> AliasChoices:
    return AliasChoices(name, to_camel(name))


class SeedBody(BaseModel):
    """A request part that refuses unknown fields and takes both spellings of each name."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        alias_generator=AliasGenerator(validation_alias=_either_spelling),
    )


class SessionTaskRef(SeedBody):
    """An existing task (`id`) or a title to find among the project's incomplete tasks or
    create (`title`), never both. `is_completed` marks the task done (or reopens it)."""

    id: IdField | None = None
    title: str | None = Field(None, min_length=1, max_length=TASK_TITLE_MAX)
    is_completed: bool | None = None
    project_id: IdField | None = Field(
        None, description="With title: the project to search and create in"
    )

    @model_validator(mode="after")
    def _id_or_title(self) -> SessionTaskRef:
        if (self.id is None) == (self.title is None):
            raise ValueError("send task.id or task.title (exactly one)")
        return self


class SessionProjectRef(SeedBody):
    """The project of a task named by title: an active project of this name, else a new one."""

    title: str = Field(min_length=1, max_length=PROJECT_TITLE_MAX)


class SessionFields(SeedBody):
    start_timestamp: datetime = Field(
        description="ISO 8601; an offset or Z is honoured, a naive time is in your time zone"
    )
    duration: int = Field(
        ge=1,
        le=ABSOLUTE_MAX_SECONDS,
        strict=True,
        description="Whole seconds; under 24 h unless the organisation allows longer entries",
    )
    note: str | None = Field(None, max_length=NOTES_MAX)
    type: SessionType
    retro_added: bool = Field(False, description="Added after the fact (seed 001)")


class FocusSessionWrite(SeedBody):
    """POST and PUT: `task` and `project` are optional, `session` is required. On PUT an
    omitted `task` keeps the session's task (null clears it), an omitted `note` or
    `retro_added` keeps its value."""

    task: SessionTaskRef | None = None
    project: SessionProjectRef | None = None
    session: SessionFields


class FocusSessionRead(GatedModel):
    """For a work session the start, duration, note and task are its time entry's."""

    object_type: ClassVar[str] = "focus_session"

    id: int
    task_id: int | None
    start_timestamp: datetime
    duration: Annotated[int, Field(description="Whole seconds")]
    note: str | None
    type: str
    edited: bool
    retro_added: bool
    last_updated: datetime
    time_entry_id: int | None = Field(description="The tracked time of a work session")

    @classmethod
    def of_view(cls, view: SessionView, auth: AuthContext) -> Self:
        return cls.of(
            view.focus,
            auth,
            task_id=view.task_id,
            start_timestamp=view.start_at,
            duration=view.duration_seconds,
            note=view.note,
            edited=view.edited,
            last_updated=view.last_updated,
        )


class SessionTaskRead(BaseModel):
    """Seed 001's task shape, answered when the request created the task."""

    id: int
    title: str
    project_id: int
    is_completed: bool
    last_updated: datetime

    @classmethod
    def of_task(cls, task: Task) -> SessionTaskRead:
        return cls(
            id=task.id,
            title=task.name,
            project_id=task.project_id,
            is_completed=task.status == "done",
            last_updated=task.updated_at,
        )


class SessionProjectRead(BaseModel):
    """Seed 001's project shape, answered when the request created the project."""

    id: int
    title: str
    is_archived: bool
    last_updated: datetime

    @classmethod
    def of_project(cls, project: Project) -> SessionProjectRead:
        return cls(
            id=project.id,
            title=project.name,
            is_archived=project.status == "archived",
            last_updated=project.updated_at,
        )


class FocusSessionList(BaseModel):
    sessions: list[FocusSessionRead]
    pagination: PaginationRead


class FocusSessionAnswer(BaseModel):
    session: FocusSessionRead


class FocusSessionSaved(BaseModel):
    """`task` and `project` appear only when this request created them."""

    message: str
    session: FocusSessionRead
    task: SessionTaskRead | None = None
    project: SessionProjectRead | None = None


class FocusSessionDeleted(BaseModel):
    message: str
