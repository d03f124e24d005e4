"""Who may read the dashboards: sign-in, the report.fetch permission, token scopes, and
the organisation the request is for."""

from __future__ import annotations

import pytest

from clocktower.organization.repository import RoleRepository
from clocktower.organization.service import add_member
from tests.dashboard.conftest import PRODUCTIVITY, VALUE, WEEK, Hold, forecast_url, utc
from tests.support import Api, Factory, Member, api_token
from tests.time_entry.conftest import add_entry, make_project, make_role

PERSONAL = [VALUE, WEEK, PRODUCTIVITY]
NOW = "2026-04-15T10:00"


class TestSignIn:
    @pytest.mark.parametrize("url", [*PERSONAL, forecast_url(1)])
    async def test_anonymous_is_401(self, api: Api, url: str) -> None:
        response = await api.get(url)

        assert response.status_code == 401
        assert response.json()["error_code"] == "unauthorized"


class TestPermissions:
    async def test_every_builtin_role_reads_its_dashboards(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        admin: Member,
        member: Member,
        viewer: Member,
        at: Hold,
    ) -> None:
        at(utc(NOW))
        client = await factory.client(owner.organization)
        project = await make_project(factory, owner.organization, client_id=client.id)
        customer = await factory.member(owner.organization, "customer", client_id=client.id)
        for who in (owner, admin, member, viewer, customer):
            for url in [*PERSONAL, forecast_url(project.id)]:
                response = await api.as_(who).get(url)
                assert response.status_code == 200, (who.user.name, url, response.text)

    async def test_without_report_fetch_is_403(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        project = await make_project(factory, owner.organization)
        role = await make_role(api, owner, "tracker", ["time_entry.fetch", "project.fetch"])
        tracker = await factory.member(owner.organization, role)

        for url in [*PERSONAL, forecast_url(project.id)]:
            response = await api.as_(tracker).get(url)
            assert response.status_code == 403, url
            assert response.json()["required_permission"] == "report.fetch"

    async def test_forecast_needs_project_fetch_too(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        project = await make_project(factory, owner.organization)
        role = await make_role(api, owner, "reporter", ["report.fetch"])
        reporter = await factory.member(owner.organization, role)

        assert (await api.as_(reporter).get(VALUE)).status_code == 200
        response = await api.as_(reporter).get(forecast_url(project.id))
        assert response.status_code == 403
        assert response.json()["required_permission"] == "project.fetch"


class TestTokens:
    async def test_read_reports_scope(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        project = await make_project(factory, owner.organization)
        reports = await api_token(factory, owner, ["read:reports"])
        both = await api_token(factory, owner, ["read:reports", "read:projects"])
        other = await api_token(factory, owner, ["read:time_entries"])

        for url in PERSONAL:
            assert (await api.as_(reports).get(url)).status_code == 200, url
            denied = await api.as_(other).get(url)
            assert denied.status_code == 403
            assert denied.json()["required_scope"] == "read:reports"
        forecast = await api.as_(reports).get(forecast_url(project.id))
        assert forecast.status_code == 403
        assert forecast.json()["required_scope"] == "read:projects"
        assert (await api.as_(both).get(forecast_url(project.id))).status_code == 200


class TestOrganisations:
    async def test_only_the_requested_organisations_time_counts(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        await add_entry(factory, owner, utc("2026-04-14T09:00"), minutes=60)
        role = await RoleRepository(factory.session).by_moniker(
            other_owner.organization.id, "member"
        )
        assert role is not None
        await add_member(factory.session, other_owner.organization, owner.user, role)
        await factory.session.commit()
        elsewhere = {"X-Organization-Id": str(other_owner.organization.id)}

        home = (await api.as_(owner).get(VALUE)).json()
        away = (await api.as_(owner).get(VALUE, headers=elsewhere)).json()
        away_week = (await api.as_(owner).get(WEEK, headers=elsewhere)).json()
        away_stats = (await api.as_(owner).get(PRODUCTIVITY, headers=elsewhere)).json()

        assert home["total_hours"] == 1.0
        assert away["total_hours"] == 0.0
        assert away_week["current_week"]["total_hours"] == 0.0
        assert away_stats["summary"]["week_hours"] == 0.0
