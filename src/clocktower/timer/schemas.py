"""Timer requests and answers: seed 002 `/timer/*`, seed 000 task timers and active timers.

A timer is a running time entry, so every answer carries the entry as `TimeEntryRead`
(enriched with user, project, task and client).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from clocktower.account.schemas import StrictModel
from clocktower.kit.ids import IdField
from clocktower.kit.validation import non_nullable
from clocktower.time_entry.schemas import Notes, Tags, TimeEntryRead, WhenField

_START_TIME = "When the timer started (default now; at most a minute ahead of the server)"


class TaskTimerStart(StrictModel):
    """Optional details of a timer started on a task (seed 000 `tasks/{id}/start`)."""

    notes: Notes | None = None
    tags: Tags = None
    billable: bool | None = Field(None, description="Default: the project's billable flag")
    start_time: WhenField | None = Field(None, description=_START_TIME)


class TimerStart(TaskTimerStart):
    """Seed 002: `project_id` and/or `task_id`; a task alone brings its project."""

    project_id: IdField | None = None
    task_id: IdField | None = None


class TimerStop(StrictModel):
    end_time: WhenField | None = Field(
        None, description="When the timer stopped (default now; not in the future)"
    )


class ActiveTimerWrite(StrictModel):
    """Seed 000 active timer: the fields sent change the running timer, or start one.

    On a running timer only the fields sent change (`project_id: null` clears the
    project, `notes: null` the notes); without one, the fields start a new timer."""

    project_id: IdField | None = None
    task_id: IdField | None = None
    notes: Notes | None = None
    tags: Tags = None
    billable: bool | None = None
    start_time: WhenField | None = Field(None, description=_START_TIME)

    _not_null = non_nullable("start_time", "billable")


class TimerStatus(BaseModel):
    active: bool
    timer: TimeEntryRead | None


class TimerStarted(BaseModel):
    message: str
    timer: TimeEntryRead


class TimerStopped(BaseModel):
    message: str
    timer: TimeEntryRead


class ActiveTimerAnswer(BaseModel):
    active_timer: TimeEntryRead


class ActiveTimerSaved(BaseModel):
    message: str
    active_timer: TimeEntryRead


class ActiveTimerDeleted(BaseModel):
    message: str
