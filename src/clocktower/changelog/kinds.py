"""Which objects the change log follows, and whose they are."""

from __future__ import annotations

from typing import Any, Final

from clocktower.models import Client, ClientFocus, FocusSession, Project, Task, TimeEntry

CLIENT: Final = "client"
PROJECT: Final = "project"
TASK: Final = "task"
TIME_ENTRY: Final = "time_entry"
FOCUS_SESSION: Final = "focus_session"
CUSTOMER_FOCUS: Final = "customer_focus"

# Object type of each followed model. Time blocks are time entries (seed 003 shows the
# same rows on a calendar), so they need no kind of their own.
KIND_OF_MODEL: Final[dict[Any, str]] = {
    Client: CLIENT,
    Project: PROJECT,
    Task: TASK,
    TimeEntry: TIME_ENTRY,
    FocusSession: FOCUS_SESSION,
    ClientFocus: CUSTOMER_FOCUS,
}
MODEL_OF_KIND: Final[dict[str, Any]] = {kind: model for model, kind in KIND_OF_MODEL.items()}
KINDS: Final = tuple(MODEL_OF_KIND)

# Personal objects: only their owner's sync sees them (and their tombstones).
PERSONAL: Final = frozenset({TIME_ENTRY, FOCUS_SESSION})
