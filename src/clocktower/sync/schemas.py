"""What delta sync answers: changed objects (each with its version) and tombstones."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from clocktower.account.schemas import StrictModel
from clocktower.client.schemas import ClientRead
from clocktower.client_focus.schemas import FocusRead
from clocktower.focus_session.schemas import FocusSessionRead
from clocktower.kit.ids import MAX_ID, IdField
from clocktower.project.schemas import ProjectRead
from clocktower.task.schemas import TaskRead
from clocktower.time_entry.schemas import TimeEntryRead

SyncKind = Literal["client", "project", "task", "time_entry", "focus_session", "customer_focus"]

VERSION = Field(
    default=0,
    description="The sequence number of the object's latest change: send it back as "
    "`base_version` when pushing an edit of this object",
)


class SyncClient(ClientRead):
    version: int = VERSION


class SyncProject(ProjectRead):
    version: int = VERSION


class SyncTask(TaskRead):
    version: int = VERSION


class SyncTimeEntry(TimeEntryRead):
    """A time entry, with the fields its time-block view (seed 003) adds."""

    title: str | None = None
    color: str | None = None
    timezone: str | None = None
    version: int = VERSION


class SyncFocusSession(FocusSessionRead):
    version: int = VERSION


class SyncCustomerFocus(FocusRead):
    id: int
    version: int = VERSION


class SyncTombstone(BaseModel):
    type: SyncKind
    id: int
    version: int


class SyncAnswer(BaseModel):
    sync_token: str = Field(
        description="Send it as `sync_token` next time: the next page while `has_more`, "
        "else the changes after this answer"
    )
    has_more: bool = Field(description="More changes wait: ask again with `sync_token` now")
    snapshot: bool = Field(
        description="This answer starts a full snapshot (the request had no token or `*`): "
        "drop what you hold and rebuild from this and the following pages"
    )
    clients: list[SyncClient] = Field(default_factory=list)
    projects: list[SyncProject] = Field(default_factory=list)
    tasks: list[SyncTask] = Field(default_factory=list)
    # Time blocks (seed 003) are time entries: they arrive here with their block fields.
    time_entries: list[SyncTimeEntry] = Field(default_factory=list)
    focus_sessions: list[SyncFocusSession] = Field(default_factory=list)
    customer_focus: list[SyncCustomerFocus] = Field(default_factory=list)
    deleted: list[SyncTombstone] = Field(
        default_factory=list, description="Objects deleted since the token (never in a snapshot)"
    )
    active_timer: TimeEntryRead | None = Field(
        default=None, description="The caller's running timer now, whatever changed"
    )


# --- offline push (S6.2) ------------------------------------------------------------------

MAX_PUSH = 500

PushType = Literal["time_entry", "focus_session", "task", "project", "client"]
PushOp = Literal["create", "update", "delete"]
PushStatus = Literal["applied", "conflict", "rejected"]
RefField = Literal["task_id", "project_id", "client_id"]


class PushChange(StrictModel):
    """One change made offline. `create` sends `data` (and maybe `refs`); `update` sends
    `id`, `base_version` and `data`; `delete` sends `id` and `base_version` only."""

    client_ref: UUID = Field(
        description="A UUID the app made for this change: pushing it again answers the "
        "stored result and changes nothing"
    )
    type: PushType
    op: PushOp
    id: IdField | None = Field(None, description="The object to update or delete")
    base_version: int | None = Field(
        None,
        ge=0,
        le=MAX_ID,
        description="The object's `version` the edit was made from (update and delete)",
    )
    data: dict[str, Any] | None = Field(
        None,
        description="The body the matching REST route takes: POST for a create, PATCH for "
        "an update (only the fields sent change)",
    )
    refs: dict[RefField, UUID] | None = Field(
        None,
        description="Ids of objects created offline: the `client_ref` of their create, in "
        "this push (earlier in `changes`) or in an earlier one of yours",
    )

    @model_validator(mode="after")
    def _fits_op(self) -> PushChange:
        if self.op == "create":
            if self.id is not None or self.base_version is not None:
                raise ValueError("a create sends no id and no base_version")
        elif self.id is None or self.base_version is None:
            raise ValueError(f"an {self.op} needs id and base_version")
        if self.op == "delete" and (self.data is not None or self.refs is not None):
            raise ValueError("a delete sends no data and no refs")
        return self


class PushRequest(StrictModel):
    changes: list[PushChange] = Field(
        max_length=MAX_PUSH, description=f"At most {MAX_PUSH}, applied in this order"
    )


class PushResult(BaseModel):
    client_ref: str
    type: PushType
    op: PushOp
    status: PushStatus = Field(
        description="`applied`; `conflict`: the object changed on the server after "
        "`base_version`, nothing was applied and `object` is the server's; `rejected`: "
        "nothing was applied, `error` says why"
    )
    id: int | None = Field(description="The object created, changed or named")
    version: int | None = Field(
        description="The object's version after this push (a deletion's for a deleted one)"
    )
    deleted: bool = Field(description="The object does not exist (any more)")
    object: dict[str, Any] | None = Field(
        description="The object as `GET /sync` hands it out (with `version`), after this "
        "push; null when deleted or rejected"
    )
    error: dict[str, Any] | None = Field(
        description="For `rejected`: the standard error body the REST route would answer"
    )


class PushAnswer(BaseModel):
    results: list[PushResult] = Field(description="One per change, in the request's order")
