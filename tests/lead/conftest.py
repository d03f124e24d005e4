"""Lead fixtures: lead forms, leads, and an app with a small public rate limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from clocktower.db import Database
from clocktower.main import create_app
from clocktower.models import Lead, LeadForm, Organization
from tests.conftest import test_settings as settings_for
from tests.support import Factory, Member


async def add_form(
    factory: Factory, organization: Organization, *, key: str, active: bool = True
) -> LeadForm:
    form = LeadForm(
        organization_id=organization.id, name="Website", public_key=key, is_active=active
    )
    factory.session.add(form)
    await factory.session.commit()
    return form


async def add_lead(
    factory: Factory, organization: Organization, *, name: str = "Lee", **fields: Any
) -> Lead:
    lead = Lead(
        organization_id=organization.id,
        name=name,
        email=fields.pop("email", "lee@example.com"),
        **fields,
    )
    factory.session.add(lead)
    await factory.session.commit()
    return lead


async def leads_in(factory: Factory, organization_id: int) -> list[Lead]:
    found = await factory.session.execute(
        select(Lead)
        .where(Lead.organization_id == organization_id)
        .order_by(Lead.id)
        .execution_options(populate_existing=True)
    )
    return list(found.scalars())


async def lead_count(factory: Factory) -> int:
    return int((await factory.session.execute(select(func.count(Lead.id)))).scalar_one())


@pytest.fixture
async def form(factory: Factory, owner: Member) -> LeadForm:
    return await add_form(factory, owner.organization, key="lf_acme_public_key")


@pytest.fixture
async def other_lead(factory: Factory, other_owner: Member) -> Lead:
    return await add_lead(factory, other_owner.organization, name="Theirs")


@pytest.fixture
def limited_app(database: Database) -> Callable[..., FastAPI]:
    """The real app on this test's database with the given limits (its own limiter)."""

    def build(**limits: Any) -> FastAPI:
        return create_app(settings_for(database.url, **limits), database)

    return build
