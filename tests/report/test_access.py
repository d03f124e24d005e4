"""Who reads whose time in the summary and its export: roles, customers, API-token scopes,
organisations; and the statements a summary costs, whatever it groups."""

from __future__ import annotations

import pytest

from clocktower.organization.repository import RoleRepository
from clocktower.organization.service import add_member
from tests.conftest import QueryCounter
from tests.report.conftest import EXPORT, JANUARY, SUMMARY, Ledger, summary_of, summary_response
from tests.support import Api, Factory, Member, api_token
from tests.time_entry.conftest import add_entry, make_role, utc

ALL_GROUPINGS = "client,user,task,day,week,month"


class TestRoles:
    async def test_a_member_sees_their_own_time(
        self, api: Api, member: Member, ledger: Ledger
    ) -> None:
        summary = await summary_of(api, member, **JANUARY, group_by="user")

        assert (summary["total_hours"], summary["total_entries"]) == (3.0, 2)
        assert [row["user_id"] for row in summary["by_user"]] == [member.id]
        mine = await summary_of(api, member, **JANUARY, user_id=member.id)
        assert mine["total_hours"] == 3.0

    async def test_a_member_asking_for_someone_elses_time_is_refused(
        self, api: Api, owner: Member, member: Member, ledger: Ledger
    ) -> None:
        for url in (SUMMARY, EXPORT):
            response = await api.as_(member).get(url, params={**JANUARY, "user_id": owner.id})

            assert response.status_code == 403, url
            assert response.json()["error_code"] == "forbidden"
            assert response.json()["required_permission"] == "time_entry.fetch.other"

    async def test_admins_and_viewers_see_everyones_time(
        self, api: Api, admin: Member, viewer: Member, member: Member, ledger: Ledger
    ) -> None:
        for who in (admin, viewer):
            everyone = await summary_of(api, who, **JANUARY)
            theirs = await summary_of(api, who, **JANUARY, user_id=member.id)

            assert everyone["total_hours"] == 4.25
            assert theirs["total_hours"] == 3.0

    async def test_without_report_fetch_the_summary_is_refused(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        moniker = await make_role(
            api, owner, "tracker", ["time_entry.fetch", "time_entry.fetch.many"]
        )
        tracker = await factory.member(owner.organization, moniker)

        for url in (SUMMARY, EXPORT):
            response = await api.as_(tracker).get(url)

            assert response.status_code == 403, url
            assert response.json()["required_permission"] == "report.fetch"

    async def test_report_fetch_alone_reads_ones_own_time(
        self, api: Api, factory: Factory, owner: Member, ledger: Ledger
    ) -> None:
        moniker = await make_role(api, owner, "reporter", ["report.fetch"])
        reporter = await factory.member(owner.organization, moniker)
        await add_entry(factory, reporter, utc("2024-01-10T09:00"), minutes=15)

        summary = await summary_of(api, reporter, **JANUARY)

        assert (summary["total_hours"], summary["total_entries"]) == (0.25, 1)

    async def test_anonymous_is_unauthorized(self, api: Api) -> None:
        for url in (SUMMARY, EXPORT):
            response = await api.get(url)

            assert response.status_code == 401
            assert response.json()["error_code"] == "unauthorized"


class TestCustomers:
    async def test_a_customer_sees_only_their_clients_time(
        self, api: Api, factory: Factory, owner: Member, ledger: Ledger
    ) -> None:
        customer = await factory.member(owner.organization, "customer", client_id=ledger.acme.id)

        summary = await summary_of(api, customer, **JANUARY, group_by="client,user")
        elsewhere = await summary_of(api, customer, **JANUARY, client_id=ledger.globex.id)

        assert (summary["total_hours"], summary["total_entries"]) == (1.5, 2)
        assert [row["client_id"] for row in summary["by_client"]] == [ledger.acme.id]
        assert [row["project_id"] for row in summary["by_project"]] == [ledger.website.id]
        assert len(summary["by_user"]) == 2
        assert elsewhere["total_entries"] == 0

    async def test_a_customers_export_holds_only_their_clients_time(
        self, api: Api, factory: Factory, owner: Member, ledger: Ledger
    ) -> None:
        customer = await factory.member(owner.organization, "customer", client_id=ledger.acme.id)

        response = await api.as_(customer).get(EXPORT, params={**JANUARY, "group_by": "client"})

        assert response.status_code == 200
        assert "Acme Corp" in response.text
        assert "Globex" not in response.text
        assert "App" not in response.text


class TestTokens:
    async def test_read_reports_scope_is_needed_and_enough(
        self, api: Api, factory: Factory, owner: Member, member: Member, ledger: Ledger
    ) -> None:
        """Seed 002 asks read:reports and nothing more, also for `user_id`."""
        reports = await api_token(factory, owner, ["read:reports"])
        entries_only = await api_token(factory, owner, ["read:time_entries"])

        allowed = await api.as_(reports).get(SUMMARY, params=JANUARY)
        one_user = await api.as_(reports).get(SUMMARY, params={**JANUARY, "user_id": member.id})
        denied = await api.as_(entries_only).get(SUMMARY, params=JANUARY)
        denied_export = await api.as_(entries_only).get(EXPORT, params=JANUARY)

        assert allowed.status_code == 200
        assert allowed.json()["summary"]["total_hours"] == 4.25
        assert one_user.json()["summary"]["total_hours"] == 3.0
        for response in (denied, denied_export):
            assert response.status_code == 403
            assert response.json()["required_scope"] == "read:reports"
            assert response.json()["available_scopes"] == ["read:time_entries"]

    async def test_a_reports_token_never_reads_more_than_its_user(
        self, api: Api, factory: Factory, owner: Member, member: Member, ledger: Ledger
    ) -> None:
        token = await api_token(factory, member, ["read:reports"])

        own = await api.as_(token).get(SUMMARY, params=JANUARY)
        others = await api.as_(token).get(SUMMARY, params={**JANUARY, "user_id": owner.id})

        assert own.json()["summary"]["total_hours"] == 3.0
        assert others.status_code == 403


class TestOrganisations:
    async def test_another_organisation_sees_none_of_this_time(
        self, api: Api, owner: Member, member: Member, other_owner: Member, ledger: Ledger
    ) -> None:
        for params in (
            {},
            {"user_id": member.id},
            {"project_id": ledger.website.id},
            {"client_id": ledger.acme.id},
            {"task_id": ledger.homepage.id},
        ):
            summary = await summary_of(
                api, other_owner, **JANUARY, **params, group_by=ALL_GROUPINGS
            )

            assert summary["total_entries"] == 0, params
            assert summary["by_project"] == summary["by_user"] == summary["by_client"] == []
            assert all(day["entries"] == 0 for day in summary["by_day"])

    async def test_ids_of_another_organisation_filter_to_nothing(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member, ledger: Ledger
    ) -> None:
        """An id from elsewhere is not an error (as in `GET /time-entries`): it matches no
        entry of this organisation, so the summary is empty."""
        await add_entry(factory, other_owner, utc("2024-01-10T09:00"))

        summary = await summary_of(api, owner, **JANUARY, user_id=other_owner.id)

        assert summary["total_entries"] == 0

    async def test_the_organisation_header_selects_whose_time(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member, ledger: Ledger
    ) -> None:
        await add_entry(factory, other_owner, utc("2024-01-10T09:00"), minutes=6)
        both = await factory.member(owner.organization, "admin")
        role = await RoleRepository(factory.session).by_moniker(
            other_owner.organization.id, "admin"
        )
        assert role is not None
        await add_member(factory.session, other_owner.organization, both.user, role)
        await factory.session.commit()

        here = await summary_of(api, both, **JANUARY)
        there = await api.as_(both).get(
            SUMMARY,
            params=JANUARY,
            headers={"X-Organization-Id": str(other_owner.organization.id)},
        )

        assert here["total_hours"] == 4.25
        assert there.json()["summary"]["total_hours"] == 0.1


class TestStatements:
    @pytest.mark.parametrize("group_by", ["", ALL_GROUPINGS])
    async def test_the_statement_count_does_not_grow_with_the_entries(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        queries: QueryCounter,
        group_by: str,
    ) -> None:
        await add_entry(factory, owner, utc("2024-01-10T09:00"))
        params = {**JANUARY, "group_by": group_by}
        await summary_response(api, owner, **params)  # warm up what a first request does
        with queries:
            await summary_response(api, owner, **params)
        one = queries.count
        others = [await factory.member(owner.organization, "member") for _ in range(3)]
        for index, who in enumerate(others):
            await add_entry(factory, who, utc(f"2024-01-{11 + index}T09:00"))

        with queries:
            response = await summary_response(api, owner, **params)

        assert response.status_code == 200
        assert response.json()["summary"]["total_entries"] == 4
        assert queries.count == one, (one, queries.statements)
