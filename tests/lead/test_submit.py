"""The public lead form (S2.2, seed 000 POST /api/leads): rate limited, honeypot."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI

from clocktower.models import LeadForm
from tests.lead.conftest import add_form, lead_count, leads_in
from tests.support import Api, Factory, Member

LEADS = "/api/v1/leads"
THANKS = {"message": "Thank you, we will be in touch"}


def submission(form_key: str, **fields: str) -> dict[str, str]:
    return {"form_key": form_key, "name": "Lee Lead", "email": "Lee@Example.com", **fields}


class TestSubmitLead:
    async def test_stores_lead_in_the_forms_organisation(
        self, api: Api, owner: Member, factory: Factory, form: LeadForm
    ) -> None:
        body = submission(
            form.public_key, company="Lee Co", phone="123", message="Call me", source="pricing"
        )

        response = await api.post(LEADS, json=body, headers={"User-Agent": "Browser/1.0"})

        assert response.status_code == 202
        assert response.json() == THANKS
        [lead] = await leads_in(factory, owner.organization.id)
        assert (lead.name, lead.email, lead.company, lead.status) == (
            "Lee Lead",
            "lee@example.com",
            "Lee Co",
            "new",
        )
        assert lead.message == "Call me"
        assert lead.source == "pricing"
        assert lead.user_agent == "Browser/1.0"
        assert lead.ip_address == "127.0.0.1"

    async def test_honeypot_answers_the_same_and_stores_nothing(
        self, api: Api, factory: Factory, form: LeadForm
    ) -> None:
        response = await api.post(
            LEADS, json=submission(form.public_key, website="http://spam.example.com")
        )

        assert response.status_code == 202
        assert response.json() == THANKS
        assert await lead_count(factory) == 0

    async def test_unknown_form_key_is_404(self, api: Api, factory: Factory) -> None:
        response = await api.post(LEADS, json=submission("lf_nope"))

        assert response.status_code == 404
        assert response.json()["error_code"] == "lead_form_not_found"
        assert await lead_count(factory) == 0

    async def test_inactive_form_is_404(self, api: Api, owner: Member, factory: Factory) -> None:
        await add_form(factory, owner.organization, key="lf_closed", active=False)

        response = await api.post(LEADS, json=submission("lf_closed"))

        assert response.status_code == 404
        assert response.json()["error_code"] == "lead_form_not_found"

    async def test_invalid_body_is_400(self, api: Api, form: LeadForm) -> None:
        for body in (
            {"form_key": form.public_key, "name": "X"},
            submission(form.public_key, email="nope"),
            {**submission(form.public_key), "admin": "1"},
            submission(form.public_key, name=""),
        ):
            response = await api.post(LEADS, json=body)
            assert response.status_code == 400, body
            assert response.json()["error_code"] == "validation_error"

    async def test_rate_limited_per_address(
        self, limited_app: Callable[..., FastAPI], factory: Factory, form: LeadForm
    ) -> None:
        app = limited_app(public_rate_limit_per_minute=2)
        transport = httpx.ASGITransport(app=app, client=("10.0.0.9", 50_000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            answers = [await client.post(LEADS, json=submission(form.public_key)) for _ in range(3)]

        assert [a.status_code for a in answers] == [202, 202, 429]
        assert answers[2].json()["error_code"] == "rate_limited"
        assert "Retry-After" in answers[2].headers
        assert await lead_count(factory) == 2
