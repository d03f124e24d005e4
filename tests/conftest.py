"""Fixtures: real databases (SQLite always, PostgreSQL when it answers), real sign-in.

Each test runs inside one transaction that is rolled back; the app's commits become
savepoints. Tests marked `committing` get a database of their own with real commits
(concurrency tests), copied from a migrated template.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.config import Config

from clocktower.config import Settings
from clocktower.db import Database
from clocktower.main import create_app
from clocktower.worker.runner import JobRunner
from tests.backends import Availability, detect, on_ci
from tests.support import PASSWORD, Api, Factory, Member

ROOT = Path(__file__).resolve().parents[1]
_AVAILABILITY: Availability | None = None


def availability() -> Availability:
    global _AVAILABILITY
    if _AVAILABILITY is None:
        _AVAILABILITY = detect()
    return _AVAILABILITY


def backends() -> list[str]:
    found = availability()
    return ["sqlite"] + (["postgresql"] if found.postgres_url else [])


def pytest_configure(config: pytest.Config) -> None:
    found = availability()
    if on_ci() and (found.postgres_problem or found.redis_problem):
        raise pytest.UsageError(
            "CI=true but PostgreSQL or Redis does not answer: "
            f"postgres={found.postgres_problem!r} redis={found.redis_problem!r}"
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    found = availability()
    lines = ["clocktower backends: " + ", ".join(backends())]
    if found.postgres_problem:
        lines.append(f"PostgreSQL leg SKIPPED: not reachable ({found.postgres_problem})")
    if found.redis_problem:
        lines.append(f"Redis leg SKIPPED: not reachable ({found.redis_problem})")
    return lines


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", backends(), scope="session")


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    return config


def test_settings(url: str, **overrides: Any) -> Settings:
    return Settings(
        environment="test",
        database_url=url,
        run_jobs_in_process=False,
        rate_limit_per_minute=overrides.pop("rate_limit_per_minute", 10_000),
        rate_limit_per_hour=overrides.pop("rate_limit_per_hour", 100_000),
        public_rate_limit_per_minute=overrides.pop("public_rate_limit_per_minute", 10_000),
        **overrides,
    )


class Templates:
    """One migrated template database per backend per run; tests work on copies."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.run_id = uuid.uuid4().hex[:8]
        self.pg_databases: list[str] = []
        self._templates: dict[str, str] = {}

    async def template(self, backend: str) -> str:
        if backend not in self._templates:
            if backend == "sqlite":
                path = self.tmp / "template.db"
                url = f"sqlite+aiosqlite:///{path}"
                await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
            else:
                name = f"ct_{self.run_id}_template"
                await self._pg_execute(f'CREATE DATABASE "{name}"')
                self.pg_databases.append(name)
                url = self._pg_url(name)
                await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
            self._templates[backend] = url
        return self._templates[backend]

    async def copy(self, backend: str, label: str) -> str:
        template = await self.template(backend)
        if backend == "sqlite":
            source = Path(template.removeprefix("sqlite+aiosqlite:///"))
            target = self.tmp / f"{label}-{uuid.uuid4().hex[:6]}.db"
            shutil.copyfile(source, target)
            return f"sqlite+aiosqlite:///{target}"
        name = f"ct_{self.run_id}_{label}_{uuid.uuid4().hex[:6]}"
        template_name = template.rsplit("/", 1)[1]
        await self._pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
        self.pg_databases.append(name)
        return self._pg_url(name)

    def _pg_url(self, name: str) -> str:
        base = availability().postgres_url
        assert base is not None
        return base.rsplit("/", 1)[0] + f"/{name}"

    async def _pg_execute(self, sql: str) -> None:
        import asyncpg

        url = availability().postgres_url
        assert url is not None
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def drop_all(self) -> None:
        for name in reversed(self.pg_databases):
            await self._pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def templates(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Templates]:
    found = Templates(tmp_path_factory.mktemp("databases"))
    yield found
    await found.drop_all()


@pytest.fixture(scope="session")
async def shared_database(backend: str, templates: Templates) -> AsyncIterator[Database]:
    """The database the rolled-back tests of one backend share."""
    url = await templates.copy(backend, "shared")
    database = Database(url)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
def settings(shared_database: Database) -> Settings:
    return test_settings(shared_database.url)


@pytest.fixture(scope="session")
def app(settings: Settings, shared_database: Database) -> Any:
    return create_app(settings, shared_database)


@pytest.fixture
async def database(app: Any, shared_database: Database) -> AsyncIterator[Database]:
    """This test's view of the database: one outer transaction, rolled back at the end."""
    async with shared_database.engine.connect() as connection:
        transaction = await connection.begin()
        bound = shared_database.bound_to(connection)
        app.state.database = bound
        await app.state.rate_limiter.reset()
        try:
            yield bound
        finally:
            app.state.database = shared_database
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture
async def api(app: Any, database: Database) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client)


_PASSWORD_HASH: str | None = None


@pytest.fixture
async def factory(database: Database, settings: Settings) -> AsyncIterator[Factory]:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        from clocktower.auth.passwords import hash_password

        _PASSWORD_HASH = await hash_password(PASSWORD)
    async with database.sessionmaker() as session:
        yield Factory(session, settings, _PASSWORD_HASH)


@pytest.fixture
async def owner(factory: Factory) -> Member:
    """The owner of a fresh organisation."""
    return await factory.organization(name="Acme Agency")


@pytest.fixture
async def admin(factory: Factory, owner: Member) -> Member:
    return await factory.member(owner.organization, "admin", name="Ada Admin")


@pytest.fixture
async def member(factory: Factory, owner: Member) -> Member:
    return await factory.member(owner.organization, "member", name="Max Member")


@pytest.fixture
async def viewer(factory: Factory, owner: Member) -> Member:
    return await factory.member(owner.organization, "viewer", name="Vera Viewer")


@pytest.fixture
async def other_owner(factory: Factory) -> Member:
    """The owner of another organisation, for tenant-isolation tests."""
    return await factory.organization(name="Other Org")


@pytest.fixture
def runner(database: Database, settings: Settings) -> JobRunner:
    """Runs queued jobs on demand: `await runner.run_until_idle()`."""
    return JobRunner(database, settings, name="test-runner")


# --- committing tests ----------------------------------------------------------------------


@pytest.fixture
async def committing_database(backend: str, templates: Templates) -> AsyncIterator[Database]:
    """A database of this test's own, with real commits (for concurrency tests)."""
    url = await templates.copy(backend, "commit")
    database = Database(url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def redis_url() -> str:
    """The Redis test database; each xdist worker gets its own (15, 14, …) so one worker's
    FLUSHDB never empties another's."""
    url = availability().redis_url
    if url is None:
        pytest.skip(f"Redis not reachable: {availability().redis_problem}")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    base, _, database = url.rpartition("/")
    if database.isdigit() and worker.startswith("gw"):
        return f"{base}/{int(database) - int(worker[2:]) % 8}"
    return url


def pytest_sessionstart(session: pytest.Session) -> None:
    os.environ.setdefault("CLOCKTOWER_ENVIRONMENT", "test")


# --- query counting --------------------------------------------------------------------------


class QueryCounter:
    """Counts the SQL statements the app sends while `counting` is on."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.active = False

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.active and not statement.lstrip().upper().startswith(
            ("SAVEPOINT", "RELEASE", "ROLLBACK TO", "BEGIN", "COMMIT", "ROLLBACK")
        ):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def counting(self) -> QueryCounter:
        self.statements = []
        return self

    def __enter__(self) -> QueryCounter:
        self.statements = []
        self.active = True
        return self

    def __exit__(self, *_exc: object) -> None:
        self.active = False


@pytest.fixture
def queries(shared_database: Database) -> Iterator[QueryCounter]:
    """`with queries: await api...` then `queries.count` — for list-endpoint guards."""
    from sqlalchemy import event

    counter = QueryCounter()
    sync_engine = shared_database.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(sync_engine, "before_cursor_execute", counter)
