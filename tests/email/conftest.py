"""An SMTP server of the test's own (aiosmtpd) and outbox helpers."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from clocktower.email.service import queue_email
from clocktower.models import OutboundEmail
from tests.support import Factory


def free_port() -> int:
    """A port nothing listens on (yet): bind to 0, note it, let it go."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    """aiosmtpd handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[Message]:
        return [message_from_bytes(envelope.original_content) for envelope in self.envelopes]


@pytest.fixture
async def smtp_server() -> AsyncIterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    # start() blocks until the server answers; keep the test's event loop free meanwhile.
    await asyncio.to_thread(controller.start)
    try:
        yield mailbox, controller.port
    finally:
        await asyncio.to_thread(controller.stop)


async def queue(
    factory: Factory,
    organization_id: int | None,
    *,
    to: str = "new.hire@example.com",
    subject: str = "You are invited to Acme Agency",
    body: str = "Join us: https://clocktower.example/invitations/inv_SECRETLINK123",
    template: str = "invitation",
) -> OutboundEmail:
    """Queue an email (row + email.send job) the way the domains do, and commit it."""
    email = await queue_email(
        factory.session,
        factory.settings,
        organization_id=organization_id,
        to=to,
        subject=subject,
        template=template,
        body=body,
    )
    await factory.session.commit()
    return email
