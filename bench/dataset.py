"""Seeded benchmark databases: the two shapes, bulk seeding, and a cache of seeded copies.

The organisation, its members and their API tokens are made through the service layer,
as `clocktower create-admin` and `clocktower token create` make them. Clients, projects,
tasks, time entries and their time bills are written with bulk SQL in chunks (SQLite:
`executemany` on one connection; PostgreSQL: COPY), straight into a freshly migrated
database. Bills are computed while the entries are generated, by the ledger's own rules:
one per (user, project, task, local day) bucket of stopped billable entries, summed and
rounded by the organisation's rule and priced by `rate.resolve_rates`, so the ledger's
recompute would change nothing. Migrations that fill new tables from existing data (the
delta-sync change log) then run again over the seeded data, as on a production upgrade.

A seeded database is kept under `.bench-cache/` (SQLite) or as a `bench_cache_*`
database (PostgreSQL), keyed by shape, seed version and the migrations' contents, and
every run works on a copy of it, so writes of one run never reach the next.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import shutil
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import Table, TypeDecorator
from sqlalchemy.engine import URL, make_url

from clocktower.api_token import service as api_token_service
from clocktower.api_token.schemas import ApiTokenCreate
from clocktower.cli import alembic_config, run_migrations, update_statistics
from clocktower.config import Settings
from clocktower.db import Database
from clocktower.demo import member_context
from clocktower.kit.time import utcnow
from clocktower.models import Base, Organization, User
from clocktower.organization.repository import RoleRepository
from clocktower.organization.service import add_member, create_organization_for
from clocktower.rate.resolve import RateKey, ResolvedRate, resolve_rates
from clocktower.setting.schemas import OrganizationSettings
from clocktower.time_bill.ledger import Bucket, amount_cents
from clocktower.time_bill.rounding import bill_seconds, entry_seconds

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / ".bench-cache"
MIGRATIONS = ROOT / "migrations"
# Bump when the generated data changes, so cached databases are seeded again.
SEED_VERSION = 2
CHUNK_ENTRIES = 50_000
EXPORT_ENTRIES = 100_000
# Bills of local days before this many days ago are approved (their entries locked).
APPROVED_BEFORE_DAYS = 90
TOKEN_SCOPES = ["admin:all"]
ZONES = ("Europe/London", "Europe/Amsterdam", "America/New_York", "Asia/Kolkata")
TASKS_PER_USER = 12
TASKS_PER_DAY = 3
WORKDAY_SECONDS = 8 * 3600 + 1800


@dataclass(frozen=True)
class Shape:
    """How much of everything one dataset holds."""

    name: str
    users: int
    clients: int
    projects: int
    tasks: int
    entries: int
    days: int


SHAPES = {
    # A team of ten over half a year: about eight entries a member a working day.
    "small": Shape(
        "small", users=10, clients=40, projects=200, tasks=2_000, entries=10_000, days=182
    ),
    # The large account: fifty members over two years.
    "large": Shape(
        "large", users=50, clients=200, projects=1_000, tasks=10_000, entries=1_000_000, days=730
    ),
}


@dataclass
class Dataset:
    """What the scenarios need to know about a seeded database (stored next to it)."""

    shape: str
    backend: str
    key: str
    organization_id: int
    owner_id: int
    # Index-aligned: tokens[i] acts as user_ids[i]; index 0 is the owner.
    user_ids: list[int]
    tokens: list[str]
    # The first day after the seeded period; entries start on the days before it.
    anchor: str
    entries: int
    # Days export_start..anchor-1 hold export_entries entries (at least EXPORT_ENTRIES
    # when the dataset has that many).
    export_start: str
    export_entries: int
    # (project_id, task_id) pairs a member may track time on.
    work: list[list[int]] = field(default_factory=list)
    seed_seconds: float = 0.0

    @property
    def anchor_day(self) -> date:
        return date.fromisoformat(self.anchor)


# --- the cache ----------------------------------------------------------------------------


def cache_key(shape: Shape) -> str:
    """Changes with the seed version, the shape and any migration file."""
    digest = hashlib.sha256(f"{SEED_VERSION}:{asdict(shape)}".encode())
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class Backend(Protocol):
    name: str

    async def cached(self, shape: Shape, key: str) -> Dataset | None: ...

    async def seed_target(self, shape: Shape, key: str) -> str: ...

    async def store(self, dataset: Dataset) -> None: ...

    async def working_copy(self, dataset: Dataset) -> str: ...

    async def drop_working_copy(self, url: str) -> None: ...

    def writer(self, url: str) -> Writer: ...


def _metadata_path(backend: str, shape: str, key: str) -> Path:
    return CACHE_DIR / f"{backend}-{shape}-{key}.json"


def _read_metadata(path: Path) -> Dataset | None:
    if not path.exists():
        return None
    known = {item.name for item in fields(Dataset)}
    return Dataset(**{k: v for k, v in json.loads(path.read_text()).items() if k in known})


def _write_metadata(dataset: Dataset) -> None:
    path = _metadata_path(dataset.backend, dataset.shape, dataset.key)
    path.write_text(json.dumps(asdict(dataset), indent=2))


class SqliteBackend:
    """One file per shape under .bench-cache/; a run copies it."""

    name = "sqlite"

    def _path(self, shape: str, key: str) -> Path:
        return CACHE_DIR / f"sqlite-{shape}-{key}.db"

    async def cached(self, shape: Shape, key: str) -> Dataset | None:
        if not self._path(shape.name, key).exists():
            return None
        return _read_metadata(_metadata_path(self.name, shape.name, key))

    async def seed_target(self, shape: Shape, key: str) -> str:
        CACHE_DIR.mkdir(exist_ok=True)
        for stale in CACHE_DIR.glob(f"sqlite-{shape.name}-*"):
            stale.unlink()
        return f"sqlite+aiosqlite:///{self._path(shape.name, key).with_suffix('.seeding')}"

    async def store(self, dataset: Dataset) -> None:
        target = self._path(dataset.shape, dataset.key)
        await asyncio.to_thread(_finish_sqlite, target.with_suffix(".seeding"), target)
        _write_metadata(dataset)

    async def working_copy(self, dataset: Dataset) -> str:
        run = CACHE_DIR / f"run-{dataset.shape}.db"
        await self.drop_working_copy(f"sqlite+aiosqlite:///{run}")
        await asyncio.to_thread(shutil.copyfile, self._path(dataset.shape, dataset.key), run)
        return f"sqlite+aiosqlite:///{run}"

    async def drop_working_copy(self, url: str) -> None:
        await asyncio.to_thread(_remove_sqlite, Path(url.split("///", 1)[1]))

    def writer(self, url: str) -> Writer:
        return SqliteWriter(url.split("///", 1)[1])


def _finish_sqlite(seeding: Path, target: Path) -> None:
    """Fold the WAL into the file, so a plain copy of it is the whole database."""
    connection = sqlite3.connect(seeding)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    _remove_sqlite(seeding, keep_database=True)
    seeding.rename(target)


def _remove_sqlite(path: Path, *, keep_database: bool = False) -> None:
    for suffix in ("-wal", "-shm") if keep_database else ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


class PostgresBackend:
    """A `bench_cache_<shape>_<key>` database per shape; a run clones it as a template."""

    name = "postgresql"

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.server = parsed.set(drivername="postgresql+asyncpg", database="postgres")

    def _url(self, database: str) -> URL:
        return self.server.set(database=database)

    def _dsn(self, database: str = "postgres") -> str:
        return (
            self._url(database).set(drivername="postgresql").render_as_string(hide_password=False)
        )

    async def _admin(self, *statements: str) -> list[Any]:
        connection = await asyncpg.connect(self._dsn())
        try:
            return [await connection.fetch(statement) for statement in statements]
        finally:
            await connection.close()

    async def _exists(self, database: str) -> bool:
        (rows,) = await self._admin(
            f"SELECT 1 FROM pg_database WHERE datname = '{database}'"  # noqa: S608 - our name
        )
        return bool(rows)

    async def cached(self, shape: Shape, key: str) -> Dataset | None:
        if not await self._exists(f"bench_cache_{shape.name}_{key}"):
            return None
        return _read_metadata(_metadata_path(self.name, shape.name, key))

    async def seed_target(self, shape: Shape, key: str) -> str:
        CACHE_DIR.mkdir(exist_ok=True)
        (rows,) = await self._admin(
            "SELECT datname FROM pg_database WHERE datname LIKE "  # noqa: S608 - our names
            f"'bench_cache_{shape.name}_%' OR datname = 'bench_seeding_{shape.name}'"
        )
        await self._admin(*(f'DROP DATABASE "{row["datname"]}"' for row in rows))
        await self._admin(f'CREATE DATABASE "bench_seeding_{shape.name}"')
        return self._url(f"bench_seeding_{shape.name}").render_as_string(hide_password=False)

    async def store(self, dataset: Dataset) -> None:
        await self._admin(
            f'ALTER DATABASE "bench_seeding_{dataset.shape}" '
            f'RENAME TO "bench_cache_{dataset.shape}_{dataset.key}"'
        )
        _write_metadata(dataset)

    async def working_copy(self, dataset: Dataset) -> str:
        run = f"bench_run_{dataset.shape}"
        await self._admin(
            f'DROP DATABASE IF EXISTS "{run}"',
            f'CREATE DATABASE "{run}" TEMPLATE "bench_cache_{dataset.shape}_{dataset.key}"',
        )
        return self._url(run).render_as_string(hide_password=False)

    async def drop_working_copy(self, url: str) -> None:
        database = make_url(url).database
        await self._admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def writer(self, url: str) -> Writer:
        return PostgresWriter(make_url(url).set(drivername="postgresql").render_as_string(False))


def backend_for(url: str | None) -> Backend:
    if url is None or url.startswith("sqlite"):
        return SqliteBackend()
    if url.startswith("postgres"):
        return PostgresBackend(url)
    raise ValueError(f"unsupported database URL {url!r}: use postgresql://… or leave it out")


async def prepare(backend: Backend, shape: Shape, *, reseed: bool = False) -> Dataset:
    """The cached dataset of `shape`, seeded first when missing or stale."""
    key = cache_key(shape)
    dataset = None if reseed else await backend.cached(shape, key)
    if dataset is None:
        url = await backend.seed_target(shape, key)
        began = time.perf_counter()
        dataset = await seed(backend, url, shape, key)
        dataset.seed_seconds = round(time.perf_counter() - began, 1)
        await backend.store(dataset)
    return dataset


# --- bulk writers -------------------------------------------------------------------------


class Writer(Protocol):
    async def insert(
        self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        """Append `rows` (values in `columns` order, as Python values) to `table`."""

    async def execute(self, statement: str) -> None: ...

    async def close(self) -> None: ...


class SqliteWriter:
    """Rows as SQLAlchemy's SQLite dialect stores them: naive UTC text, ISO days."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=OFF")
        self.connection.execute("PRAGMA foreign_keys=ON")
        self.connection.execute("PRAGMA cache_size=-262144")

    async def insert(
        self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        kinds = [_python_type(table, name) for name in columns]
        instants = [i for i, kind in enumerate(kinds) if kind is datetime]
        days = [i for i, kind in enumerate(kinds) if kind is date]
        if instants or days:
            rows = [_sqlite_row(row, instants, days) for row in rows]
        placeholders = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
        self.connection.execute("BEGIN")
        self.connection.executemany(statement, rows)
        self.connection.execute("COMMIT")

    async def execute(self, statement: str) -> None:
        self.connection.execute(statement)

    async def close(self) -> None:
        self.connection.close()


def _python_type(table: Table, column: str) -> type | None:
    """What a column holds (through type decorators such as UTCDateTime)."""
    kind = table.c[column].type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def _sqlite_row(row: tuple[Any, ...], instants: list[int], days: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for i in instants:
        if values[i] is not None:
            values[i] = (
                values[i].astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
            )
    for i in days:
        if values[i] is not None:
            values[i] = values[i].isoformat()
    return tuple(values)


class PostgresWriter:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.connection: asyncpg.Connection | None = None

    async def _connection(self) -> asyncpg.Connection:
        if self.connection is None:
            self.connection = await asyncpg.connect(self.dsn)
        return self.connection

    async def insert(
        self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        connection = await self._connection()
        await connection.copy_records_to_table(table.name, records=rows, columns=list(columns))

    async def execute(self, statement: str) -> None:
        await (await self._connection()).execute(statement)

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


class Rows:
    """Rows of one table for a bulk insert: the given columns, then the Python-side
    defaults the ORM would have filled in for the others (evaluated once)."""

    def __init__(self, table: Table, columns: Sequence[str]) -> None:
        self.table = table
        defaults: dict[str, Any] = {}
        for column in table.columns:
            default = column.default
            if column.name in columns or default is None:
                continue
            if default.is_scalar:
                defaults[column.name] = default.arg  # type: ignore[attr-defined]
            elif default.is_callable:
                defaults[column.name] = default.arg(None)  # type: ignore[attr-defined]
        self.columns = [*columns, *defaults]
        self.tail = tuple(defaults.values())
        self.rows: list[tuple[Any, ...]] = []

    def add(self, *values: Any) -> None:
        self.rows.append(values + self.tail)

    async def flush(self, writer: Writer) -> None:
        if self.rows:
            await writer.insert(self.table, self.columns, self.rows)
            self.rows = []


# --- seeding ------------------------------------------------------------------------------


@dataclass
class _Structure:
    organization_id: int
    owner_id: int
    user_ids: list[int]
    zones: list[str]
    tokens: list[str]
    # task id → (project id, client id, billable project)
    tasks: dict[int, tuple[int, int, bool]]
    portfolios: list[list[int]]


async def seed(backend: Backend, url: str, shape: Shape, key: str) -> Dataset:
    """Migrate `url` and fill it with one organisation of `shape`."""
    settings = Settings(database_url=url, run_jobs_in_process=False)
    await asyncio.to_thread(run_migrations, settings)
    rng = random.Random(f"clocktower-bench-{shape.name}-{SEED_VERSION}")  # noqa: S311
    anchor = utcnow().date()
    database = Database(url)
    writer = backend.writer(url)
    try:
        structure = await _seed_people(database, shape)
        await _seed_catalogue(writer, structure, shape, rng)
        async with database.transaction(write=False) as session:
            organization = await session.get_one(Organization, structure.organization_id)
            rule = OrganizationSettings.of(organization).rounding
            keys = {
                _rate_key(user_id, task_id, structure)
                for user_id, portfolio in zip(structure.user_ids, structure.portfolios, strict=True)
                for task_id in portfolio
            } | {
                _rate_key(user_id, task_id, structure, with_task=False)
                for user_id, portfolio in zip(structure.user_ids, structure.portfolios, strict=True)
                for task_id in portfolio
            }
            rates = await resolve_rates(session, structure.organization_id, keys)
        per_day = await _seed_entries(writer, structure, shape, anchor, rng, rule, rates)
        await database.dispose()
        await _after_seeding(url, writer, backend)
    finally:
        await writer.close()
        await database.dispose()
    export_start, export_entries = anchor, 0
    while export_entries < EXPORT_ENTRIES and export_start > anchor - timedelta(days=shape.days):
        export_start -= timedelta(days=1)
        export_entries += per_day.get(export_start, 0)
    first_tasks = structure.portfolios[0][:TASKS_PER_DAY] + structure.portfolios[1][:TASKS_PER_DAY]
    return Dataset(
        shape=shape.name,
        backend=backend.name,
        key=key,
        organization_id=structure.organization_id,
        owner_id=structure.owner_id,
        user_ids=structure.user_ids,
        tokens=structure.tokens,
        anchor=anchor.isoformat(),
        entries=sum(per_day.values()),
        export_start=export_start.isoformat(),
        export_entries=export_entries,
        work=[[structure.tasks[task_id][0], task_id] for task_id in first_tasks],
    )


async def _seed_people(database: Database, shape: Shape) -> _Structure:
    """The owner, the members and a token each, through the service layer."""
    async with database.transaction() as session:
        owner = User(name="Bench Owner", email="owner@bench.example", timezone="UTC")
        session.add(owner)
        await session.flush()
        organization = await create_organization_for(session, owner, name=f"Bench {shape.name}")
        member_role = await RoleRepository(session).by_moniker(organization.id, "member")
        assert member_role is not None
        users = [owner]
        zones = ["UTC"]
        for number in range(1, shape.users):
            zone = ZONES[number % len(ZONES)]
            user = User(
                name=f"Bench Member {number:02d}",
                email=f"member{number:02d}@bench.example",
                timezone=zone,
            )
            session.add(user)
            await session.flush()
            await add_member(session, organization, user, member_role)
            users.append(user)
            zones.append(zone)
        owner_auth = await member_context(session, owner, organization.id)
        tokens = []
        for user in users:
            created = await api_token_service.create_api_token(
                session,
                owner_auth,
                ApiTokenCreate(name="bench", user_id=user.id, scopes=TOKEN_SCOPES),
            )
            tokens.append(created.plaintext)
        return _Structure(
            organization_id=organization.id,
            owner_id=owner.id,
            user_ids=[user.id for user in users],
            zones=zones,
            tokens=tokens,
            tasks={},
            portfolios=[],
        )


async def _seed_catalogue(
    writer: Writer, structure: _Structure, shape: Shape, rng: random.Random
) -> None:
    """Clients, their projects (a rate each, one in ten not billable) and the tasks."""
    org = structure.organization_id
    clients = Rows(_table("clients"), ["id", "organization_id", "name", "email", "company"])
    for client_id in range(1, shape.clients + 1):
        clients.add(
            client_id,
            org,
            f"Client {client_id:04d}",
            f"billing@client{client_id:04d}.example",
            f"Client {client_id:04d} B.V.",
        )
    await clients.flush(writer)
    projects = Rows(
        _table("projects"),
        ["id", "organization_id", "client_id", "name", "color", "billable", "hourly_rate_cents"],
    )
    billable: dict[int, tuple[int, bool]] = {}
    for project_id in range(1, shape.projects + 1):
        client_id = (project_id - 1) % shape.clients + 1
        is_billable = project_id % 10 != 0
        billable[project_id] = (client_id, is_billable)
        projects.add(
            project_id,
            org,
            client_id,
            f"Project {project_id:05d}",
            f"#{rng.randrange(0x1000000):06x}",
            is_billable,
            rng.choice((7500, 9500, 12000, 15000)),
        )
    await projects.flush(writer)
    tasks = Rows(_table("tasks"), ["id", "organization_id", "project_id", "name", "status"])
    statuses = ("todo", "in_progress", "review", "done")
    for task_id in range(1, shape.tasks + 1):
        project_id = (task_id - 1) % shape.projects + 1
        tasks.add(task_id, org, project_id, f"Task {task_id:05d}", rng.choice(statuses))
        client_id, is_billable = billable[project_id]
        structure.tasks[task_id] = (project_id, client_id, is_billable)
    await tasks.flush(writer)
    task_ids = list(structure.tasks)
    structure.portfolios = [rng.sample(task_ids, TASKS_PER_USER) for _ in structure.user_ids]


def _rate_key(
    user_id: int, task_id: int, structure: _Structure, *, with_task: bool = True
) -> RateKey:
    project_id, client_id, _ = structure.tasks[task_id]
    return RateKey(user_id, project_id, task_id if with_task else None, client_id)


@dataclass
class _Bill:
    id: int
    bucket: Bucket
    count: int = 0
    seconds: int = 0
    rounded: int = 0


async def _seed_entries(
    writer: Writer,
    structure: _Structure,
    shape: Shape,
    anchor: date,
    rng: random.Random,
    rule: Any,
    rates: dict[RateKey, ResolvedRate],
) -> dict[date, int]:
    """Every member's working days: entries back to back from about 08:00 local time on
    three of their tasks, and the day's bills. Returns the entries per (UTC) day."""
    org = structure.organization_id
    first = anchor - timedelta(days=shape.days)
    workdays = [
        first + timedelta(days=n)
        for n in range(shape.days)
        if (first + timedelta(days=n)).weekday() < 5
    ]
    slots = len(workdays) * len(structure.user_ids)
    approved_before = anchor - timedelta(days=APPROVED_BEFORE_DAYS)
    entries = Rows(
        _table("time_entries"),
        [
            "organization_id",
            "user_id",
            "project_id",
            "task_id",
            "client_id",
            "start_at",
            "end_at",
            "duration_seconds",
            "notes",
            "tags",
            "billable",
            "source",
            "time_bill_id",
            "created_at",
            "updated_at",
        ],
    )
    bill_rows = Rows(
        _table("time_bills"),
        [
            "id",
            "organization_id",
            "bill_key",
            "user_id",
            "client_id",
            "project_id",
            "task_id",
            "day",
            "entry_count",
            "seconds",
            "billable_seconds",
            "rate_cents",
            "rate_source",
            "amount_cents",
            "currency",
            "status",
            "approved_at",
            "approved_by_id",
            "created_at",
            "updated_at",
        ],
    )
    verbs = ("Implemented", "Reviewed", "Fixed", "Discussed", "Planned", "Tested", "Documented")
    things = ("checkout flow", "invoice export", "login page", "API client", "report", "backlog")
    tags = (None, None, None, "meeting", "review", "development,backend", "support", "design")
    per_day: dict[date, int] = {}
    next_bill = 1
    slot = 0
    for day in workdays:
        bills: dict[str, _Bill] = {}
        for user_index, user_id in enumerate(structure.user_ids):
            count = shape.entries * (slot + 1) // slots - shape.entries * slot // slots
            slot += 1
            if count == 0:
                continue
            per_day[day] = per_day.get(day, 0) + count
            zone = ZoneInfo(structure.zones[user_index])
            today = rng.sample(structure.portfolios[user_index], TASKS_PER_DAY)
            step = WORKDAY_SECONDS // count
            start = datetime.combine(day, clock(8), zone).astimezone(UTC)
            start += timedelta(seconds=rng.randrange(1200))
            for n in range(count):
                task_id = today[n * TASKS_PER_DAY // count]
                project_id, client_id, project_billable = structure.tasks[task_id]
                if rng.random() < 0.1:
                    task_id_or_none: int | None = None
                else:
                    task_id_or_none = task_id
                duration = max(60, int(step * rng.uniform(0.55, 0.95)))
                end = start + timedelta(seconds=duration)
                billable = project_billable and rng.random() > 0.05
                bill_id: int | None = None
                if billable:
                    bucket = Bucket(user_id, project_id, task_id_or_none, client_id, day)
                    bill = bills.get(bucket.key)
                    if bill is None:
                        bill = bills[bucket.key] = _Bill(next_bill, bucket)
                        next_bill += 1
                    bill.count += 1
                    bill.seconds += duration
                    bill.rounded += entry_seconds(duration, rule)
                    bill_id = bill.id
                entries.add(
                    org,
                    user_id,
                    project_id,
                    task_id_or_none,
                    client_id,
                    start,
                    end,
                    duration,
                    f"{rng.choice(verbs)} {rng.choice(things)} (#{rng.randrange(1, 5000)})",
                    rng.choice(tags),
                    billable,
                    "timer" if rng.random() < 0.6 else "manual",
                    bill_id,
                    end,
                    end,
                )
                start += timedelta(seconds=step)
        for bill in bills.values():
            bucket = bill.bucket
            rate = rates[
                RateKey(bucket.user_id, bucket.project_id, bucket.task_id, bucket.client_id)
            ]
            billable_seconds = bill_seconds(bill.rounded, rule)
            settled = datetime.combine(day + timedelta(days=1), clock(18), UTC)
            approved = day < approved_before
            bill_rows.add(
                bill.id,
                org,
                bucket.key,
                bucket.user_id,
                bucket.client_id,
                bucket.project_id,
                bucket.task_id,
                day,
                bill.count,
                bill.seconds,
                billable_seconds,
                rate.cents,
                rate.source,
                amount_cents(billable_seconds, rate.cents),
                rate.currency,
                "approved" if approved else "pending",
                settled + timedelta(days=7) if approved else None,
                structure.owner_id if approved else None,
                settled,
                settled,
            )
        if len(entries.rows) >= CHUNK_ENTRIES:
            await bill_rows.flush(writer)
            await entries.flush(writer)
    await bill_rows.flush(writer)
    await entries.flush(writer)
    return per_day


# Migrations that fill new tables from the data already there (the delta-sync change log
# gets a row per existing object). The seed writes at head, then steps back to before the
# first of them and up again, so they backfill the seeded data exactly as they would a
# production database's.
BACKFILLING_REVISIONS = ("20261202_0900",)
# Tables whose ids the bulk insert chose: PostgreSQL's sequences continue after them.
_EXPLICIT_IDS = ("clients", "projects", "tasks", "time_bills")


async def _after_seeding(url: str, writer: Writer, backend: Backend) -> None:
    await asyncio.to_thread(_rerun_backfills, url)
    if backend.name == "postgresql":
        for table in _EXPLICIT_IDS:
            await writer.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {table}))"
            )
    # Statistics as `clocktower migrate` (and `serve`, which migrates first) leaves them.
    await asyncio.to_thread(update_statistics, url)


def _rerun_backfills(url: str) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config(url)
    scripts = ScriptDirectory.from_config(config)
    known = [revision for revision in BACKFILLING_REVISIONS if scripts.get_revision(revision)]
    if not known:
        return
    walk = [script.revision for script in scripts.walk_revisions("base", "heads")]
    earliest = max(known, key=walk.index)  # walk_revisions goes from head to base
    before = scripts.get_revision(earliest).down_revision
    assert isinstance(before, str), "a backfilling revision must follow exactly one revision"
    command.downgrade(config, before)
    command.upgrade(config, "head")


def describe(shapes: Iterable[Shape]) -> str:
    return "; ".join(
        f"{s.name}: {s.entries:,} entries over {s.days} days, {s.users} users, "
        f"{s.clients} clients, {s.projects:,} projects, {s.tasks:,} tasks"
        for s in shapes
    )
