"""GET and PUT /preferences (seed 003)."""

from __future__ import annotations

import pytest

from tests.support import Api, Factory, Member

URL = "/api/v1/preferences"


class TestGetPreferences:
    async def test_defaults(self, api: Api, member: Member) -> None:
        response = await api.as_(member).get(URL)

        assert response.status_code == 200
        assert response.json() == {
            "preferences": {
                "timezone": "UTC",
                "work_days": ["mon", "tue", "wed", "thu", "fri"],
                "work_hours_start": "09:00",
                "work_hours_end": "17:00",
                "preferences": {
                    "theme": "system",
                    "notifications": True,
                    "week_start": "monday",
                    "date_format": "YYYY-MM-DD",
                    "time_format": "24h",
                },
            }
        }

    async def test_stored_values_no_longer_valid_fall_back(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        member.user.preferences = {"theme": "neon", "notifications": False, "legacy": 1}
        await factory.session.commit()

        response = await api.as_(member).get(URL)

        shown = response.json()["preferences"]["preferences"]
        assert shown["theme"] == "system"
        assert shown["notifications"] is False
        assert "legacy" not in shown

    async def test_needs_authentication(self, api: Api) -> None:
        assert (await api.get(URL)).status_code == 401


class TestUpdatePreferences:
    async def test_partial_update(self, api: Api, member: Member) -> None:
        await api.as_(member).put(URL, json={"preferences": {"theme": "dark"}})

        response = await api.as_(member).put(
            URL,
            json={
                "timezone": "Europe/London",
                "work_days": ["thu", "mon", "tue", "wed"],
                "work_hours_start": "08:30",
                "preferences": {"time_format": "12h"},
            },
        )

        assert response.status_code == 200
        body = response.json()
        assert body["message"] == "Preferences updated"
        assert body["preferences"]["timezone"] == "Europe/London"
        assert body["preferences"]["work_days"] == ["mon", "tue", "wed", "thu"]
        assert body["preferences"]["work_hours_start"] == "08:30"
        assert body["preferences"]["work_hours_end"] == "17:00"
        # Display choices merge: the earlier theme stays.
        assert body["preferences"]["preferences"]["theme"] == "dark"
        assert body["preferences"]["preferences"]["time_format"] == "12h"
        again = await api.as_(member).get(URL)
        assert again.json()["preferences"] == body["preferences"]

    async def test_works_without_an_organisation(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        member.user.current_organization_id = None
        await factory.session.commit()

        response = await api.as_(member).put(URL, json={"work_days": ["sat"]})

        assert response.status_code == 200
        assert response.json()["preferences"]["work_days"] == ["sat"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"work_days": ["mon", "someday"]}, "work_days.1"),
            ({"work_days": ["mon", "mon"]}, "work_days"),
            ({"work_hours_start": "9:00"}, "work_hours_start"),
            ({"work_hours_end": "24:00"}, "work_hours_end"),
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"timezone": None}, "timezone"),
            ({"preferences": {"theme": "neon"}}, "preferences.theme"),
            ({"preferences": {"colour": "red"}}, "preferences.colour"),
            ({"font": "large"}, "font"),
        ],
    )
    async def test_invalid_values_are_validation_errors(
        self, api: Api, member: Member, body: dict[str, object], field: str
    ) -> None:
        response = await api.as_(member).put(URL, json=body)

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
        assert field in response.json()["errors"]

    async def test_end_before_start_is_validation_error(self, api: Api, member: Member) -> None:
        response = await api.as_(member).put(
            URL, json={"work_hours_start": "18:00", "work_hours_end": "08:00"}
        )

        assert response.status_code == 400
        assert "work_hours_end" in response.json()["errors"]

    async def test_end_before_the_stored_start_is_validation_error(
        self, api: Api, member: Member
    ) -> None:
        response = await api.as_(member).put(URL, json={"work_hours_end": "08:00"})

        assert response.status_code == 400
        assert "work_hours_end" in response.json()["errors"]
        unchanged = await api.as_(member).get(URL)
        assert unchanged.json()["preferences"]["work_hours_end"] == "17:00"

    async def test_token_without_write_scope_is_refused(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        from tests.support import api_token

        token = await api_token(factory, member, ["read:users"])

        read = await api.as_(token).get(URL)
        write = await api.as_(token).put(URL, json={"work_days": ["mon"]})

        assert read.status_code == 200
        assert write.status_code == 403
        assert write.json()["required_scope"] == "write:users"
