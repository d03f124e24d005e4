"""Account test helpers: reset emails."""

from __future__ import annotations

import re

from sqlalchemy import select

from clocktower.config import Settings
from clocktower.email.service import decrypt_body
from clocktower.models import OutboundEmail
from tests.support import Factory


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
