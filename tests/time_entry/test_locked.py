"""Locked entries (S4.2): an entry whose time bill is approved or invoiced, or that an
invoice bills directly, cannot change through any route (409 `entry_locked`; bulk skips
it as `locked`) until an approver reopens the bill."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from clocktower.models import Client, Invoice, Project, TimeBill, TimeEntry
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import ENTRIES, create_entry, entry_url, make_project

BILLS = "/api/v1/time-bills"


@pytest.fixture
async def project(factory: Factory, owner: Member) -> Project:
    return await make_project(factory, owner.organization, name="Website")


async def approved_entry(
    api: Api, who: Member, approver: Member, project: Project, **fields: Any
) -> dict[str, Any]:
    """An entry of `who` whose bill `approver` approved."""
    entry = await create_entry(api, who, project_id=project.id, **fields)
    [bill] = (await api.as_(who).get(BILLS, params={"status": "pending"})).json()["time_bills"]
    response = await api.as_(approver).post(f"{BILLS}/{bill['id']}/approve")
    assert response.status_code == 200, response.text
    return entry


async def bill_of(factory: Factory, entry_id: int) -> TimeBill:
    result = await factory.session.execute(
        select(TimeBill)
        .join(TimeEntry, TimeEntry.time_bill_id == TimeBill.id)
        .where(TimeEntry.id == entry_id)
        .execution_options(populate_existing=True)
    )
    return result.scalar_one()


def assert_locked(response: Any, entry_id: int) -> None:
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["error_code"] == "entry_locked"
    assert body["entry_id"] == entry_id
    assert "approved" in body["message"] or "invoice" in body["message"]


class TestLockedByAnApprovedBill:
    @pytest.mark.parametrize(
        ("method", "suffix", "body"),
        [
            ("PUT", "", {"notes": "changed"}),
            ("PATCH", "", {"duration_seconds": 60}),
            ("PATCH", "", {"billable": False}),
            ("POST", "/notes", {"notes": "changed"}),
            ("DELETE", "", None),
        ],
    )
    async def test_every_entry_route_answers_409(
        self,
        api: Api,
        factory: Factory,
        member: Member,
        admin: Member,
        project: Project,
        method: str,
        suffix: str,
        body: dict[str, Any] | None,
    ) -> None:
        entry = await approved_entry(api, member, admin, project)
        bill = await bill_of(factory, entry["id"])

        response = await api.as_(member).request(method, entry_url(entry["id"]) + suffix, json=body)

        assert_locked(response, entry["id"])
        assert response.json()["time_bill_id"] == bill.id
        assert bill.bill_key in response.json()["message"]
        after = (await api.as_(member).get(entry_url(entry["id"]))).json()["time_entry"]
        assert after == entry | {"user": after["user"], "project": after["project"]}

    async def test_an_admin_is_refused_too(
        self, api: Api, member: Member, admin: Member, project: Project
    ) -> None:
        entry = await approved_entry(api, member, admin, project)

        response = await api.as_(admin).delete(entry_url(entry["id"]))

        assert_locked(response, entry["id"])

    async def test_someone_elses_entry_is_403_before_409(
        self, api: Api, factory: Factory, owner: Member, admin: Member, project: Project
    ) -> None:
        other = await factory.member(owner.organization, "viewer")
        entry = await approved_entry(api, admin, admin, project)

        response = await api.as_(other).delete(entry_url(entry["id"]))

        assert response.status_code == 403

    async def test_reopening_the_bill_unlocks_its_entries(
        self, api: Api, factory: Factory, member: Member, admin: Member, project: Project
    ) -> None:
        entry = await approved_entry(api, member, admin, project)
        bill = await bill_of(factory, entry["id"])

        reopened = await api.as_(admin).patch(f"{BILLS}/{bill.id}", json={"status": "pending"})
        assert reopened.status_code == 200, reopened.text
        response = await api.as_(member).patch(
            entry_url(entry["id"]), json={"duration_seconds": 1800}
        )

        assert response.status_code == 200, response.text
        again = await bill_of(factory, entry["id"])
        assert (again.id, again.status, again.seconds) == (bill.id, "pending", 1800)

    async def test_bulk_skips_locked_entries_and_does_the_rest(
        self, api: Api, member: Member, admin: Member, project: Project
    ) -> None:
        locked = await approved_entry(api, member, admin, project)
        free = await create_entry(
            api,
            member,
            project_id=project.id,
            start_time="2024-01-16T09:00:00Z",
            end_time="2024-01-16T10:00:00Z",
        )

        for action, value in (("set_billable", False), ("add_tag", "x"), ("delete", None)):
            response = await api.as_(member).post(
                f"{ENTRIES}/bulk",
                json={"action": action, "entry_ids": [locked["id"], free["id"]], "value": value},
            )
            assert response.status_code == 200, response.text
            result = response.json()
            assert result["skipped"] == [{"id": locked["id"], "reason": "locked"}]
            assert result["affected_ids"] == [free["id"]]

    async def test_time_block_and_focus_session_routes_answer_409(
        self, api: Api, member: Member, admin: Member, project: Project
    ) -> None:
        block = await api.as_(member).post(
            "/api/v1/time-blocks",
            json={
                "title": "Work",
                "start_time": "2024-01-15T09:00:00Z",
                "end_time": "2024-01-15T10:00:00Z",
                "project_id": project.id,
            },
        )
        block_id = block.json()["data"]["id"]
        session = await api.as_(member).post(
            "/api/v1/sessions",
            json={
                "session": {
                    "startTimestamp": "2024-01-16T09:00:00Z",
                    "duration": 1500,
                    "type": "session",
                }
            },
        )
        assert session.status_code == 201, session.text
        session_id = session.json()["session"]["id"]
        bills = (await api.as_(member).get(BILLS)).json()["time_bills"]
        approved = await api.as_(admin).post(
            f"{BILLS}/approve-all", json={"bill_ids": [bill["id"] for bill in bills]}
        )
        assert approved.json()["approved"] == len(bills) == 2

        responses = [
            await api.as_(member).put(f"/api/v1/time-blocks/{block_id}", json={"title": "New"}),
            await api.as_(member).delete(f"/api/v1/time-blocks/{block_id}"),
            await api.as_(member).put(
                f"/api/v1/sessions/{session_id}",
                json={
                    "session": {
                        "startTimestamp": "2024-01-16T09:00:00Z",
                        "duration": 600,
                        "type": "session",
                    }
                },
            ),
            await api.as_(member).delete(f"/api/v1/sessions/{session_id}"),
        ]

        assert [response.status_code for response in responses] == [409, 409, 409, 409]
        assert {response.json()["error_code"] for response in responses} == {"entry_locked"}


class TestLockedByAnInvoice:
    async def test_an_invoiced_bill_locks_its_entries(
        self, api: Api, factory: Factory, member: Member, admin: Member, project: Project
    ) -> None:
        entry = await approved_entry(api, member, admin, project)
        bill = await bill_of(factory, entry["id"])
        bill.status = "invoiced"
        await factory.session.commit()

        response = await api.as_(member).patch(entry_url(entry["id"]), json={"notes": "x"})

        assert_locked(response, entry["id"])
        assert "invoiced" in response.json()["message"]

    async def test_an_entry_an_invoice_bills_directly_is_locked(
        self, api: Api, factory: Factory, owner: Member, member: Member, project: Project
    ) -> None:
        client = Client(organization_id=owner.organization.id, name="Acme")
        factory.session.add(client)
        await factory.session.flush()
        invoice = Invoice(
            organization_id=owner.organization.id, client_id=client.id, currency="EUR"
        )
        factory.session.add(invoice)
        await factory.session.flush()
        entry = await create_entry(api, member, project_id=project.id)
        stored = await factory.session.get_one(TimeEntry, entry["id"])
        stored.invoice_id = invoice.id
        await factory.session.commit()

        response = await api.as_(member).delete(entry_url(entry["id"]))

        assert_locked(response, entry["id"])
        assert response.json()["invoice_id"] == invoice.id
