"""Races that must have exactly one winner: refresh-token rotation and idempotent creates."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from clocktower.db import Database
from clocktower.models import AuthSession, Invitation, Organization
from tests.concurrency.conftest import register

pytestmark = pytest.mark.committing

PARALLEL = 20


class TestParallelRefresh:
    async def test_one_refresh_wins_and_the_reuse_revokes_the_session(
        self, client: httpx.AsyncClient, committing_database: Database
    ) -> None:
        signed_in = await register(client, "refresh-race@example.com")
        spent = signed_in["refresh_token"]

        answers = await asyncio.gather(
            *(
                client.post("/api/v1/auth/refresh", json={"refresh_token": spent})
                for _ in range(PARALLEL)
            )
        )

        winners = [a for a in answers if a.status_code == 200]
        losers = [a for a in answers if a.status_code != 200]
        assert len(winners) == 1
        assert [a.status_code for a in losers] == [401] * (PARALLEL - 1)
        # The token was already spent when each loser presented it: that is reuse, and
        # reuse ends the whole sign-in (documented in account/sessions.py).
        assert {a.json()["error_code"] for a in losers} == {"refresh_token_reused"}

        # So the winner's new pair is dead too: whoever raced must sign in again.
        winner = winners[0].json()
        again = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": winner["refresh_token"]}
        )
        assert again.status_code == 401
        assert again.json()["error_code"] == "invalid_refresh_token"
        me = await client.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {winner['token']}"}
        )
        assert me.status_code == 401
        async with committing_database.transaction(write=False) as session:
            reasons = (await session.execute(select(AuthSession.revoked_reason))).scalars().all()
        assert reasons == ["refresh_token_reused"]

    async def test_the_access_token_works_before_the_race(self, client: httpx.AsyncClient) -> None:
        # The control for the assertion above: the same probe answers 200 while alive.
        signed_in = await register(client, "refresh-control@example.com")

        me = await client.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {signed_in['token']}"}
        )

        assert me.status_code == 200


class TestParallelIdempotentCreate:
    async def test_same_key_creates_one_organisation_and_replays_the_answer(
        self, client: httpx.AsyncClient, committing_database: Database
    ) -> None:
        signed_in = await register(client, "idempotent-race@example.com")
        headers = {
            "Authorization": f"Bearer {signed_in['token']}",
            "Idempotency-Key": "create-parallel-ltd-1",
        }
        body = {"name": "Parallel Ltd", "timezone": "Europe/Amsterdam", "currency": "EUR"}

        answers = await asyncio.gather(
            *(
                client.post("/api/v1/organizations", json=body, headers=headers)
                for _ in range(PARALLEL)
            )
        )

        assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
        assert len({a.content for a in answers}) == 1
        replayed = [a for a in answers if a.headers.get("Idempotent-Replayed") == "true"]
        assert len(replayed) == PARALLEL - 1
        async with committing_database.transaction(write=False) as session:
            count = await session.execute(
                select(func.count())
                .select_from(Organization)
                .where(Organization.name == "Parallel Ltd")
            )
        assert count.scalar_one() == 1


class TestParallelInvitations:
    async def test_one_email_gets_one_live_invitation(
        self, client: httpx.AsyncClient, committing_database: Database
    ) -> None:
        signed_in = await register(client, "invite-race@example.com")
        headers = {"Authorization": f"Bearer {signed_in['token']}"}

        answers = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/team/invite", json={"email": "twice@example.com"}, headers=headers
                )
                for _ in range(10)
            )
        )

        assert sorted(a.status_code for a in answers) == [201] + [409] * 9
        assert {a.json()["error_code"] for a in answers if a.status_code == 409} == {
            "invitation_pending"
        }
        async with committing_database.transaction(write=False) as session:
            count = (
                await session.execute(
                    select(func.count())
                    .select_from(Invitation)
                    .where(Invitation.email == "twice@example.com")
                )
            ).scalar_one()
        assert count == 1


class TestEditRacingDelete:
    async def test_an_edit_of_a_row_deleted_meanwhile_is_404_never_500(
        self, client: httpx.AsyncClient, backend: str
    ) -> None:
        if backend != "postgresql":
            pytest.skip("SQLite runs one writer at a time: the race cannot happen there")
        signed_in = await register(client, "stale-race@example.com")
        headers = {"Authorization": f"Bearer {signed_in['token']}"}
        statuses: list[int] = []
        for round_number in range(15):
            created = await client.post(
                "/api/v1/clients", json={"name": f"Doomed {round_number}"}, headers=headers
            )
            assert created.status_code == 201, created.text
            url = f"/api/v1/clients/{created.json()['client']['id']}"
            edits = [
                client.put(url, json={"notes": f"edit {n}"}, headers=headers) for n in range(4)
            ]
            answers = await asyncio.gather(client.delete(url, headers=headers), *edits)
            assert answers[0].status_code == 200, answers[0].text
            for answer in answers[1:]:
                assert answer.status_code in (200, 404), answer.text
                if answer.status_code == 404:
                    assert answer.json()["error_code"] == "not_found"
                statuses.append(answer.status_code)
        assert 200 in statuses or 404 in statuses
