"""Bulk actions on time entries (seed 002 `POST /time-entries/bulk`, S3.5).

One set-based statement per step whatever the number of entries: read the entries, write
the change (one UPDATE or DELETE), its audit rows, its webhook events, then one budget
check per project touched, and the time bills brought along (`time_bill.ledger.refresh`,
itself a fixed number of statements). Running entries are skipped for every action (seed
002), and so are locked entries (their time bill is approved or invoiced: `locked`);
without time_entry.update.other only the caller's own entries are touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.errors import ValidationFailed
from clocktower.models import TimeEntry
from clocktower.project.budget import queue_budget_check
from clocktower.time_bill.ledger import entry_locks, refresh
from clocktower.time_entry.schemas import TAG_MAX, normalize_tags, tag_list
from clocktower.time_entry.service import announce_many, entry_payload, viewer_of
from clocktower.time_entry_io.repository import (
    BulkEntryRepository,
    NameRepository,
    record_audit,
)
from clocktower.time_entry_io.schemas import BulkAction, SkipReason

_FLAGS = {"set_billable": "billable", "set_paid": "paid"}
_TAG_ACTIONS = frozenset({"add_tag", "remove_tag"})


@dataclass
class BulkOutcome:
    action: str
    affected_ids: list[int] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[int, SkipReason]] = field(default_factory=list)

    @property
    def message(self) -> str:
        verb = "deleted" if self.action == "delete" else "updated"
        return f"{entries(len(self.affected_ids))} {verb}, {len(self.skipped)} skipped"


def entries(count: int) -> str:
    return f"{count} time {'entry' if count == 1 else 'entries'}"


async def bulk_update_entries(
    session: AsyncSession, auth: AuthContext, data: BulkAction
) -> BulkOutcome:
    if data.action == "delete":
        auth.require("time_entry.delete")
    value = _checked_value(data)
    ids = list(dict.fromkeys(data.entry_ids))
    repository = BulkEntryRepository(session)
    found = {entry.id: entry for entry in await repository.visible_by_ids(viewer_of(auth), ids)}
    may_write_others = auth.allows("time_entry.update.other")
    outcome = BulkOutcome(action=data.action)
    writable = [
        entry
        for entry in found.values()
        if (entry.user_id == auth.user_id or may_write_others) and entry.end_at is not None
    ]
    locks = await entry_locks(session, auth.org_id, writable)
    eligible: list[TimeEntry] = []
    for entry_id in ids:
        entry = found.get(entry_id)
        if entry is None:
            outcome.skipped.append((entry_id, "not_found"))
        elif entry.user_id != auth.user_id and not may_write_others:
            outcome.skipped.append((entry_id, "not_yours"))
        elif entry.end_at is None:
            outcome.skipped.append((entry_id, "active"))
        elif entry_id in locks:
            outcome.skipped.append((entry_id, "locked"))
        else:
            eligible.append(entry)
    if data.action == "delete":
        await _delete(session, auth, repository, eligible, outcome)
    elif data.action in _FLAGS:
        await _set_flag(session, auth, repository, eligible, _FLAGS[data.action], value, outcome)
    else:
        assert isinstance(value, str)
        await _change_tags(session, auth, repository, eligible, data.action, value, outcome)
    return outcome


def _checked_value(data: BulkAction) -> bool | str | None:
    """Seed 002: a string tag for the tag actions, a boolean for set_billable/set_paid."""
    if data.action in _FLAGS:
        if not isinstance(data.value, bool):
            raise ValidationFailed.field("value", f"{data.action} needs a boolean value")
        return data.value
    if data.action in _TAG_ACTIONS:
        tag = data.value.strip() if isinstance(data.value, str) else ""
        if not tag:
            raise ValidationFailed.field("value", f"{data.action} needs a tag (a string)")
        if "," in tag:
            raise ValidationFailed.field("value", "A tag cannot contain a comma")
        if len(tag) > TAG_MAX:
            raise ValidationFailed.field("value", f"A tag is at most {TAG_MAX} characters")
        return tag
    return None


async def _delete(
    session: AsyncSession,
    auth: AuthContext,
    repository: BulkEntryRepository,
    entries: list[TimeEntry],
    outcome: BulkOutcome,
) -> None:
    if not entries:
        return
    payloads = {entry.id: entry_payload(entry) for entry in entries}
    project_ids = {entry.project_id for entry in entries if entry.project_id is not None}
    bill_ids = {entry.time_bill_id for entry in entries if entry.time_bill_id is not None}
    await repository.delete_ids(auth.org_id, list(payloads))
    for entry in entries:
        session.expunge(entry)
    await refresh(session, auth.org_id, [], bill_ids)
    await record_audit(session, auth.org_id, "time_entry", "delete", payloads)
    await announce_many(session, auth.org_id, "time_entry.deleted", list(payloads.values()))
    await check_budgets(session, auth, project_ids)
    outcome.affected_ids = list(payloads)


async def _set_flag(
    session: AsyncSession,
    auth: AuthContext,
    repository: BulkEntryRepository,
    entries: list[TimeEntry],
    column: str,
    value: Any,
    outcome: BulkOutcome,
) -> None:
    changing = [entry for entry in entries if getattr(entry, column) != value]
    outcome.unchanged = len(entries) - len(changing)
    if not changing:
        return
    ids = [entry.id for entry in changing]
    await repository.set_values(auth.org_id, ids, {column: value})
    if column == "billable":
        await refresh(session, auth.org_id, ids)
    changes = {entry.id: {column: [not value, value]} for entry in changing}
    await _updated(session, auth, repository, ids, changes, outcome)


async def _change_tags(
    session: AsyncSession,
    auth: AuthContext,
    repository: BulkEntryRepository,
    entries: list[TimeEntry],
    action: str,
    tag: str,
    outcome: BulkOutcome,
) -> None:
    new_tags: dict[int, str | None] = {}
    for entry in entries:
        current = tag_list(entry.tags)
        present = any(existing.lower() == tag.lower() for existing in current)
        if action == "add_tag":
            if present:
                outcome.unchanged += 1
                continue
            try:
                new_tags[entry.id] = normalize_tags([*current, tag])
            except ValueError:
                outcome.skipped.append((entry.id, "too_many_tags"))
                continue
        else:
            if not present:
                outcome.unchanged += 1
                continue
            new_tags[entry.id] = normalize_tags(
                [existing for existing in current if existing.lower() != tag.lower()]
            )
    if not new_tags:
        return
    old = {entry.id: entry.tags for entry in entries}
    await repository.set_tags(auth.org_id, new_tags)
    changes = {entry_id: {"tags": [old[entry_id], tags]} for entry_id, tags in new_tags.items()}
    await _updated(session, auth, repository, list(new_tags), changes, outcome)


async def _updated(
    session: AsyncSession,
    auth: AuthContext,
    repository: BulkEntryRepository,
    ids: list[int],
    changes: dict[int, dict[str, Any]],
    outcome: BulkOutcome,
) -> None:
    """Audit rows, time_entry.updated events (with the stored values) and budget checks."""
    await record_audit(session, auth.org_id, "time_entry", "update", changes)
    entries = await repository.reload(auth.org_id, ids)
    await announce_many(
        session, auth.org_id, "time_entry.updated", [entry_payload(entry) for entry in entries]
    )
    project_ids = {entry.project_id for entry in entries if entry.project_id is not None}
    await check_budgets(session, auth, project_ids)
    outcome.affected_ids = [entry.id for entry in entries]


async def check_budgets(
    session: AsyncSession, auth: AuthContext, project_ids: Iterable[int]
) -> None:
    """One budget check per project whose tracked time changed (S2.3)."""
    for project in await NameRepository(session).projects_by_ids(auth.org_id, project_ids):
        await queue_budget_check(session, project)
