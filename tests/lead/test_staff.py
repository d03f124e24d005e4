"""Leads for staff (S2.2): list, triage, convert to a client; lead forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from clocktower.models import Lead
from tests.api_token.support import issue_token
from tests.client.conftest import projects_of
from tests.lead.conftest import add_form, add_lead, leads_in
from tests.support import Api, Factory, Member

LEADS = "/api/v1/leads"
FORMS = "/api/v1/leads/forms"


class TestListLeads:
    async def test_newest_first_with_pagination(
        self, api: Api, owner: Member, factory: Factory
    ) -> None:
        start = datetime(2026, 1, 1, tzinfo=UTC)
        for day, name in enumerate(("Old", "Middle", "New")):
            await add_lead(
                factory, owner.organization, name=name, created_at=start + timedelta(days=day)
            )

        response = await api.as_(owner).get(LEADS, params={"per_page": 2})

        assert response.status_code == 200
        body = response.json()
        assert [lead["name"] for lead in body["leads"]] == ["New", "Middle"]
        assert body["pagination"]["total"] == 3
        assert body["leads"][0]["status"] == "new"
        assert body["leads"][0]["created_at"] == "2026-01-03T00:00:00Z"

    async def test_status_filter(self, api: Api, owner: Member, factory: Factory) -> None:
        await add_lead(factory, owner.organization, name="Fresh")
        await add_lead(factory, owner.organization, name="Called", status="contacted")

        body = (await api.as_(owner).get(LEADS, params={"status": "contacted"})).json()

        assert [lead["name"] for lead in body["leads"]] == ["Called"]

    async def test_unknown_status_is_400(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(LEADS, params={"status": "hot"})

        assert response.status_code == 400

    async def test_other_organisations_leads_are_not_listed(
        self, api: Api, owner: Member, other_lead: Lead
    ) -> None:
        assert (await api.as_(owner).get(LEADS)).json()["leads"] == []

    async def test_viewer_reads_and_token_needs_read_clients(
        self, api: Api, admin: Member, viewer: Member
    ) -> None:
        reader, _ = await issue_token(api, admin, scopes=["read:clients"])
        other, _ = await issue_token(api, admin, scopes=["read:tasks"])

        assert (await api.as_(viewer).get(LEADS)).status_code == 200
        assert (await api.as_(reader).get(LEADS)).status_code == 200
        denied = await api.as_(other).get(LEADS)
        assert denied.status_code == 403
        assert denied.json()["required_scope"] == "read:clients"

    async def test_anonymous_is_401(self, api: Api) -> None:
        assert (await api.get(LEADS)).status_code == 401

    async def test_query_count_does_not_grow_with_rows(
        self, api: Api, owner: Member, factory: Factory, queries: Any
    ) -> None:
        await add_lead(factory, owner.organization)
        with queries:
            one = await api.as_(owner).get(LEADS)
        single = queries.count
        for number in range(6):
            await add_lead(factory, owner.organization, name=f"Lead {number}")
        with queries:
            many = await api.as_(owner).get(LEADS)

        assert len(one.json()["leads"]) == 1
        assert len(many.json()["leads"]) == 7
        assert queries.count == single


class TestUpdateLead:
    async def test_changes_status(self, api: Api, admin: Member, factory: Factory) -> None:
        lead = await add_lead(factory, admin.organization)

        response = await api.as_(admin).patch(f"{LEADS}/{lead.id}", json={"status": "contacted"})

        assert response.status_code == 200
        assert response.json()["lead"]["status"] == "contacted"

    async def test_converted_status_cannot_be_set_by_hand(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        lead = await add_lead(factory, admin.organization)

        response = await api.as_(admin).patch(f"{LEADS}/{lead.id}", json={"status": "converted"})

        assert response.status_code == 400

    async def test_converted_lead_is_409(self, api: Api, admin: Member, factory: Factory) -> None:
        lead = await add_lead(factory, admin.organization, status="converted")

        response = await api.as_(admin).patch(f"{LEADS}/{lead.id}", json={"status": "new"})

        assert response.status_code == 409
        assert response.json()["error_code"] == "lead_already_converted"

    async def test_unknown_is_404(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).patch(f"{LEADS}/999999", json={"status": "new"})

        assert response.status_code == 404

    async def test_other_organisation_is_404_and_unchanged(
        self, api: Api, owner: Member, other_owner: Member, factory: Factory, other_lead: Lead
    ) -> None:
        response = await api.as_(owner).patch(
            f"{LEADS}/{other_lead.id}", json={"status": "discarded"}
        )

        assert response.status_code == 404
        [lead] = await leads_in(factory, other_owner.organization.id)
        assert lead.status == "new"

    async def test_viewer_cannot_update(self, api: Api, viewer: Member, factory: Factory) -> None:
        lead = await add_lead(factory, viewer.organization)

        response = await api.as_(viewer).patch(f"{LEADS}/{lead.id}", json={"status": "new"})

        assert response.status_code == 403


class TestConvertLead:
    async def test_creates_client_with_general_support(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        lead = await add_lead(
            factory, admin.organization, name="Lee", company="Lee Co", phone="555"
        )

        response = await api.as_(admin).post(f"{LEADS}/{lead.id}/convert")

        assert response.status_code == 201
        body = response.json()
        assert body["message"] == "Lead converted"
        client = body["client"]
        assert (client["name"], client["email"], client["company"], client["phone"]) == (
            "Lee Co",
            "lee@example.com",
            "Lee Co",
            "555",
        )
        assert client["projects_count"] == 1
        assert body["lead"]["status"] == "converted"
        assert body["lead"]["client_id"] == client["id"]
        assert body["lead"]["converted_at"].endswith("Z")
        [project] = await projects_of(factory, client["id"])
        assert project.name == "General Support"
        assert project.is_default_for_client is True

    async def test_name_without_company_and_overrides(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        plain = await add_lead(factory, admin.organization, name="Solo")
        custom = await add_lead(factory, admin.organization, name="Other")

        named = await api.as_(admin).post(f"{LEADS}/{plain.id}/convert")
        overridden = await api.as_(admin).post(
            f"{LEADS}/{custom.id}/convert",
            json={"name": "Renamed BV", "currency": "EUR", "default_hourly_rate": 80},
        )

        assert named.json()["client"]["name"] == "Solo"
        client = overridden.json()["client"]
        assert (client["name"], client["currency"], client["default_hourly_rate"]) == (
            "Renamed BV",
            "EUR",
            80.0,
        )

    async def test_setting_off_creates_no_project(
        self, api: Api, owner: Member, factory: Factory
    ) -> None:
        await api.as_(owner).put(
            "/api/v1/settings", json={"auto_create_general_support_project": False}
        )
        lead = await add_lead(factory, owner.organization)

        client = (await api.as_(owner).post(f"{LEADS}/{lead.id}/convert")).json()["client"]

        assert client["projects_count"] == 0

    async def test_second_conversion_is_409(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        lead = await add_lead(factory, admin.organization)
        await api.as_(admin).post(f"{LEADS}/{lead.id}/convert")

        again = await api.as_(admin).post(f"{LEADS}/{lead.id}/convert")

        assert again.status_code == 409
        assert again.json()["error_code"] == "lead_already_converted"
        clients = (await api.as_(admin).get("/api/v1/clients")).json()["clients"]
        assert len(clients) == 1

    async def test_invalid_override_is_400(self, api: Api, admin: Member, factory: Factory) -> None:
        lead = await add_lead(factory, admin.organization)

        response = await api.as_(admin).post(f"{LEADS}/{lead.id}/convert", json={"name": None})

        assert response.status_code == 400

    async def test_unknown_is_404(self, api: Api, admin: Member) -> None:
        assert (await api.as_(admin).post(f"{LEADS}/999999/convert")).status_code == 404

    async def test_other_organisation_is_404_and_unchanged(
        self, api: Api, owner: Member, other_owner: Member, factory: Factory, other_lead: Lead
    ) -> None:
        response = await api.as_(owner).post(f"{LEADS}/{other_lead.id}/convert")

        assert response.status_code == 404
        [lead] = await leads_in(factory, other_owner.organization.id)
        assert lead.status == "new"
        assert lead.client_id is None

    async def test_member_and_write_less_token_cannot_convert(
        self, api: Api, admin: Member, member: Member, factory: Factory
    ) -> None:
        lead = await add_lead(factory, admin.organization)
        token, _ = await issue_token(api, admin, scopes=["read:clients"])

        assert (await api.as_(member).post(f"{LEADS}/{lead.id}/convert")).status_code == 403
        scoped = await api.as_(token).post(f"{LEADS}/{lead.id}/convert")
        assert scoped.status_code == 403
        assert scoped.json()["required_scope"] == "write:clients"


class TestLeadForms:
    async def test_create_list_and_submit_with_the_key(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        created = await api.as_(admin).post(FORMS, json={"name": "Marketing site"})

        assert created.status_code == 201
        form = created.json()["lead_form"]
        assert form["public_key"].startswith("lf_")
        assert len(form["public_key"]) == 35
        listed = (await api.as_(admin).get(FORMS)).json()["lead_forms"]
        assert [f["id"] for f in listed] == [form["id"]]
        submitted = await api.post(
            LEADS, json={"form_key": form["public_key"], "name": "Lee", "email": "l@example.com"}
        )
        assert submitted.status_code == 202
        assert len(await leads_in(factory, admin.organization.id)) == 1

    async def test_delete_stops_the_key(self, api: Api, admin: Member, factory: Factory) -> None:
        form = await add_form(factory, admin.organization, key="lf_to_delete")

        deleted = await api.as_(admin).delete(f"{FORMS}/{form.id}")
        submitted = await api.post(
            LEADS, json={"form_key": "lf_to_delete", "name": "Lee", "email": "l@example.com"}
        )

        assert deleted.json() == {"message": "Lead form deleted"}
        assert submitted.status_code == 404

    async def test_other_organisations_forms_are_hidden_and_kept(
        self, api: Api, owner: Member, other_owner: Member, factory: Factory
    ) -> None:
        theirs = await add_form(factory, other_owner.organization, key="lf_theirs")

        listed = (await api.as_(owner).get(FORMS)).json()["lead_forms"]
        deleted = await api.as_(owner).delete(f"{FORMS}/{theirs.id}")

        assert listed == []
        assert deleted.status_code == 404
        assert deleted.json()["error_code"] == "lead_form_not_found"
        assert len((await api.as_(other_owner).get(FORMS)).json()["lead_forms"]) == 1

    async def test_unknown_form_is_404(self, api: Api, admin: Member) -> None:
        assert (await api.as_(admin).delete(f"{FORMS}/999999")).status_code == 404

    async def test_member_and_viewer_cannot_manage(
        self, api: Api, member: Member, viewer: Member
    ) -> None:
        for who in (member, viewer):
            assert (await api.as_(who).get(FORMS)).status_code == 403
            assert (await api.as_(who).post(FORMS, json={"name": "X"})).status_code == 403

    async def test_invalid_body_is_400(self, api: Api, admin: Member) -> None:
        assert (await api.as_(admin).post(FORMS, json={"name": ""})).status_code == 400
