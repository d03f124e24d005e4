"""The `clocktower` command: migrate, create-admin, token, demo, jobs, serve's guard."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.db import Database
from clocktower.demo import DEMO_ORGANIZATION, DEMO_OWNER_EMAIL
from clocktower.models import ApiToken, Job, Membership, Organization, Role, User
from clocktower.organization.membership import holds_owner
from clocktower.organization.repository import MembershipRepository
from clocktower.worker import enqueue_job
from tests.cli.conftest import Cli, run_async, stdout_lines

PASSWORD = "operator-password-1"


def login(cli: Cli, email: str, password: str) -> httpx.Response:
    return cli.request("POST", "/api/v1/auth/login", json={"email": email, "password": password})


def me_with_api_key(cli: Cli, token: str) -> httpx.Response:
    return cli.request("GET", "/api/v1/users/me", headers={"X-API-Key": token})


def admin_state(cli: Cli, email: str) -> tuple[bool, list[str]]:
    """(is_superuser, [names of the organisations the user owns])."""

    async def read(session: AsyncSession) -> tuple[bool, list[str]]:
        user = (await session.execute(select(User).where(User.email == email))).scalar_one()
        owned = []
        for organization in (await session.execute(select(Organization))).scalars():
            membership = await MembershipRepository(session).of_user(organization.id, user.id)
            if membership is not None and holds_owner(membership):
                owned.append(organization.name)
        return user.is_superuser, sorted(owned)

    result: tuple[bool, list[str]] = cli.query(read)
    return result


def demo_password(output: str) -> str:
    found = re.search(r"with the password: (\S+)", output)
    assert found, output
    return found.group(1)


class TestMigrate:
    def test_is_idempotent(self, cli: Cli) -> None:
        again = cli("migrate")

        assert again.exit_code == 0
        assert "up to date" in again.output

    def test_leaves_statistics_for_the_query_planner(self, cli: Cli) -> None:
        cli.ok("demo")
        cli.ok("migrate")

        async def analysed(session: AsyncSession) -> set[str]:
            rows = await session.execute(text("SELECT tbl FROM sqlite_stat1"))
            return {str(table) for (table,) in rows}

        assert {"time_entries", "time_bills", "projects"} <= cli.query(analysed)

    def test_data_commands_ask_for_migrate_first(self, fresh_url: str) -> None:
        unmigrated = Cli(fresh_url)

        for command in (["demo"], ["jobs"], ["create-admin", "--email", "a@example.com"]):
            result = unmigrated(*command)
            assert result.exit_code == 2, result.output
            assert "Run `clocktower migrate` first" in result.output
        # Refusing left no empty database file behind.
        assert not Path(fresh_url.removeprefix("sqlite+aiosqlite:///")).exists()

    def test_empty_database_file_also_asks_for_migrate(self, tmp_path: Path) -> None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        run_async(_touch_database(url))

        result = Cli(url)("jobs")

        assert result.exit_code == 2
        assert "Run `clocktower migrate` first" in result.output


async def _touch_database(url: str) -> None:
    database = Database(url)
    async with database.engine.begin() as connection:
        await connection.exec_driver_sql("CREATE TABLE unrelated (id INTEGER)")
    await database.dispose()


class TestCreateAdmin:
    def test_new_admin_can_sign_in(self, cli: Cli) -> None:
        result = cli.ok(
            "create-admin",
            "--email",
            "Root@Example.com",
            "--name",
            "Rita Root",
            "--password",
            PASSWORD,
            "--organization",
            "Operations",
        )

        assert "Created administrator root@example.com" in result.output
        signed_in = login(cli, "root@example.com", PASSWORD)
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["user"]["name"] == "Rita Root"
        assert admin_state(cli, "root@example.com") == (True, ["Operations"])

    def test_password_is_prompted_hidden_and_confirmed(self, cli: Cli) -> None:
        result = cli(
            "create-admin",
            "--email",
            "prompted@example.com",
            "--organization",
            "Prompted Ltd",
            input=f"{PASSWORD}\n{PASSWORD}\n",
        )

        assert result.exit_code == 0, result.output
        assert PASSWORD not in result.output  # hidden input is not echoed
        assert "Repeat for confirmation" in result.output
        assert login(cli, "prompted@example.com", PASSWORD).status_code == 200

    def test_organisation_name_is_prompted_when_the_user_has_none(self, cli: Cli) -> None:
        result = cli(
            "create-admin",
            "--email",
            "asked@example.com",
            "--password",
            PASSWORD,
            input="Asked Ltd\n",
        )

        assert result.exit_code == 0, result.output
        assert admin_state(cli, "asked@example.com") == (True, ["Asked Ltd"])

    def test_short_password_is_refused(self, cli: Cli) -> None:
        result = cli(
            "create-admin", "--email", "a@example.com", "--password", "short", "--organization", "A"
        )

        assert result.exit_code == 2
        assert "8 to 256 characters" in result.output

    def test_existing_member_is_promoted_to_superuser_and_owner(self, cli: Cli) -> None:
        seeded = cli.ok("demo")
        admin_email = "arjun.patel@northwind-digital.example"
        assert admin_state(cli, admin_email) == (False, [])

        result = cli.ok("create-admin", "--email", admin_email)

        assert "Promoted administrator" in result.output
        assert admin_state(cli, admin_email) == (True, [DEMO_ORGANIZATION])
        # No password given: the old one still works.
        assert login(cli, admin_email, demo_password(seeded.output)).status_code == 200

    def test_running_it_twice_changes_nothing_more(self, cli: Cli) -> None:
        arguments = ("--email", "twice@example.com", "--password", PASSWORD)
        cli.ok("create-admin", *arguments, "--organization", "Twice")

        cli.ok("create-admin", *arguments)

        assert admin_state(cli, "twice@example.com") == (True, ["Twice"])
        count = cli.query(lambda s: _scalar(s, select(func.count()).select_from(Organization)))
        assert count == 1

    def test_not_an_email_is_refused(self, cli: Cli) -> None:
        result = cli("create-admin", "--email", "nobody", "--password", PASSWORD)

        assert result.exit_code == 2
        assert "not an email address" in result.output


async def _scalar(session: AsyncSession, statement: Any) -> Any:
    return (await session.execute(statement)).scalar_one()


class TestToken:
    @pytest.fixture
    def admin(self, cli: Cli) -> str:
        cli.ok(
            "create-admin",
            "--email",
            "tokens@example.com",
            "--password",
            PASSWORD,
            "--organization",
            "Tokens Ltd",
        )
        return "tokens@example.com"

    def test_create_prints_a_token_that_authenticates(self, cli: Cli, admin: str) -> None:
        result = cli.ok(
            "token", "create", "--email", admin, "--name", "CI", "--scope", "read:users"
        )

        [token] = stdout_lines(result)  # stdout holds the token and nothing else
        assert token.startswith("tt_")
        assert "not shown again" in result.stderr
        me = me_with_api_key(cli, token)
        assert me.status_code == 200, me.text
        stored = cli.query(lambda s: _scalar(s, select(ApiToken)))
        assert stored.token_hash != token
        assert stored.scopes == ["read:users"]
        assert stored.expires_at is None

    def test_scopes_repeat_and_expiry_is_set(self, cli: Cli, admin: str) -> None:
        cli.ok(
            "token",
            "create",
            "--email",
            admin,
            "--name",
            "Reports",
            "--scope",
            "read:reports",
            "--scope",
            "read:projects",
            "--expires-in-days",
            "30",
        )

        stored = cli.query(lambda s: _scalar(s, select(ApiToken)))
        assert stored.scopes == ["read:reports", "read:projects"]
        assert stored.expires_at is not None

    def test_unknown_scope_is_refused(self, cli: Cli, admin: str) -> None:
        result = cli("token", "create", "--email", admin, "--name", "X", "--scope", "root:all")

        assert result.exit_code == 2
        assert "Unknown scopes: root:all" in result.output
        assert result.stdout == ""

    def test_unknown_user_and_foreign_organisation_are_refused(self, cli: Cli, admin: str) -> None:
        unknown = cli(
            "token", "create", "--email", "x@example.com", "--name", "X", "--scope", "read:users"
        )
        cli.ok("demo")
        foreign = cli(
            "token",
            "create",
            "--email",
            admin,
            "--organization-id",
            str(cli.query(lambda s: _scalar(s, select(func.max(Organization.id))))),
            "--name",
            "X",
            "--scope",
            "read:users",
        )

        assert unknown.exit_code == 1
        assert "No user with the email" in unknown.output
        assert foreign.exit_code == 1
        assert "is not a member of organisation" in foreign.output

    def test_revoke_stops_the_token(self, cli: Cli, admin: str) -> None:
        created = cli.ok(
            "token", "create", "--email", admin, "--name", "Old", "--scope", "read:users"
        )
        [token] = stdout_lines(created)
        token_id = cli.query(lambda s: _scalar(s, select(ApiToken.id)))

        revoked = cli.ok("token", "revoke", "--id", str(token_id))

        assert "is revoked" in revoked.output
        assert me_with_api_key(cli, token).status_code == 401
        assert cli("token", "revoke", "--id", "999").exit_code == 1


class TestDemo:
    def test_creates_the_organisation_then_refuses_politely(self, cli: Cli) -> None:
        first = cli.ok("demo")
        second = cli("demo")

        assert "Demo data created" in first.output
        assert second.exit_code == 1
        assert "already exists; nothing was changed" in second.output

        async def read(session: AsyncSession) -> dict[str, Any]:
            organization = (
                await session.execute(
                    select(Organization).where(Organization.name == DEMO_ORGANIZATION)
                )
            ).scalar_one()
            members = await session.execute(
                select(func.count())
                .select_from(Membership)
                .where(Membership.organization_id == organization.id)
            )
            custom = await session.execute(
                select(Role.title).where(
                    Role.organization_id == organization.id, Role.is_builtin.is_(False)
                )
            )
            tokens = await session.execute(
                select(func.count())
                .select_from(ApiToken)
                .where(ApiToken.organization_id == organization.id)
            )
            return {
                "members": members.scalar_one(),
                "custom_roles": custom.scalars().all(),
                "tokens": tokens.scalar_one(),
            }

        assert cli.query(read) == {"members": 5, "custom_roles": ["Project lead"], "tokens": 1}

    def test_owner_signs_in_with_the_printed_password_and_the_token_works(self, cli: Cli) -> None:
        seeded = cli.ok("demo")
        token = re.search(r"(tt_[A-Za-z0-9]+)", seeded.output)
        assert token

        signed_in = login(cli, DEMO_OWNER_EMAIL, demo_password(seeded.output))
        projects_scope_only = me_with_api_key(cli, token.group(1))

        assert signed_in.status_code == 200
        # The demo token lacks read:users: authenticated, but refused for that scope.
        assert projects_scope_only.status_code == 403
        assert projects_scope_only.json()["required_scope"] == "read:users"

    def test_tracked_time_and_a_running_timer_are_there(self, cli: Cli) -> None:
        seeded = cli.ok("demo")
        token = re.search(r"(tt_[A-Za-z0-9]+)", seeded.output)
        assert token
        headers = {"X-API-Key": token.group(1)}

        finished = cli.request("GET", "/api/v1/time-entries", headers=headers)
        with_running = cli.request(
            "GET", "/api/v1/time-entries", headers=headers, params={"include_active": "true"}
        )

        assert "timer running" in seeded.output
        # Three people, ten working days, three entries a day; plus one running timer.
        assert finished.json()["pagination"]["total"] == 90
        assert with_running.json()["pagination"]["total"] == 91
        entry = finished.json()["time_entries"][0]
        assert entry["source"] == "manual"
        assert entry["tags"] == "demo"
        assert entry["client_id"] is not None
        assert entry["task_id"] is not None


class TestJobs:
    def test_lists_counts_and_retries_dead_jobs(self, cli: Cli) -> None:
        run_async(_one_dead_job(cli.url))

        listed = cli.ok("jobs")
        retried = cli.ok("jobs", "retry-dead")

        assert re.search(r"dead\s*│\s*1", listed.output), listed.output
        assert "1 dead job(s) queued again" in retried.output
        job = cli.query(lambda s: _scalar(s, select(Job)))
        assert (job.status, job.attempts) == ("queued", 0)
        assert job.last_error  # kept for reference


async def _one_dead_job(url: str) -> None:
    from clocktower.worker.runner import JobRunner
    from tests.conftest import test_settings as settings_for

    database = Database(url)
    try:
        async with database.transaction() as session:
            await enqueue_job(session, "tests.no_such_kind")
        await JobRunner(database, settings_for(url)).run_until_idle()
    finally:
        await database.dispose()


class TestServe:
    @pytest.fixture(autouse=True)
    def never_start(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import uvicorn

        def refuse(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("the server must not start")

        monkeypatch.setattr(uvicorn, "run", refuse)

    def test_several_workers_need_redis(self, cli: Cli) -> None:
        result = cli("serve", "--workers", "2", "--no-migrate")

        assert result.exit_code == 2
        assert "--workers > 1 needs CLOCKTOWER_REDIS_URL" in result.output

    def test_several_workers_need_postgresql(self, cli: Cli) -> None:
        result = cli(
            "serve", "--workers", "2", "--no-migrate", CLOCKTOWER_REDIS_URL="redis://localhost/15"
        )

        assert result.exit_code == 2
        assert "--workers > 1 needs PostgreSQL" in result.output
