"""The outbox (GET /emails) and delivery by the email.send job: outbox only, or real SMTP."""

from __future__ import annotations

from sqlalchemy import select

from clocktower.db import Database
from clocktower.models import Job, OutboundEmail
from clocktower.worker.runner import JobRunner
from tests.api_token.support import issue_token
from tests.conftest import QueryCounter
from tests.conftest import test_settings as make_settings
from tests.email.conftest import Mailbox, free_port, queue
from tests.support import Api, Factory, Member

EMAILS = "/api/v1/emails"
BODY = "Join us: https://clocktower.example/invitations/inv_SECRETLINK123"


async def _job_of(factory: Factory, email_id: int) -> tuple[str, str | None, int]:
    jobs = await factory.session.execute(
        select(Job.status, Job.last_error, Job.attempts, Job.payload).where(
            Job.kind == "email.send"
        )
    )
    for status, last_error, attempts, payload in jobs.all():
        if payload["email_id"] == email_id:
            return status, last_error, attempts
    raise AssertionError(f"no email.send job for email {email_id}")


async def _email(factory: Factory, email_id: int) -> tuple[str, object]:
    row = await factory.session.execute(
        select(OutboundEmail.status, OutboundEmail.sent_at).where(OutboundEmail.id == email_id)
    )
    status, sent_at = row.one()
    return status, sent_at


class TestListEmails:
    async def test_shows_the_organisations_email_with_its_body(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        email = await queue(factory, admin.organization.id)

        response = await api.as_(admin).get(EMAILS)

        assert response.status_code == 200
        [shown] = response.json()["emails"]
        assert shown["id"] == email.id
        assert shown["to"] == "new.hire@example.com"
        assert shown["subject"] == "You are invited to Acme Agency"
        assert shown["template"] == "invitation"
        assert shown["status"] == "queued"
        assert shown["error"] is None
        assert shown["body"] == BODY
        assert shown["created_at"].endswith("Z")
        assert shown["sent_at"] is None
        assert response.json()["pagination"]["total"] == 1

    async def test_body_is_encrypted_at_rest(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        email = await queue(factory, admin.organization.id)

        stored = (
            await factory.session.execute(
                select(OutboundEmail.body_encrypted).where(OutboundEmail.id == email.id)
            )
        ).scalar_one()

        assert b"SECRETLINK" not in stored

    async def test_emails_of_no_organisation_never_appear(
        self, api: Api, owner: Member, factory: Factory
    ) -> None:
        await queue(factory, None, to="forgetful@example.com", template="password_reset")

        response = await api.as_(owner).get(EMAILS)

        assert response.json()["emails"] == []
        assert "forgetful" not in response.text

    async def test_another_organisations_email_never_appears(
        self, api: Api, admin: Member, other_owner: Member, factory: Factory
    ) -> None:
        await queue(factory, other_owner.organization.id, to="theirs@example.com")

        response = await api.as_(admin).get(EMAILS)

        assert response.json()["emails"] == []

    async def test_newest_first_with_filters(
        self, api: Api, admin: Member, factory: Factory, runner: JobRunner
    ) -> None:
        first = await queue(factory, admin.organization.id, to="first@example.com")
        await runner.run_until_idle()
        second = await queue(factory, admin.organization.id, to="Second@Example.com")

        everything = await api.as_(admin).get(EMAILS)
        logged = await api.as_(admin).get(EMAILS, params={"status": "logged"})
        queued = await api.as_(admin).get(EMAILS, params={"status": "queued"})
        to_second = await api.as_(admin).get(EMAILS, params={"to": "second@example.com"})

        assert [e["id"] for e in everything.json()["emails"]] == [second.id, first.id]
        assert [e["id"] for e in logged.json()["emails"]] == [first.id]
        assert [e["id"] for e in queued.json()["emails"]] == [second.id]
        assert [e["id"] for e in to_second.json()["emails"]] == [second.id]

    async def test_unknown_status_is_400(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).get(EMAILS, params={"status": "lost"})

        assert response.status_code == 400
        assert "status" in response.json()["errors"]

    async def test_reading_bodies_is_audited(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        email = await queue(factory, admin.organization.id)
        await api.as_(admin).get(EMAILS)

        audit = await api.as_(admin).get("/api/v1/audit-log", params={"action": "email.read"})

        [row] = audit.json()["audit_log"]
        assert row["actor"]["id"] == admin.id
        assert row["changes"] == {"email_ids": [email.id]}
        assert "SECRETLINK" not in audit.text

    async def test_member_and_viewer_are_forbidden(
        self, api: Api, member: Member, viewer: Member
    ) -> None:
        for who in (member, viewer):
            response = await api.as_(who).get(EMAILS)

            assert response.status_code == 403
            assert response.json()["required_permission"] == "email.fetch.many"

    async def test_token_needs_admin_scope(self, api: Api, admin: Member) -> None:
        token, _ = await issue_token(api, admin, scopes=["read:organization"])

        response = await api.as_(token).get(EMAILS)

        assert response.status_code == 403
        assert response.json()["required_scope"] == "admin:all"

    async def test_query_count_does_not_grow_with_rows(
        self, api: Api, admin: Member, factory: Factory, queries: QueryCounter
    ) -> None:
        await queue(factory, admin.organization.id)
        with queries:
            one = await api.as_(admin).get(EMAILS)
        single = queries.count
        for number in range(5):
            await queue(factory, admin.organization.id, to=f"person{number}@example.com")
        with queries:
            many = await api.as_(admin).get(EMAILS)

        assert len(one.json()["emails"]) == 1
        assert len(many.json()["emails"]) == 6
        assert queries.count == single


class TestDelivery:
    async def test_without_smtp_the_outbox_is_the_delivery(
        self, api: Api, admin: Member, factory: Factory, runner: JobRunner
    ) -> None:
        email = await queue(factory, admin.organization.id)

        await runner.run_until_idle()

        [shown] = (await api.as_(admin).get(EMAILS)).json()["emails"]
        assert shown["id"] == email.id
        assert shown["status"] == "logged"
        assert shown["sent_at"] is not None
        assert (await _job_of(factory, email.id))[0] == "done"

    async def test_sends_through_smtp(
        self,
        api: Api,
        admin: Member,
        factory: Factory,
        database: Database,
        smtp_server: tuple[Mailbox, int],
    ) -> None:
        mailbox, port = smtp_server
        email = await queue(factory, admin.organization.id)
        settings = make_settings(
            database.url, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False
        )

        await JobRunner(database, settings, name="smtp-runner").run_until_idle()

        [message] = mailbox.messages
        assert message["To"] == "new.hire@example.com"
        assert message["Subject"] == "You are invited to Acme Agency"
        assert message["From"] == settings.mail_from
        assert BODY in message.get_payload(decode=True).decode()
        assert mailbox.envelopes[0].rcpt_tos == ["new.hire@example.com"]
        [shown] = (await api.as_(admin).get(EMAILS)).json()["emails"]
        assert shown["id"] == email.id
        assert shown["status"] == "sent"
        assert shown["sent_at"] is not None

    async def test_refused_connection_is_retried_later(
        self, api: Api, admin: Member, factory: Factory, database: Database
    ) -> None:
        email = await queue(factory, admin.organization.id)
        settings = make_settings(
            database.url, smtp_host="127.0.0.1", smtp_port=free_port(), smtp_starttls=False
        )

        await JobRunner(database, settings, name="smtp-runner").run_until_idle()

        status, last_error, attempts = await _job_of(factory, email.id)
        assert status == "queued"
        assert attempts == 1
        assert last_error is not None
        assert "Connection" in last_error or "refused" in last_error.lower()
        email_status, sent_at = await _email(factory, email.id)
        assert email_status == "queued"
        assert sent_at is None
