"""GET/PATCH /time-bills, approve, reject and approve-all: filters (with seed 000 aliases),
pagination, enrich, who sees which bills, who may change what, status moves, and what an
approval queues (accounting push, `bill.approved`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from clocktower.models import AccountingPush, Client, Project, Task
from tests.conftest import QueryCounter
from tests.role.conftest import give_role
from tests.support import Api, Factory, Member
from tests.time_bill.conftest import (
    BILLS,
    approve,
    bill_url,
    entry_at,
    listed,
    make_project,
    queued,
)


@dataclass
class Ledger:
    globex: Client
    app: Project
    # member: Website/Homepage on the 15th and 16th; App on the 16th. admin: Homepage 17th.
    m15: dict[str, Any]
    m16: dict[str, Any]
    app16: dict[str, Any]
    a17: dict[str, Any]


@pytest.fixture
async def ledger(
    api: Api, factory: Factory, owner: Member, member: Member, admin: Member, homepage: Task
) -> Ledger:
    globex = await factory.client(owner.organization, name="Globex")
    app = await make_project(factory, owner.organization, name="App", client_id=globex.id)
    for who, day, fields in (
        (member, "15", {"task_id": homepage.id}),
        (member, "16", {"task_id": homepage.id}),
        (member, "16", {"project_id": app.id}),
        (admin, "17", {"task_id": homepage.id}),
    ):
        await entry_at(api, who, f"2024-01-{day}T10:00:00Z", f"2024-01-{day}T11:00:00Z", **fields)
    bills = {
        (bill["user_id"], bill["date"], bill["project_id"]): bill
        for bill in await listed(api, admin)
    }
    return Ledger(
        globex,
        app,
        bills[(member.id, "2024-01-15", homepage.project_id)],
        bills[(member.id, "2024-01-16", homepage.project_id)],
        bills[(member.id, "2024-01-16", app.id)],
        bills[(admin.id, "2024-01-17", homepage.project_id)],
    )


def ids(bills: list[dict[str, Any]]) -> list[int]:
    return [bill["id"] for bill in bills]


class TestList:
    async def test_newest_day_first_with_pagination(
        self, api: Api, admin: Member, ledger: Ledger
    ) -> None:
        response = await api.as_(admin).get(BILLS, params={"per_page": 2, "page": 2})

        body = response.json()
        assert (
            body["pagination"] | {"total": 4, "pages": 2, "has_prev": True} == (body["pagination"])
        )
        sixteenth = sorted([ledger.m16["id"], ledger.app16["id"]], reverse=True)
        assert ids(await listed(api, admin)) == [ledger.a17["id"], *sixteenth, ledger.m15["id"]]
        assert ids(body["time_bills"]) == [sixteenth[1], ledger.m15["id"]]

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"start_date": "2024-01-16"}, ["app16", "m16", "a17"]),
            ({"end_date": "2024-01-16"}, ["m15", "m16", "app16"]),
            ({"startDate": "2024-01-16", "endDate": "2024-01-16"}, ["m16", "app16"]),
            ({"start_date": "2024-01-16T10:00:00Z", "end_date": "2024-01-16"}, ["m16", "app16"]),
            ({"status": "pending"}, ["m15", "m16", "app16", "a17"]),
            ({"status": "approved"}, []),
        ],
    )
    async def test_day_and_status_filters(
        self,
        api: Api,
        admin: Member,
        ledger: Ledger,
        params: dict[str, str],
        expected: list[str],
    ) -> None:
        found = ids(await listed(api, admin, **params))

        assert sorted(found) == sorted(getattr(ledger, name)["id"] for name in expected)

    async def test_client_user_project_and_task_filters_with_seed_aliases(
        self, api: Api, admin: Member, member: Member, ledger: Ledger, acme: Client, homepage: Task
    ) -> None:
        acme_bills = sorted([ledger.m15["id"], ledger.m16["id"], ledger.a17["id"]])
        for params in ({"client_id": acme.id}, {"customer": acme.id}, {"customerId": acme.id}):
            assert sorted(ids(await listed(api, admin, **params))) == acme_bills
        mine = sorted([ledger.m15["id"], ledger.m16["id"], ledger.app16["id"]])
        for params in ({"user_id": member.id}, {"userId": member.id}):
            assert sorted(ids(await listed(api, admin, **params))) == mine
        assert ids(await listed(api, admin, project_id=ledger.app.id)) == [ledger.app16["id"]]
        assert len(await listed(api, admin, task_id=homepage.id)) == 3

    async def test_an_alias_disagreeing_with_its_name_is_400(
        self, api: Api, admin: Member, member: Member
    ) -> None:
        response = await api.as_(admin).get(
            BILLS, params={"user_id": admin.id, "userId": member.id}
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    @pytest.mark.parametrize(
        "params",
        [
            {"start_date": "yesterday"},
            {"start_date": "2024-01-16", "end_date": "2024-01-15"},
            {"status": "paid"},
            {"user_id": 0},
            {"per_page": 101},
        ],
    )
    async def test_bad_filters_are_400(
        self, api: Api, admin: Member, params: dict[str, Any]
    ) -> None:
        response = await api.as_(admin).get(BILLS, params=params)

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    async def test_enrich_embeds_names(
        self, api: Api, admin: Member, member: Member, ledger: Ledger, homepage: Task
    ) -> None:
        plain = await listed(api, admin, user_id=member.id, project_id=homepage.project_id)
        enriched = await listed(
            api, admin, user_id=member.id, project_id=homepage.project_id, enrich="true"
        )

        assert "user" not in plain[0]
        bill = enriched[0]
        assert bill["user"] == {"id": member.id, "name": "Max Member"}
        assert bill["client"]["name"] == "Acme Corp"
        assert bill["project"] == {"id": homepage.project_id, "name": "Website", "color": None}
        assert bill["task"] == {"id": homepage.id, "name": "Homepage"}

    @pytest.mark.parametrize("enrich", ["false", "true"])
    async def test_a_page_is_two_statements_whatever_its_size(
        self,
        api: Api,
        admin: Member,
        member: Member,
        homepage: Task,
        queries: QueryCounter,
        enrich: str,
    ) -> None:
        await entry_at(
            api, member, "2024-02-01T09:00:00Z", "2024-02-01T10:00:00Z", task_id=homepage.id
        )
        with queries:
            await api.as_(admin).get(BILLS, params={"enrich": enrich})
        one = queries.count
        for day in range(2, 12):
            await entry_at(
                api,
                member,
                f"2024-02-{day:02}T09:00:00Z",
                f"2024-02-{day:02}T10:00:00Z",
                task_id=homepage.id,
            )

        with queries:
            response = await api.as_(admin).get(BILLS, params={"enrich": enrich})

        assert len(response.json()["time_bills"]) == 11
        assert queries.count == one, queries.statements


class TestVisibility:
    async def test_members_see_their_own_bills(
        self, api: Api, member: Member, ledger: Ledger
    ) -> None:
        found = ids(await listed(api, member))

        assert sorted(found) == sorted([ledger.m15["id"], ledger.m16["id"], ledger.app16["id"]])
        other = await api.as_(member).get(bill_url(ledger.a17["id"]))
        assert other.status_code == 404

    async def test_filtering_by_another_user_needs_fetch_other(
        self, api: Api, member: Member, admin: Member, ledger: Ledger
    ) -> None:
        response = await api.as_(member).get(BILLS, params={"user_id": admin.id})

        assert response.status_code == 403
        assert response.json()["required_permission"] == "time_bill.fetch.other"

    async def test_viewers_see_everyones(self, api: Api, viewer: Member, ledger: Ledger) -> None:
        assert len(await listed(api, viewer)) == 4

    async def test_customers_holding_the_nodes_see_their_clients_bills_only(
        self, api: Api, factory: Factory, owner: Member, ledger: Ledger
    ) -> None:
        customer = await factory.member(owner.organization, "customer", client_id=ledger.globex.id)
        plain = await api.as_(customer).get(BILLS)
        assert plain.status_code == 403
        await give_role(
            factory, customer, ["time_bill.fetch", "time_bill.fetch.many", "time_bill.fetch.other"]
        )

        found = ids(await listed(api, customer))

        assert found == [ledger.app16["id"]]
        assert (await api.as_(customer).get(bill_url(ledger.m15["id"]))).status_code == 404
        assert (await api.as_(customer).get(bill_url(ledger.app16["id"]))).status_code == 200

    async def test_another_organisations_bill_is_404_everywhere(
        self, api: Api, other_owner: Member, ledger: Ledger
    ) -> None:
        bill_id = ledger.m15["id"]
        responses = [
            await api.as_(other_owner).get(bill_url(bill_id)),
            await api.as_(other_owner).patch(bill_url(bill_id), json={"memo": "x"}),
            await api.as_(other_owner).post(bill_url(bill_id, "approve")),
            await api.as_(other_owner).post(
                bill_url(bill_id, "reject"), json={"rejection_note": "x"}
            ),
        ]

        assert [response.status_code for response in responses] == [404] * 4
        skipped = await api.as_(other_owner).post(
            f"{BILLS}/approve-all", json={"bill_ids": [bill_id]}
        )
        assert skipped.json()["skipped"] == [{"id": bill_id, "reason": "not_found"}]
        assert await listed(api, other_owner) == []


class TestGet:
    async def test_a_bill_with_its_embeds_and_entry_ids(
        self, api: Api, member: Member, ledger: Ledger
    ) -> None:
        response = await api.as_(member).get(bill_url(ledger.m15["id"]))

        bill = response.json()["time_bill"]
        assert bill["user"]["id"] == member.id
        assert len(bill["entry_ids"]) == 1
        entry = (await api.as_(member).get(f"/api/v1/time-entries/{bill['entry_ids'][0]}")).json()
        assert entry["time_entry"]["start_time"] == "2024-01-15T10:00:00Z"

    async def test_unknown_or_bad_ids(self, api: Api, member: Member) -> None:
        assert (await api.as_(member).get(bill_url(999_999))).status_code == 404
        assert (await api.as_(member).get(f"{BILLS}/abc")).status_code == 400


class TestPatch:
    async def test_the_owner_changes_the_memo(
        self, api: Api, member: Member, ledger: Ledger
    ) -> None:
        response = await api.as_(member).patch(
            bill_url(ledger.m15["id"]), json={"memo": "Homepage hero"}
        )

        assert response.status_code == 200, response.text
        assert response.json()["time_bill"]["memo"] == "Homepage hero"
        cleared = await api.as_(member).patch(bill_url(ledger.m15["id"]), json={"memo": None})
        assert cleared.json()["time_bill"]["memo"] is None

    async def test_the_owner_cannot_change_the_status(
        self, api: Api, member: Member, ledger: Ledger
    ) -> None:
        for body in ({"status": "approved"}, {"rejection_note": "no"}):
            response = await api.as_(member).patch(bill_url(ledger.m15["id"]), json=body)

            assert response.status_code == 403
            assert response.json()["required_permission"] == "time_bill.approve"

    async def test_someone_elses_memo_needs_approve(
        self, api: Api, factory: Factory, owner: Member, member: Member, ledger: Ledger
    ) -> None:
        await give_role(factory, member, ["time_bill.fetch.many", "time_bill.fetch.other"])

        response = await api.as_(member).patch(bill_url(ledger.a17["id"]), json={"memo": "x"})

        assert response.status_code == 403
        assert response.json()["required_permission"] == "time_bill.approve"

    async def test_an_approver_moves_the_status(
        self, api: Api, factory: Factory, admin: Member, ledger: Ledger
    ) -> None:
        url = bill_url(ledger.m15["id"])
        rejected = await api.as_(admin).patch(
            url, json={"status": "rejected", "rejection_note": "Split it by task"}
        )
        assert rejected.status_code == 200, rejected.text
        bill = rejected.json()["time_bill"]
        assert (bill["status"], bill["rejection_note"]) == ("rejected", "Split it by task")
        assert bill["rejected_at"] is not None

        approved = (await api.as_(admin).patch(url, json={"status": "approved"})).json()
        bill = approved["time_bill"]
        assert (bill["status"], bill["approved_by_id"]) == ("approved", admin.id)
        assert (bill["rejection_note"], bill["rejected_at"]) == (None, None)

        reopened = (await api.as_(admin).patch(url, json={"status": "pending"})).json()
        assert reopened["time_bill"]["status"] == "pending"
        assert reopened["time_bill"]["approved_at"] is None

    @pytest.mark.parametrize(
        ("body", "status", "code"),
        [
            ({"status": "rejected"}, 400, "validation_error"),
            ({"rejection_note": "x", "status": "approved"}, 400, "validation_error"),
            ({"status": "invoiced"}, 400, "validation_error"),
            ({"status": None}, 400, "validation_error"),
            ({"memo": "x" * 2001}, 400, "validation_error"),
            ({"color": "red"}, 400, "validation_error"),
        ],
    )
    async def test_bad_changes(
        self,
        api: Api,
        admin: Member,
        ledger: Ledger,
        body: dict[str, Any],
        status: int,
        code: str,
    ) -> None:
        response = await api.as_(admin).patch(bill_url(ledger.m15["id"]), json=body)

        assert response.status_code == status, response.text
        assert response.json()["error_code"] == code

    async def test_an_approved_bill_cannot_be_rejected_without_reopening(
        self, api: Api, admin: Member, ledger: Ledger
    ) -> None:
        await approve(api, admin, ledger.m15["id"])

        response = await api.as_(admin).post(
            bill_url(ledger.m15["id"], "reject"), json={"rejection_note": "Oops"}
        )

        assert response.status_code == 409
        body = response.json()
        assert (body["error_code"], body["status"]) == ("invalid_status_transition", "approved")
        assert "reopen" in body["message"]

    async def test_an_invoiced_bill_is_409(
        self, api: Api, factory: Factory, admin: Member, member: Member, ledger: Ledger
    ) -> None:
        from clocktower.models import TimeBill

        bill = await factory.session.get_one(TimeBill, ledger.m15["id"])
        bill.status = "invoiced"
        await factory.session.commit()

        for who, body in ((member, {"memo": "x"}), (admin, {"status": "pending"})):
            response = await api.as_(who).patch(bill_url(bill.id), json=body)

            assert response.status_code == 409
            assert response.json()["error_code"] == "time_bill_invoiced"
        approved = await api.as_(admin).post(bill_url(bill.id, "approve"))
        assert approved.status_code == 409


class TestApprove:
    async def test_approval_queues_the_push_and_the_event(
        self, api: Api, factory: Factory, owner: Member, admin: Member, ledger: Ledger
    ) -> None:
        bill = await approve(api, admin, ledger.m15["id"])

        assert (bill["status"], bill["approved_by_id"]) == ("approved", admin.id)
        assert bill["approved_at"] is not None
        pushes = await queued(factory, owner.organization, "accounting.push")
        assert [(p["object_type"], p["object_id"]) for p in pushes] == [("time_bill", bill["id"])]
        record = (
            await factory.session.scalars(
                select(AccountingPush).where(AccountingPush.object_id == bill["id"])
            )
        ).one()
        assert (record.object_type, record.status) == ("time_bill", "pending")
        events = [
            job
            for job in await queued(factory, owner.organization, "webhook.fan_out")
            if job["event"] == "bill.approved"
        ]
        assert [event["data"]["id"] for event in events] == [bill["id"]]
        assert events[0]["data"]["status"] == "approved"
        assert events[0]["data"]["amount"] == 100.0

    async def test_approving_twice_changes_nothing(
        self, api: Api, factory: Factory, owner: Member, admin: Member, ledger: Ledger
    ) -> None:
        first = await approve(api, admin, ledger.m15["id"])
        again = await approve(api, admin, ledger.m15["id"])

        assert again["approved_at"] == first["approved_at"]
        assert len(await queued(factory, owner.organization, "accounting.push")) == 1

    async def test_a_rejected_bill_can_be_approved_once_fixed(
        self, api: Api, admin: Member, ledger: Ledger
    ) -> None:
        await api.as_(admin).post(
            bill_url(ledger.m15["id"], "reject"), json={"rejection_note": "No"}
        )

        bill = await approve(api, admin, ledger.m15["id"])

        assert bill["status"] == "approved"

    async def test_reject_needs_a_note(self, api: Api, admin: Member, ledger: Ledger) -> None:
        for body in ({}, {"rejection_note": ""}, {"rejection_note": "x" * 2001}):
            response = await api.as_(admin).post(bill_url(ledger.m15["id"], "reject"), json=body)

            assert response.status_code == 400

    async def test_members_cannot_approve_or_reject(
        self, api: Api, member: Member, ledger: Ledger
    ) -> None:
        responses = [
            await api.as_(member).post(bill_url(ledger.m15["id"], "approve")),
            await api.as_(member).post(
                bill_url(ledger.m15["id"], "reject"), json={"rejection_note": "x"}
            ),
            await api.as_(member).post(f"{BILLS}/approve-all", json={"bill_ids": [1]}),
        ]

        assert [response.status_code for response in responses] == [403] * 3
        assert {r.json()["required_permission"] for r in responses} == {"time_bill.approve"}


class TestApproveAll:
    async def test_listed_bills_are_approved_or_skipped_with_a_reason(
        self, api: Api, factory: Factory, owner: Member, admin: Member, ledger: Ledger
    ) -> None:
        await approve(api, admin, ledger.m16["id"])
        await api.as_(admin).post(
            bill_url(ledger.app16["id"], "reject"), json={"rejection_note": "No"}
        )
        wanted = [ledger.m15["id"], ledger.m16["id"], ledger.app16["id"], 999_999, ledger.a17["id"]]

        response = await api.as_(admin).post(f"{BILLS}/approve-all", json={"bill_ids": wanted})

        assert response.status_code == 200, response.text
        result = response.json()
        assert result["approved_ids"] == [ledger.m15["id"], ledger.a17["id"]]
        assert result["approved"] == 2
        assert result["skipped"] == [
            {"id": ledger.m16["id"], "reason": "already_approved"},
            {"id": ledger.app16["id"], "reason": "rejected"},
            {"id": 999_999, "reason": "not_found"},
        ]
        assert result["message"] == "2 time bills approved, 3 skipped"
        pushes = await queued(factory, owner.organization, "accounting.push")
        assert len(pushes) == 3

    async def test_filters_approve_the_oldest_pending_bills(
        self, api: Api, admin: Member, member: Member, ledger: Ledger
    ) -> None:
        response = await api.as_(admin).post(
            f"{BILLS}/approve-all",
            json={"user_id": member.id, "start_date": "2024-01-16", "end_date": "2024-01-16"},
        )

        result = response.json()
        assert sorted(result["approved_ids"]) == sorted([ledger.m16["id"], ledger.app16["id"]])
        assert result["remaining"] == 0
        pending = ids(await listed(api, admin, status="pending"))
        assert sorted(pending) == sorted([ledger.m15["id"], ledger.a17["id"]])

    async def test_filters_stop_at_five_hundred_and_say_what_remains(
        self, api: Api, admin: Member, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from clocktower.time_bill import service

        monkeypatch.setattr(service, "APPROVE_ALL_MAX", 3)

        response = await api.as_(admin).post(
            f"{BILLS}/approve-all", json={"start_date": "2024-01-01"}
        )

        result = response.json()
        assert result["approved"] == 3
        assert result["remaining"] == 1
        assert ledger.a17["id"] not in result["approved_ids"]

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"bill_ids": []},
            {"bill_ids": [1], "user_id": 1},
            {"bill_ids": list(range(1, 502))},
            {"start_date": "2024-01-02", "end_date": "2024-01-01"},
            {"bill_ids": [0]},
        ],
    )
    async def test_bad_bodies_are_400(self, api: Api, admin: Member, body: dict[str, Any]) -> None:
        response = await api.as_(admin).post(f"{BILLS}/approve-all", json=body)

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
