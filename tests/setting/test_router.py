"""Organisation settings: read with defaults, partial update, validation, permissions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api, Member

SETTINGS = "/api/v1/settings"


class TestGetSettings:
    async def test_defaults_for_a_new_organisation(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(SETTINGS)

        assert response.status_code == 200
        organization = owner.organization
        assert response.json() == {
            "settings": {
                "organization": {
                    "id": organization.id,
                    "name": "Acme Agency",
                    "slug": organization.slug,
                    "timezone": "UTC",
                    "billing_email": None,
                    "currency": "EUR",
                    "address": None,
                    "subscription_status": "active",
                },
                "single_active_timer": True,
                "rounding": {"mode": "none", "minutes": 0},
                "allow_entries_over_24h": False,
                "auto_create_general_support_project": True,
                "modules": {"inventory": False},
                "invoice_number_pattern": "INV-{YYYY}-{SEQ:4}",
                "default_hourly_rate": None,
                "team_count": 1,
            }
        }

    async def test_team_count_counts_members(
        self, api: Api, owner: Member, admin: Member, member: Member, viewer: Member
    ) -> None:
        response = await api.as_(owner).get(SETTINGS)

        assert response.json()["settings"]["team_count"] == 4

    async def test_viewer_can_read(self, api: Api, viewer: Member) -> None:
        response = await api.as_(viewer).get(SETTINGS)

        assert response.status_code == 200

    async def test_each_organisation_sees_its_own(
        self, api: Api, owner: Member, other_owner: Member
    ) -> None:
        await api.as_(owner).put(SETTINGS, json={"timezone": "Europe/Amsterdam"})

        theirs = await api.as_(other_owner).get(SETTINGS)

        assert theirs.json()["settings"]["organization"]["id"] == other_owner.organization.id
        assert theirs.json()["settings"]["organization"]["timezone"] == "UTC"

    async def test_anonymous_is_401(self, api: Api) -> None:
        response = await api.get(SETTINGS)

        assert response.status_code == 401


class TestUpdateSettings:
    async def test_changes_only_the_fields_sent(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).put(
            SETTINGS,
            json={
                "timezone": "Europe/Amsterdam",
                "billing_email": "billing@acme.example",
                "currency": "USD",
                "address": "Keizersgracht 1, Amsterdam",
                "rounding": {"mode": "per_entry", "minutes": 15},
                "modules": {"inventory": True},
                "default_hourly_rate": 125.5,
                "invoice_number_pattern": "ACME-{YY}{MM}-{SEQ:5}",
            },
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Settings updated"
        settings = response.json()["settings"]
        assert settings["organization"]["timezone"] == "Europe/Amsterdam"
        assert settings["organization"]["billing_email"] == "billing@acme.example"
        assert settings["organization"]["currency"] == "USD"
        assert settings["organization"]["address"] == "Keizersgracht 1, Amsterdam"
        assert settings["organization"]["name"] == "Acme Agency"
        assert settings["rounding"] == {"mode": "per_entry", "minutes": 15}
        assert settings["modules"] == {"inventory": True}
        assert settings["default_hourly_rate"] == 125.5
        assert settings["invoice_number_pattern"] == "ACME-{YY}{MM}-{SEQ:5}"
        assert settings["single_active_timer"] is True
        assert settings["allow_entries_over_24h"] is False
        assert (await api.as_(admin).get(SETTINGS)).json()["settings"] == settings

    async def test_rate_is_exact_and_can_be_cleared(self, api: Api, admin: Member) -> None:
        set_rate = await api.as_(admin).put(SETTINGS, json={"default_hourly_rate": "99.99"})
        cleared = await api.as_(admin).put(SETTINGS, json={"default_hourly_rate": None})

        assert set_rate.json()["settings"]["default_hourly_rate"] == 99.99
        assert cleared.json()["settings"]["default_hourly_rate"] is None

    async def test_booleans_and_name(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).put(
            SETTINGS,
            json={
                "name": "Acme Studio",
                "single_active_timer": False,
                "allow_entries_over_24h": True,
                "auto_create_general_support_project": False,
            },
        )

        settings = response.json()["settings"]
        assert settings["organization"]["name"] == "Acme Studio"
        assert settings["single_active_timer"] is False
        assert settings["allow_entries_over_24h"] is True
        assert settings["auto_create_general_support_project"] is False

    async def test_switching_rounding_off(self, api: Api, admin: Member) -> None:
        await api.as_(admin).put(SETTINGS, json={"rounding": {"mode": "per_bill", "minutes": 6}})

        response = await api.as_(admin).put(
            SETTINGS, json={"rounding": {"mode": "none", "minutes": 0}}
        )

        assert response.json()["settings"]["rounding"] == {"mode": "none", "minutes": 0}

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
            ({"timezone": None}, "timezone"),
            ({"currency": "eur"}, "currency"),
            ({"currency": "EURO"}, "currency"),
            ({"billing_email": "not-an-email"}, "billing_email"),
            ({"name": ""}, "name"),
            ({"name": None}, "name"),
            ({"rounding": {"mode": "none", "minutes": 15}}, "rounding"),
            ({"rounding": {"mode": "per_entry", "minutes": 0}}, "rounding"),
            ({"rounding": {"mode": "per_entry", "minutes": 7}}, "rounding.minutes"),
            ({"rounding": {"mode": "sometimes", "minutes": 15}}, "rounding.mode"),
            ({"rounding": {"mode": "per_entry"}}, "rounding"),
            ({"default_hourly_rate": -1}, "default_hourly_rate"),
            ({"default_hourly_rate": "12.345"}, "default_hourly_rate"),
            ({"default_hourly_rate": "lots"}, "default_hourly_rate"),
            ({"invoice_number_pattern": "INV-{YYYY}"}, "invoice_number_pattern"),
            ({"invoice_number_pattern": "INV-{SEQ}-{SEQ}"}, "invoice_number_pattern"),
            ({"invoice_number_pattern": "INV-{DAY}-{SEQ}"}, "invoice_number_pattern"),
            ({"modules": {"inventory": True, "rockets": True}}, "modules.rockets"),
            ({"single_active_timer": None}, "single_active_timer"),
            ({"subscription_status": "free"}, "subscription_status"),
            ({"integrations": {}}, "integrations"),
        ],
    )
    async def test_invalid_field_is_400(
        self, api: Api, admin: Member, body: dict[str, Any], field: str
    ) -> None:
        response = await api.as_(admin).put(SETTINGS, json=body)

        assert response.status_code == 400, response.text
        assert response.json()["error_code"] == "validation_error"
        assert field in response.json()["errors"]

    async def test_unknown_field_is_named(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).put(SETTINGS, json={"theme": "dark"})

        assert response.json()["errors"] == {"theme": ["Unknown field"]}

    async def test_nothing_is_half_written(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).put(
            SETTINGS, json={"name": "Half", "timezone": "Nowhere/Nothing"}
        )

        assert response.status_code == 400
        after = await api.as_(admin).get(SETTINGS)
        assert after.json()["settings"]["organization"]["name"] == "Acme Agency"

    async def test_malformed_json_is_400(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).put(
            SETTINGS, content=b"{", headers={"Content-Type": "application/json"}
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_json"

    async def test_viewer_cannot_write(self, api: Api, viewer: Member) -> None:
        response = await api.as_(viewer).put(SETTINGS, json={"name": "Mine now"})

        assert response.status_code == 403
        assert response.json()["required_permission"] == "setting.update"

    async def test_member_cannot_write(self, api: Api, member: Member) -> None:
        response = await api.as_(member).put(SETTINGS, json={"currency": "GBP"})

        assert response.status_code == 403
