"""Account test helpers: the preferences router on the test app, reset emails."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from clocktower.account.router import preferences_router
from clocktower.config import Settings
from clocktower.email.service import decrypt_body
from clocktower.models import OutboundEmail
from tests.support import Factory


@pytest.fixture
def preferences_mounted(app: Any) -> None:
    """Until api.py includes preferences_router, mount it on the test app (once)."""
    paths = {getattr(route, "path", None) for route in app.routes}
    if "/api/v1/preferences" not in paths:
        app.include_router(preferences_router, prefix="/api/v1")
        app.openapi_schema = None


async def sent_emails(factory: Factory, to: str) -> list[OutboundEmail]:
    result = await factory.session.execute(
        select(OutboundEmail)
        .where(OutboundEmail.to_address == to)
        .order_by(OutboundEmail.id)
        .execution_options(populate_existing=True)
    )
    return list(result.scalars())


def reset_token_in(settings: Settings, email: OutboundEmail) -> str:
    body = decrypt_body(settings, email)
    found = re.search(r"/reset-password\?token=(pr_[A-Za-z0-9]+)", body)
    assert found is not None, body
    return found.group(1)
