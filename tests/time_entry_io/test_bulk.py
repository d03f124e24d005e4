"""POST /time-entries/bulk (seed 002): every action, skips, permissions, tenants, events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from clocktower.models import FocusSession, Project, TimeEntry
from clocktower.project.budget import CHECK_BUDGET_JOB
from tests.api_token.support import issue_token
from tests.conftest import QueryCounter
from tests.role.conftest import give_role
from tests.support import Api, Factory, Member
from tests.time_entry_io.conftest import (
    BULK,
    add_entry,
    audit_actions,
    entries_of,
    events,
    jobs_of_kind,
    make_project,
)

MONDAY = datetime(2024, 3, 4, 9, tzinfo=UTC)


async def bulk(api: Api, who: Member | str, **body: Any) -> dict[str, Any]:
    response = await api.as_(who).post(BULK, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def stored(factory: Factory, entry: TimeEntry) -> TimeEntry | None:
    await factory.session.commit()
    return await factory.session.get(TimeEntry, entry.id, populate_existing=True)


class TestActions:
    async def test_set_billable_changes_only_what_differs(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        paid_work = await add_entry(factory, admin, MONDAY, billable=True)
        internal = await add_entry(factory, admin, MONDAY + timedelta(hours=2), billable=False)

        answer = await bulk(
            api, admin, entry_ids=[paid_work.id, internal.id], action="set_billable", value=True
        )

        assert answer["action"] == "set_billable"
        assert answer["affected"] == 1
        assert answer["affected_ids"] == [internal.id]
        assert answer["unchanged"] == 1
        assert answer["skipped"] == []
        assert answer["message"] == "1 time entry updated, 0 skipped"
        assert [e.billable for e in await entries_of(factory, admin.organization.id)] == [
            True,
            True,
        ]

    async def test_set_billable_false_and_set_paid(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        one = await add_entry(factory, admin, MONDAY)
        two = await add_entry(factory, admin, MONDAY + timedelta(hours=2))

        off = await bulk(api, admin, entry_ids=[one.id, two.id], action="set_billable", value=False)
        paid = await bulk(api, admin, entry_ids=[one.id, two.id], action="set_paid", value=True)

        assert off["affected"] == paid["affected"] == 2
        for entry in await entries_of(factory, admin.organization.id):
            assert (entry.billable, entry.paid) == (False, True)

    async def test_add_tag_keeps_existing_tags_and_skips_entries_that_have_it(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        tagged = await add_entry(factory, admin, MONDAY, tags="design,Urgent")
        plain = await add_entry(factory, admin, MONDAY + timedelta(hours=2))

        answer = await bulk(
            api, admin, entry_ids=[tagged.id, plain.id], action="add_tag", value=" urgent "
        )

        assert answer["affected_ids"] == [plain.id]
        assert answer["unchanged"] == 1
        tags = [e.tags for e in await entries_of(factory, admin.organization.id)]
        assert tags == ["design,Urgent", "urgent"]

    async def test_remove_tag_matches_any_case(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        first = await add_entry(factory, admin, MONDAY, tags="design,Urgent,review")
        only = await add_entry(factory, admin, MONDAY + timedelta(hours=2), tags="urgent")
        none = await add_entry(factory, admin, MONDAY + timedelta(hours=4), tags="design")

        answer = await bulk(
            api, admin, entry_ids=[first.id, only.id, none.id], action="remove_tag", value="URGENT"
        )

        assert answer["affected_ids"] == [first.id, only.id]
        assert answer["unchanged"] == 1
        tags = [e.tags for e in await entries_of(factory, admin.organization.id)]
        assert tags == ["design,review", None, "design"]

    async def test_removing_the_only_tag_leaves_none(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        entry = await add_entry(factory, admin, MONDAY, tags="solo")

        answer = await bulk(api, admin, entry_ids=[entry.id], action="remove_tag", value="solo")

        assert answer["affected_ids"] == [entry.id]
        after = await stored(factory, entry)
        assert after is not None
        assert after.tags is None

    async def test_delete_removes_entries_and_their_focus_sessions(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        gone = await add_entry(factory, admin, MONDAY)
        kept = await add_entry(factory, admin, MONDAY + timedelta(hours=2))
        factory.session.add(
            FocusSession(
                organization_id=admin.organization.id,
                user_id=admin.id,
                type="session",
                start_at=MONDAY,
                duration_seconds=3600,
                time_entry_id=gone.id,
            )
        )
        await factory.session.commit()

        answer = await bulk(api, admin, entry_ids=[gone.id], action="delete")

        assert answer["affected_ids"] == [gone.id]
        assert answer["message"] == "1 time entry deleted, 0 skipped"
        assert [e.id for e in await entries_of(factory, admin.organization.id)] == [kept.id]
        # The database cascades the delete to the focus session that owned the entry.
        remaining = await factory.session.scalars(
            select(FocusSession.id).where(FocusSession.organization_id == admin.organization.id)
        )
        assert list(remaining) == []

    async def test_repeated_ids_count_once(self, api: Api, factory: Factory, admin: Member) -> None:
        entry = await add_entry(factory, admin, MONDAY)

        answer = await bulk(
            api, admin, entry_ids=[entry.id, entry.id], action="set_paid", value=True
        )

        assert answer["affected_ids"] == [entry.id]


class TestSkips:
    @pytest.mark.parametrize(
        ("action", "value"),
        [
            ("delete", None),
            ("set_billable", False),
            ("set_paid", True),
            ("add_tag", "x"),
            ("remove_tag", "x"),
        ],
    )
    async def test_running_entries_are_skipped_for_every_action(
        self, api: Api, factory: Factory, admin: Member, action: str, value: Any
    ) -> None:
        running = await add_entry(factory, admin, MONDAY, minutes=None, tags="x")

        answer = await bulk(api, admin, entry_ids=[running.id], action=action, value=value)

        assert answer["affected"] == 0
        assert answer["skipped"] == [{"id": running.id, "reason": "active"}]
        after = await stored(factory, running)
        assert after is not None
        assert (after.billable, after.paid, after.tags) == (True, False, "x")

    async def test_member_only_touches_their_own_entries(
        self, api: Api, factory: Factory, admin: Member, member: Member
    ) -> None:
        mine = await add_entry(factory, member, MONDAY)
        theirs = await add_entry(factory, admin, MONDAY)

        answer = await bulk(
            api, member, entry_ids=[mine.id, theirs.id], action="set_paid", value=True
        )

        assert answer["affected_ids"] == [mine.id]
        # A member cannot see others' entries: they are not found, not "not yours".
        assert answer["skipped"] == [{"id": theirs.id, "reason": "not_found"}]
        assert (await stored(factory, theirs)).paid is False  # type: ignore[union-attr]

    async def test_reader_of_everything_without_update_other_skips_as_not_yours(
        self, api: Api, factory: Factory, admin: Member, member: Member
    ) -> None:
        await give_role(factory, member, ["time_entry.fetch.other"])
        theirs = await add_entry(factory, admin, MONDAY)

        answer = await bulk(api, member, entry_ids=[theirs.id], action="delete")

        assert answer["skipped"] == [{"id": theirs.id, "reason": "not_yours"}]
        assert await stored(factory, theirs) is not None

    async def test_admin_changes_everyones_entries(
        self, api: Api, factory: Factory, admin: Member, member: Member
    ) -> None:
        theirs = await add_entry(factory, member, MONDAY)

        answer = await bulk(api, admin, entry_ids=[theirs.id], action="set_billable", value=False)

        assert answer["affected_ids"] == [theirs.id]

    async def test_other_organisations_entries_are_not_found_and_untouched(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        foreign = await add_entry(factory, other_owner, MONDAY)

        for action, value in (("delete", None), ("set_paid", True)):
            answer = await bulk(
                api, owner, entry_ids=[foreign.id, 2**40], action=action, value=value
            )
            assert answer["skipped"] == [
                {"id": foreign.id, "reason": "not_found"},
                {"id": 2**40, "reason": "not_found"},
            ]
        after = await stored(factory, foreign)
        assert after is not None
        assert after.paid is False


class TestValidation:
    @pytest.mark.parametrize(
        "body",
        [
            {"entry_ids": [1], "action": "set_billable", "value": "yes"},
            {"entry_ids": [1], "action": "set_paid"},
            {"entry_ids": [1], "action": "set_paid", "value": 1},
            {"entry_ids": [1], "action": "add_tag"},
            {"entry_ids": [1], "action": "add_tag", "value": "  "},
            {"entry_ids": [1], "action": "remove_tag", "value": True},
            {"entry_ids": [1], "action": "add_tag", "value": "a,b"},
            {"entry_ids": [1], "action": "add_tag", "value": "x" * 51},
        ],
    )
    async def test_value_must_fit_the_action(
        self, api: Api, admin: Member, body: dict[str, Any]
    ) -> None:
        response = await api.as_(admin).post(BULK, json=body)

        assert response.status_code == 400, response.text
        assert response.json()["error_code"] == "validation_error"
        assert "value" in response.json()["errors"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"entry_ids": [], "action": "delete"}, "entry_ids"),
            ({"entry_ids": list(range(1, 502)), "action": "delete"}, "entry_ids"),
            ({"entry_ids": [0], "action": "delete"}, "entry_ids.0"),
            ({"entry_ids": [1], "action": "archive"}, "action"),
            ({"entry_ids": [1], "action": "delete", "extra": 1}, "extra"),
        ],
    )
    async def test_bad_request_bodies(
        self, api: Api, admin: Member, body: dict[str, Any], field: str
    ) -> None:
        response = await api.as_(admin).post(BULK, json=body)

        assert response.status_code == 400
        assert field in response.json()["errors"]

    async def test_five_hundred_ids_are_accepted(self, api: Api, admin: Member) -> None:
        answer = await bulk(api, admin, entry_ids=list(range(1, 501)), action="delete")

        assert len(answer["skipped"]) == 500


class TestPermissions:
    async def test_viewer_cannot_bulk_update(
        self, api: Api, factory: Factory, viewer: Member, admin: Member
    ) -> None:
        entry = await add_entry(factory, admin, MONDAY)

        response = await api.as_(viewer).post(
            BULK, json={"entry_ids": [entry.id], "action": "set_paid", "value": True}
        )

        assert response.status_code == 403
        assert response.json()["required_permission"] == "time_entry.update"

    async def test_delete_also_needs_time_entry_delete(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        await give_role(
            factory,
            member,
            ["time_entry.fetch", "time_entry.fetch.many", "time_entry.update"],
            only=True,
        )
        entry = await add_entry(factory, member, MONDAY)

        refused = await api.as_(member).post(
            BULK, json={"entry_ids": [entry.id], "action": "delete"}
        )
        allowed = await api.as_(member).post(
            BULK, json={"entry_ids": [entry.id], "action": "add_tag", "value": "ok"}
        )

        assert refused.status_code == 403
        assert refused.json()["required_permission"] == "time_entry.delete"
        assert allowed.status_code == 200
        assert await stored(factory, entry) is not None

    async def test_token_needs_the_write_scope(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        entry = await add_entry(factory, admin, MONDAY)
        token, _ = await issue_token(api, admin, scopes=["read:time_entries"])

        response = await api.as_(token).post(
            BULK, json={"entry_ids": [entry.id], "action": "set_paid", "value": True}
        )

        assert response.status_code == 403
        assert response.json()["required_scope"] == "write:time_entries"


class TestEffects:
    async def test_updated_events_audit_rows_and_one_budget_check_per_project(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        budgeted = await make_project(
            factory, admin.organization, name="Budgeted", budget_type="hours", budget_minutes=600
        )
        plain = await make_project(factory, admin.organization, name="Plain")
        entries = [
            await add_entry(factory, admin, MONDAY + timedelta(hours=i), project=budgeted)
            for i in range(3)
        ]
        unchanged = await add_entry(factory, admin, MONDAY, project=plain, billable=False)

        await bulk(
            api,
            admin,
            entry_ids=[e.id for e in entries] + [unchanged.id],
            action="set_billable",
            value=False,
        )

        updated = await events(factory, admin.organization.id, "time_entry.updated")
        assert sorted(e["id"] for e in updated) == sorted(e.id for e in entries)
        assert all(e["billable"] is False for e in updated)
        checks = await jobs_of_kind(factory, CHECK_BUDGET_JOB)
        assert [job.payload["project_id"] for job in checks] == [budgeted.id]
        audit = await audit_actions(factory, admin.organization.id, "time_entry.update")
        assert sorted(int(row.object_id or 0) for row in audit) == sorted(e.id for e in entries)
        assert audit[0].changes == {"billable": [True, False]}
        assert audit[0].actor_user_id == admin.id

    async def test_delete_events_carry_the_deleted_entry(
        self, api: Api, factory: Factory, admin: Member, project: Project
    ) -> None:
        entry = await add_entry(factory, admin, MONDAY, project=project, notes="Gone")

        await bulk(api, admin, entry_ids=[entry.id], action="delete")

        [deleted] = await events(factory, admin.organization.id, "time_entry.deleted")
        assert (deleted["id"], deleted["notes"], deleted["project_id"]) == (
            entry.id,
            "Gone",
            project.id,
        )
        [audit] = await audit_actions(factory, admin.organization.id, "time_entry.delete")
        assert audit.object_id == str(entry.id)

    async def test_nothing_is_emitted_for_skipped_or_unchanged_entries(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        running = await add_entry(factory, admin, MONDAY, minutes=None)
        already = await add_entry(factory, admin, MONDAY, paid=True)

        await bulk(api, admin, entry_ids=[running.id, already.id], action="set_paid", value=True)

        assert await events(factory, admin.organization.id, "time_entry.updated") == []

    @pytest.mark.parametrize(
        ("action", "value"), [("set_paid", True), ("add_tag", "x"), ("delete", None)]
    )
    async def test_statements_do_not_grow_with_the_number_of_entries(
        self,
        api: Api,
        factory: Factory,
        admin: Member,
        project: Project,
        queries: QueryCounter,
        action: str,
        value: Any,
    ) -> None:
        async def entries(count: int) -> list[int]:
            rows = [
                {
                    "organization_id": admin.organization.id,
                    "user_id": admin.id,
                    "project_id": project.id,
                    "start_at": MONDAY + timedelta(minutes=i),
                    "end_at": MONDAY + timedelta(minutes=i + 30),
                    "duration_seconds": 1800,
                }
                for i in range(count)
            ]
            result = await factory.session.execute(insert(TimeEntry).returning(TimeEntry.id), rows)
            ids = list(result.scalars())
            await factory.session.commit()
            return ids

        few, many = await entries(3), await entries(300)
        with queries:
            await bulk(api, admin, entry_ids=few, action=action, value=value)
        small = queries.count
        with queries:
            await bulk(api, admin, entry_ids=many, action=action, value=value)

        assert queries.count == small, queries.statements
