"""Webhook subscriptions over HTTP: CRUD, secrets shown once, target checks (SSRF),
permissions, scopes, tenant isolation and query-count guards."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from clocktower.models import AuditLog
from tests.api_token.support import issue_token
from tests.conftest import QueryCounter
from tests.support import Api, Factory, Member
from tests.webhook.conftest import WEBHOOKS, allow_private, create_webhook

PUBLIC_URL = "http://93.184.215.14/hooks"  # an IP literal: no DNS needed


class TestCreateWebhook:
    async def test_secret_only_in_the_create_answer(self, api: Api, admin: Member) -> None:
        created = await create_webhook(
            api, admin, PUBLIC_URL, description="CRM", event_types=["timer.started"]
        )

        secret = created["secret"]
        assert secret.startswith("whsec_")
        assert len(secret) > 6 + 32
        assert created["webhook"]["event_types"] == ["timer.started"]
        assert created["webhook"]["is_active"] is True
        webhook_id = created["webhook"]["id"]
        listed = await api.as_(admin).get(WEBHOOKS)
        fetched = await api.as_(admin).get(f"{WEBHOOKS}/{webhook_id}")
        assert [w["id"] for w in listed.json()["webhooks"]] == [webhook_id]
        for response in (listed, fetched):
            assert secret not in response.text
            assert "secret" not in response.text

    async def test_secret_never_in_the_audit_log(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        created = await create_webhook(api, admin, PUBLIC_URL)
        rotated = await api.as_(admin).post(f"{WEBHOOKS}/{created['webhook']['id']}/rotate-secret")

        rows = await factory.session.scalars(
            select(AuditLog).where(
                AuditLog.organization_id == admin.organization.id,
                AuditLog.object_type == "webhook_endpoint",
            )
        )
        logged = json.dumps([(row.action, row.changes) for row in rows.all()], default=str)
        assert created["webhook"]["url"] in logged  # the write was audited...
        assert created["secret"] not in logged  # ...without the secret
        assert rotated.json()["secret"] not in logged

    async def test_all_events_by_default_duplicates_dropped(self, api: Api, admin: Member) -> None:
        default = await create_webhook(api, admin, PUBLIC_URL)
        doubled = await create_webhook(
            api, admin, PUBLIC_URL, event_types=["timer.started", "timer.started"]
        )

        assert default["webhook"]["event_types"] == []
        assert doubled["webhook"]["event_types"] == ["timer.started"]

    @pytest.mark.parametrize(
        "body",
        [
            {"url": PUBLIC_URL, "event_types": ["timer.exploded"]},
            {"url": "ftp://example.com/x"},
            {"url": "not a url"},
            {"url": "https://"},
            {"url": PUBLIC_URL, "secret": "whsec_mine"},
            {"url": ""},
        ],
    )
    async def test_bad_input_is_400(self, api: Api, admin: Member, body: dict[str, str]) -> None:
        response = await api.as_(admin).post(WEBHOOKS, json=body)

        assert response.status_code == 400, response.text
        assert response.json()["error_code"] == "validation_error"

    async def test_event_types_catalogue(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).get(f"{WEBHOOKS}/event-types")

        names = [event["name"] for event in response.json()["event_types"]]
        assert "time_entry.created" in names
        assert "invoice.issued" in names


class TestTargetSafety:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8080/x",
            "http://10.1.2.3/x",
            "http://192.168.0.10/x",
            "http://172.16.0.1/x",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/x",
            "http://0.0.0.0/x",
            "http://[::1]/x",
            "http://[fe80::1]/x",
            "http://[fc00::1]/x",
            "http://[::ffff:127.0.0.1]/x",
            "http://localhost:8000/x",
            "http://224.0.0.1/x",
        ],
    )
    async def test_non_public_targets_refused(self, api: Api, admin: Member, url: str) -> None:
        response = await api.as_(admin).post(WEBHOOKS, json={"url": url})

        assert response.status_code == 400, response.text
        body = response.json()
        assert body["error_code"] == "webhook_target_refused"
        assert "url" in body["errors"]

    async def test_unresolvable_host_refused(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).post(
            WEBHOOKS, json={"url": "https://no-such-host.invalid/x"}
        )

        assert response.status_code == 400
        assert "does not resolve" in response.json()["message"]

    async def test_private_targets_when_the_organisation_allows_them(
        self, api: Api, owner: Member
    ) -> None:
        await allow_private(api, owner)

        created = await api.as_(owner).post(WEBHOOKS, json={"url": "http://localhost:9/x"})
        multicast = await api.as_(owner).post(WEBHOOKS, json={"url": "http://224.0.0.1/x"})

        assert created.status_code == 201
        assert multicast.status_code == 400

    async def test_update_checks_the_new_url(self, api: Api, admin: Member) -> None:
        created = await create_webhook(api, admin, PUBLIC_URL)

        response = await api.as_(admin).patch(
            f"{WEBHOOKS}/{created['webhook']['id']}", json={"url": "http://10.0.0.1/x"}
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "webhook_target_refused"

    async def test_http_refused_in_production(self, api: Api, admin: Member, app: Any) -> None:
        settings = app.state.settings
        app.state.settings = settings.model_copy(update={"environment": "production"})
        try:
            plain = await api.as_(admin).post(WEBHOOKS, json={"url": PUBLIC_URL})
            secure = await api.as_(admin).post(
                WEBHOOKS, json={"url": PUBLIC_URL.replace("http", "https")}
            )
        finally:
            app.state.settings = settings

        assert plain.status_code == 400
        assert "https" in plain.json()["message"]
        assert secure.status_code == 201


class TestUpdateAndDelete:
    async def test_put_and_patch_change_only_what_is_sent(self, api: Api, admin: Member) -> None:
        created = await create_webhook(api, admin, PUBLIC_URL, description="CRM")
        url = f"{WEBHOOKS}/{created['webhook']['id']}"

        patched = await api.as_(admin).patch(url, json={"event_types": ["task.completed"]})
        put = await api.as_(admin).put(url, json={"is_active": False, "description": None})

        assert patched.json()["webhook"]["description"] == "CRM"
        assert patched.json()["webhook"]["event_types"] == ["task.completed"]
        assert put.json()["webhook"]["is_active"] is False
        assert put.json()["webhook"]["description"] is None
        assert put.json()["webhook"]["event_types"] == ["task.completed"]

    async def test_null_for_required_field_is_400(self, api: Api, admin: Member) -> None:
        created = await create_webhook(api, admin, PUBLIC_URL)

        response = await api.as_(admin).patch(
            f"{WEBHOOKS}/{created['webhook']['id']}", json={"url": None}
        )

        assert response.status_code == 400

    async def test_delete(self, api: Api, admin: Member) -> None:
        created = await create_webhook(api, admin, PUBLIC_URL)
        url = f"{WEBHOOKS}/{created['webhook']['id']}"

        deleted = await api.as_(admin).delete(url)

        assert deleted.status_code == 200
        assert (await api.as_(admin).get(url)).status_code == 404

    async def test_rotate_secret_gives_a_new_one(self, api: Api, admin: Member) -> None:
        created = await create_webhook(api, admin, PUBLIC_URL)

        rotated = await api.as_(admin).post(f"{WEBHOOKS}/{created['webhook']['id']}/rotate-secret")

        assert rotated.status_code == 200
        assert rotated.json()["secret"].startswith("whsec_")
        assert rotated.json()["secret"] != created["secret"]


class TestAccess:
    async def test_other_organisation_is_not_found(
        self, api: Api, admin: Member, other_owner: Member
    ) -> None:
        created = await create_webhook(api, admin, PUBLIC_URL)
        url = f"{WEBHOOKS}/{created['webhook']['id']}"

        for response in (
            await api.as_(other_owner).get(url),
            await api.as_(other_owner).patch(url, json={"description": "x"}),
            await api.as_(other_owner).delete(url),
            await api.as_(other_owner).post(f"{url}/test"),
            await api.as_(other_owner).post(f"{url}/rotate-secret"),
            await api.as_(other_owner).get(f"{url}/deliveries"),
        ):
            assert response.status_code == 404, response.text
        assert (await api.as_(other_owner).get(WEBHOOKS)).json()["webhooks"] == []

    @pytest.mark.parametrize(
        ("method", "path", "node"),
        [
            ("GET", "", "webhook.fetch.many"),
            ("POST", "", "webhook.create"),
            ("GET", "/{id}", "webhook.fetch"),
            ("PATCH", "/{id}", "webhook.update"),
            ("PUT", "/{id}", "webhook.update"),
            ("DELETE", "/{id}", "webhook.delete"),
            ("POST", "/{id}/rotate-secret", "webhook.update"),
            ("POST", "/{id}/test", "webhook.deliver"),
            ("GET", "/{id}/deliveries", "webhook.fetch"),
            ("GET", "/{id}/deliveries/1", "webhook.fetch"),
            ("POST", "/{id}/deliveries/1/redeliver", "webhook.deliver"),
        ],
    )
    async def test_members_and_viewers_are_forbidden(
        self,
        api: Api,
        admin: Member,
        member: Member,
        viewer: Member,
        method: str,
        path: str,
        node: str,
    ) -> None:
        created = await create_webhook(api, admin, PUBLIC_URL)
        url = WEBHOOKS + path.replace("{id}", str(created["webhook"]["id"]))
        body = {"url": PUBLIC_URL} if method in ("POST", "PUT", "PATCH") else None

        for who in (member, viewer):
            response = await api.as_(who).request(method, url, json=body)
            assert response.status_code == 403, response.text
            assert response.json()["required_permission"] == node

    async def test_scopes(self, api: Api, owner: Member) -> None:
        reader, _ = await issue_token(api, owner, scopes=["read:webhooks"])

        listed = await api.as_(reader).get(WEBHOOKS)
        created = await api.as_(reader).post(WEBHOOKS, json={"url": PUBLIC_URL})

        assert listed.status_code == 200
        assert created.status_code == 403
        assert created.json()["required_scope"] == "write:webhooks"


class TestListQueries:
    async def test_list_query_count_does_not_grow(
        self, api: Api, admin: Member, queries: QueryCounter
    ) -> None:
        await create_webhook(api, admin, PUBLIC_URL)
        with queries:
            await api.as_(admin).get(WEBHOOKS)
        single = queries.count
        for _ in range(4):
            await create_webhook(api, admin, PUBLIC_URL)

        with queries:
            response = await api.as_(admin).get(WEBHOOKS)

        assert len(response.json()["webhooks"]) == 5
        assert queries.count == single, queries.statements

    async def test_pagination(self, api: Api, admin: Member) -> None:
        for _ in range(3):
            await create_webhook(api, admin, PUBLIC_URL)

        response = await api.as_(admin).get(WEBHOOKS, params={"per_page": 2, "page": 2})

        assert len(response.json()["webhooks"]) == 1
        assert response.json()["pagination"]["total"] == 3
