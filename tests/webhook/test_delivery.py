"""Delivering events to a real receiver on 127.0.0.1: fan-out, Standard Webhooks
signatures, retries on the documented schedule, dead deliveries, automatic disabling
with an email, redelivery, the test ping, the delivery log and delivery-time SSRF checks."""

from __future__ import annotations

import json

from sqlalchemy import select

from clocktower.models import Job, OutboundEmail
from clocktower.webhook.delivery import DELIVER_JOB, MAX_ATTEMPTS, RETRY_DELAYS
from clocktower.webhook.events import emit
from clocktower.worker.runner import JobRunner
from tests.conftest import QueryCounter
from tests.support import Api, Factory, Member
from tests.webhook.conftest import (
    WEBHOOKS,
    allow_private,
    create_webhook,
    deliveries,
    make_due,
    run_jobs,
    verify_signature,
)
from tests.webhook.receiver import Receiver

DATA = {"project_id": 7, "status": "on_hold", "previous_status": "active"}


async def emit_event(factory: Factory, who: Member, event: str = "project.status_changed") -> None:
    await emit(factory.session, who.organization.id, event, DATA)
    await factory.session.commit()


class TestFanOut:
    async def test_signed_post_to_each_matching_endpoint(
        self,
        api: Api,
        owner: Member,
        factory: Factory,
        runner: JobRunner,
        receiver: Receiver,
        private_ok: None,
    ) -> None:
        everything = await create_webhook(api, owner, receiver.url)
        matching = await create_webhook(
            api, owner, receiver.url, event_types=["project.status_changed"]
        )
        await create_webhook(api, owner, receiver.url, event_types=["timer.started"])
        await create_webhook(api, owner, receiver.url, is_active=False)

        await emit_event(factory, owner)
        await run_jobs(runner, factory)

        assert len(receiver.requests) == 2
        secrets = {everything["secret"], matching["secret"]}
        ids = set()
        for request in receiver.requests:
            assert request.method == "POST"
            assert request.path == "/hooks"
            assert request.headers["content-type"] == "application/json"
            assert request.headers["webhook-id"].startswith("msg_")
            assert request.headers["webhook-timestamp"].isdigit()
            assert any(verify_signature(s, request.headers, request.body) for s in secrets)
            body = json.loads(request.body)
            assert body["type"] == "project.status_changed"
            assert body["data"] == DATA
            assert "T" in body["timestamp"]
            ids.add(request.headers["webhook-id"])
        assert len(ids) == 1  # one message, one id, for every endpoint
        stored = await deliveries(factory, everything["webhook"]["id"])
        assert [(d.status, d.attempts, d.response_status) for d in stored] == [
            ("succeeded", 1, 200)
        ]
        assert stored[0].response_excerpt == "ok"
        assert stored[0].response_ms is not None

    async def test_no_subscriber_no_delivery(
        self, owner: Member, factory: Factory, runner: JobRunner, receiver: Receiver
    ) -> None:
        await emit_event(factory, owner)
        await run_jobs(runner, factory)

        assert receiver.requests == []


class TestRetries:
    async def test_500_then_success_keeps_the_message_id(
        self,
        api: Api,
        owner: Member,
        factory: Factory,
        runner: JobRunner,
        receiver: Receiver,
        private_ok: None,
    ) -> None:
        created = await create_webhook(api, owner, receiver.url)
        receiver.answer((500, "boom"))

        await emit_event(factory, owner)
        await run_jobs(runner, factory)
        [failed] = await deliveries(factory, created["webhook"]["id"])
        assert (failed.status, failed.attempts, failed.response_status) == ("failed", 1, 500)
        assert failed.response_excerpt == "boom"
        assert failed.last_error == "HTTP 500"
        assert failed.next_attempt_at is not None
        assert failed.last_attempt_at is not None
        assert failed.next_attempt_at - failed.last_attempt_at == RETRY_DELAYS[0]
        queued = await factory.session.scalars(
            select(Job)
            .where(Job.kind == DELIVER_JOB, Job.status == "queued")
            .execution_options(populate_existing=True)
        )
        assert [job.run_at for job in queued.all()] == [failed.next_attempt_at]
        await run_jobs(runner, factory)
        assert len(receiver.requests) == 1  # not due yet

        await make_due(factory)
        await run_jobs(runner, factory)

        [done] = await deliveries(factory, created["webhook"]["id"])
        assert (done.status, done.attempts, done.last_error) == ("succeeded", 2, None)
        first, second = receiver.requests
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        assert verify_signature(created["secret"], second.headers, second.body)

    async def test_dead_after_the_schedule_then_disabled_with_an_email(
        self,
        api: Api,
        owner: Member,
        admin: Member,
        member: Member,
        factory: Factory,
        runner: JobRunner,
        receiver: Receiver,
        private_ok: None,
    ) -> None:
        internal = sorted([owner.user.email, admin.user.email])  # read before expiry
        created = await create_webhook(api, owner, receiver.url)
        webhook_id = created["webhook"]["id"]
        receiver.default = (503, "down")

        await emit_event(factory, owner)
        await run_jobs(runner, factory)
        delays = []
        for _ in range(MAX_ATTEMPTS - 1):
            [delivery] = await deliveries(factory, webhook_id)
            assert delivery.status == "failed"
            assert delivery.next_attempt_at is not None
            assert delivery.last_attempt_at
            delays.append(delivery.next_attempt_at - delivery.last_attempt_at)
            await make_due(factory)
            await run_jobs(runner, factory)

        assert tuple(delays) == RETRY_DELAYS
        [dead] = await deliveries(factory, webhook_id)
        assert (dead.status, dead.attempts, dead.next_attempt_at) == ("dead", MAX_ATTEMPTS, None)
        assert len(receiver.requests) == MAX_ATTEMPTS
        webhook = (await api.as_(owner).get(f"{WEBHOOKS}/{webhook_id}")).json()["webhook"]
        assert webhook["is_active"] is False
        assert webhook["disabled_at"] is not None
        assert "failed attempts" in webhook["disabled_reason"]
        emails = await factory.session.scalars(
            select(OutboundEmail).where(OutboundEmail.template == "webhook_disabled")
        )
        recipients = sorted(email.to_address for email in emails.all())
        assert recipients == internal

        # Disabled: new events do not reach it; switched back on, it starts afresh.
        await emit_event(factory, owner)
        await run_jobs(runner, factory)
        assert len(await deliveries(factory, webhook_id)) == 1
        enabled = await api.as_(owner).patch(f"{WEBHOOKS}/{webhook_id}", json={"is_active": True})
        assert enabled.json()["webhook"]["consecutive_failures"] == 0
        assert enabled.json()["webhook"]["disabled_at"] is None

    async def test_a_success_resets_the_failure_count(
        self,
        api: Api,
        owner: Member,
        factory: Factory,
        runner: JobRunner,
        receiver: Receiver,
        private_ok: None,
    ) -> None:
        created = await create_webhook(api, owner, receiver.url)
        url = f"{WEBHOOKS}/{created['webhook']['id']}"
        receiver.answer((500, ""), (500, ""))
        await emit_event(factory, owner)
        await emit_event(factory, owner)
        await run_jobs(runner, factory)
        assert (await api.as_(owner).get(url)).json()["webhook"]["consecutive_failures"] == 2

        await make_due(factory)
        await run_jobs(runner, factory)

        assert (await api.as_(owner).get(url)).json()["webhook"]["consecutive_failures"] == 0

    async def test_refused_connection_is_a_failed_attempt(
        self, api: Api, owner: Member, factory: Factory, runner: JobRunner, private_ok: None
    ) -> None:
        created = await create_webhook(api, owner, "http://127.0.0.1:9/closed")

        await emit_event(factory, owner)
        await run_jobs(runner, factory)

        [delivery] = await deliveries(factory, created["webhook"]["id"])
        assert delivery.status == "failed"
        assert delivery.response_status is None
        assert delivery.last_error
        assert "Connect" in delivery.last_error


class TestTargetCheckedAtDelivery:
    async def test_private_target_refused_once_the_setting_is_off(
        self,
        api: Api,
        owner: Member,
        factory: Factory,
        runner: JobRunner,
        receiver: Receiver,
        private_ok: None,
    ) -> None:
        created = await create_webhook(api, owner, receiver.url)
        await allow_private(api, owner, False)

        await emit_event(factory, owner)
        await run_jobs(runner, factory)

        assert receiver.requests == []
        [delivery] = await deliveries(factory, created["webhook"]["id"])
        assert delivery.status == "failed"
        assert delivery.last_error is not None
        assert delivery.last_error.startswith("Target refused: 127.0.0.1 resolves to 127.0.0.1")


class TestManualDelivery:
    async def test_test_ping(
        self,
        api: Api,
        owner: Member,
        factory: Factory,
        runner: JobRunner,
        receiver: Receiver,
        private_ok: None,
    ) -> None:
        created = await create_webhook(api, owner, receiver.url, event_types=["timer.started"])
        url = f"{WEBHOOKS}/{created['webhook']['id']}"

        queued = await api.as_(owner).post(f"{url}/test")
        await run_jobs(runner, factory)

        assert queued.status_code == 202
        assert queued.json()["delivery"]["status"] == "pending"
        [request] = receiver.requests
        assert json.loads(request.body)["type"] == "webhook.test"
        assert verify_signature(created["secret"], request.headers, request.body)
        delivery_id = queued.json()["delivery"]["id"]
        fetched = await api.as_(owner).get(f"{url}/deliveries/{delivery_id}")
        assert fetched.json()["delivery"]["status"] == "succeeded"
        assert (
            fetched.json()["delivery"]["payload"]["data"]["webhook_id"]
            == (created["webhook"]["id"])
        )

    async def test_redelivery_keeps_the_id_and_uses_a_rotated_secret(
        self,
        api: Api,
        owner: Member,
        factory: Factory,
        runner: JobRunner,
        receiver: Receiver,
        private_ok: None,
    ) -> None:
        created = await create_webhook(api, owner, receiver.url)
        url = f"{WEBHOOKS}/{created['webhook']['id']}"
        await emit_event(factory, owner)
        await run_jobs(runner, factory)
        [delivery] = await deliveries(factory, created["webhook"]["id"])
        rotated = (await api.as_(owner).post(f"{url}/rotate-secret")).json()["secret"]

        again = await api.as_(owner).post(f"{url}/deliveries/{delivery.id}/redeliver")
        await run_jobs(runner, factory)

        assert again.status_code == 202
        first, second = receiver.requests
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        assert first.body == second.body
        assert verify_signature(rotated, second.headers, second.body)
        assert not verify_signature(created["secret"], second.headers, second.body)
        [after] = await deliveries(factory, created["webhook"]["id"])
        assert (after.status, after.attempts) == ("succeeded", 2)

    async def test_redelivery_of_another_endpoints_delivery_is_not_found(
        self,
        api: Api,
        owner: Member,
        factory: Factory,
        runner: JobRunner,
        receiver: Receiver,
        private_ok: None,
    ) -> None:
        first = await create_webhook(api, owner, receiver.url)
        second = await create_webhook(api, owner, receiver.url)
        await emit_event(factory, owner)
        await run_jobs(runner, factory)
        [delivery] = await deliveries(factory, first["webhook"]["id"])

        response = await api.as_(owner).post(
            f"{WEBHOOKS}/{second['webhook']['id']}/deliveries/{delivery.id}/redeliver"
        )

        assert response.status_code == 404


class TestDeliveryLog:
    async def test_status_filter_and_query_count(
        self,
        api: Api,
        owner: Member,
        factory: Factory,
        runner: JobRunner,
        receiver: Receiver,
        queries: QueryCounter,
        private_ok: None,
    ) -> None:
        created = await create_webhook(api, owner, receiver.url)
        url = f"{WEBHOOKS}/{created['webhook']['id']}/deliveries"
        receiver.answer((500, "x"))
        await emit_event(factory, owner)
        await run_jobs(runner, factory)
        with queries:
            await api.as_(owner).get(url)
        single = queries.count
        for _ in range(4):
            await emit_event(factory, owner)
        await run_jobs(runner, factory)

        with queries:
            listed = await api.as_(owner).get(url)
        failed = await api.as_(owner).get(url, params={"status": "failed"})
        bad = await api.as_(owner).get(url, params={"status": "lost"})

        assert queries.count == single, queries.statements
        assert len(listed.json()["deliveries"]) == 5
        assert "payload" not in listed.json()["deliveries"][0]
        assert [d["response_status"] for d in failed.json()["deliveries"]] == [500]
        assert bad.status_code == 400
