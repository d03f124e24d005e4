"""A reset token is single use even when two resets race (real commits, own database)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from clocktower.db import Database
from clocktower.kit.time import utcnow
from clocktower.kit.tokens import sha256_hex
from clocktower.main import create_app
from clocktower.models import PasswordResetToken, User
from tests import conftest
from tests.support import PASSWORD

TOKEN = "pr_" + "r" * 40


@pytest.mark.committing
async def test_concurrent_resets_with_one_token_succeed_once(
    committing_database: Database,
) -> None:
    from clocktower.auth.passwords import hash_password

    async with committing_database.transaction() as session:
        user = User(
            name="Racer", email="racer@example.com", password_hash=await hash_password(PASSWORD)
        )
        session.add(user)
        await session.flush()
        now = utcnow()
        session.add(
            PasswordResetToken(
                user_id=user.id,
                token_hash=sha256_hex(TOKEN),
                created_at=now,
                expires_at=now + timedelta(minutes=30),
            )
        )
    app = create_app(conftest.test_settings(committing_database.url), committing_database)
    transport = httpx.ASGITransport(app=app)

    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/auth/reset-password",
                    json={
                        "token": TOKEN,
                        "password": f"new passphrase {n}",
                        "password_confirmation": f"new passphrase {n}",
                    },
                )
                for n in range(3)
            )
        )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 400, 400]
    async with committing_database.transaction(write=False) as session:
        token = (await session.execute(select(PasswordResetToken))).scalar_one()
        assert token.used_at is not None
