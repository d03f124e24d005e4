"""What the benchmark asks of the server, one class per scenario.

Every scenario acts through the HTTP API with the seeded API tokens: the owner (who sees
the whole organisation, so lists and reports cover every member's time) unless it says
otherwise. An operation is one request, except the timer's start + stop pair. Kinds
decide the budget a scenario answers to: `list` (throughput against the bare
baseline), `report` (p99 against the entries list's p99), `sync` (latency across dataset
sizes), `export` (memory), and `write` / `cached` (reported, no budget).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

import httpx

from bench.dataset import Dataset
from bench.load import OperationFailed, expect

API = "/api/v1"
SYNC_SNAPSHOT_SECONDS = 120.0
SYNC_CHANGES = 100


@dataclass
class Context:
    client: httpx.AsyncClient
    dataset: Dataset

    def auth(self, user: int = 0) -> dict[str, str]:
        """Headers of the seeded user at index `user` (0 is the owner)."""
        return {"Authorization": f"Bearer {self.dataset.tokens[user]}"}

    @property
    def last_day(self) -> date:
        return self.dataset.anchor_day - timedelta(days=1)


@dataclass
class Scenario:
    """One row of the table; subclasses implement `operation`."""

    name: ClassVar[str]
    kind: ClassVar[str]
    route: ClassVar[str]
    requests_per_operation: ClassVar[int] = 1
    # Overrides of the run's caps for scenarios whose operations are long.
    concurrency: ClassVar[int | None] = None
    max_operations: ClassVar[int | None] = None
    warmup: ClassVar[bool] = True
    notes: dict[str, Any] = field(default_factory=dict)

    async def setup(self, context: Context) -> str | None:
        """Prepare; a returned string is why the scenario is skipped."""
        return None

    async def operation(self, context: Context, worker: int, number: int) -> None:
        raise NotImplementedError

    async def teardown(self, context: Context) -> None:
        return None


@dataclass
class Get(Scenario):
    """A GET answered 200, as the owner."""

    async def operation(self, context: Context, worker: int, number: int) -> None:
        expect(await context.client.get(self.url(context), headers=context.auth()))

    def url(self, context: Context) -> str:
        return self.route


@dataclass
class TimeEntries(Get):
    name = "time_entries"
    kind = "list"
    route = f"{API}/time-entries?per_page=50"


@dataclass
class TimeEntriesEnriched(Get):
    name = "time_entries_enriched"
    kind = "list"
    route = f"{API}/time-entries?per_page=50&enrich=true"


@dataclass
class Projects(Get):
    name = "projects"
    kind = "list"
    route = f"{API}/projects"


@dataclass
class Clients(Get):
    name = "clients"
    kind = "list"
    route = f"{API}/clients"


@dataclass
class TimeBlocksWeek(Get):
    """The owner's calendar of the last full week (Monday to Sunday)."""

    name = "time_blocks_week"
    kind = "list"
    route = f"{API}/time-blocks?start=<monday>&end=<sunday>&user_id=<owner>"

    def url(self, context: Context) -> str:
        sunday = context.last_day - timedelta(days=(context.last_day.weekday() + 1) % 7)
        monday = sunday - timedelta(days=6)
        return f"{API}/time-blocks?start={monday}&end={sunday}&user_id={context.dataset.owner_id}"


@dataclass
class Summary30Days(Get):
    name = "summary_30_days"
    kind = "report"
    route = f"{API}/reports/summary?start_date=<30 days ago>&end_date=<yesterday>"
    days: ClassVar[int] = 30

    def url(self, context: Context) -> str:
        first = context.last_day - timedelta(days=self.days - 1)
        return f"{API}/reports/summary?start_date={first}&end_date={context.last_day}"


@dataclass
class SummaryYear(Summary30Days):
    name = "summary_year"
    route = f"{API}/reports/summary?start_date=<a year ago>&end_date=<yesterday>"
    days = 365


@dataclass
class TimerStartStop(Scenario):
    """Start and stop a timer; each worker is its own member (one timer each)."""

    name = "timer_start_stop"
    kind = "write"
    route = f"POST {API}/timer/start + POST {API}/timer/stop"
    requests_per_operation = 2

    async def operation(self, context: Context, worker: int, number: int) -> None:
        member = 1 + worker % (len(context.dataset.tokens) - 2)
        project_id, task_id = context.dataset.work[number % len(context.dataset.work)]
        headers = context.auth(member)
        body = {"project_id": project_id, "task_id": task_id, "notes": "bench timer"}
        expect(await context.client.post(f"{API}/timer/start", json=body, headers=headers), 201)
        expect(await context.client.post(f"{API}/timer/stop", json={}, headers=headers))


@dataclass
class CreateTimeEntry(Scenario):
    """A finished 25-minute entry in the last month, as the owner."""

    name = "create_time_entry"
    kind = "write"
    route = f"POST {API}/time-entries"
    counter: Any = field(default_factory=itertools.count)

    async def operation(self, context: Context, worker: int, number: int) -> None:
        n = next(self.counter)
        project_id, task_id = context.dataset.work[n % len(context.dataset.work)]
        start = datetime.combine(context.last_day, datetime.min.time(), UTC) - timedelta(
            days=28, minutes=-7 * n
        )
        body = {
            "project_id": project_id,
            "task_id": task_id,
            "start_time": start.isoformat(),
            "end_time": (start + timedelta(minutes=25)).isoformat(),
            "notes": f"bench entry {n}",
        }
        response = await context.client.post(
            f"{API}/time-entries", json=body, headers=context.auth()
        )
        expect(response, 201)


@dataclass
class SyncHundredChanges(Scenario):
    """A delta sync that carries 100 changed entries: take a token (the full snapshot,
    paged until has_more is false), change 100 entries, then ask what changed since."""

    name = "sync_100_changes"
    kind = "sync"
    route = f"{API}/sync?sync_token=<token before 100 changes>"
    token: str = ""

    async def setup(self, context: Context) -> str | None:
        client, headers = context.client, context.auth()
        token: str | None = None
        pages = 0
        began = time.perf_counter()
        while True:
            params = {"sync_token": token} if token else {}
            response = await client.get(f"{API}/sync", params=params, headers=headers)
            if response.status_code == 404 and pages == 0:
                return "skipped: route missing"
            expect(response)
            answer = response.json()
            token, pages = answer["sync_token"], pages + 1
            if not answer.get("has_more"):
                break
            if time.perf_counter() - began > SYNC_SNAPSHOT_SECONDS:
                return f"skipped: snapshot not done after {SYNC_SNAPSHOT_SECONDS:.0f} s"
        self.notes["snapshot_pages"] = pages
        self.notes["snapshot_seconds"] = round(time.perf_counter() - began, 1)
        listed = expect(
            await client.get(
                f"{API}/time-entries",
                params={"user_id": context.dataset.owner_id, "per_page": SYNC_CHANGES},
                headers=headers,
            )
        ).json()["time_entries"]
        for entry in listed:
            expect(
                await client.patch(
                    f"{API}/time-entries/{entry['id']}",
                    json={"notes": f"{entry['notes']} (changed for sync)"},
                    headers=headers,
                )
            )
        self.notes["changes"] = len(listed)
        self.token = token
        return None

    async def operation(self, context: Context, worker: int, number: int) -> None:
        response = await context.client.get(
            f"{API}/sync", params={"sync_token": self.token}, headers=context.auth()
        )
        expect(response)
        self.notes["answer_bytes"] = len(response.content)


@dataclass
class ExportCsv(Scenario):
    """The CSV export of the newest 100,000 entries (all of them on `small`), streamed."""

    name = "export_csv"
    kind = "export"
    route = f"{API}/time-entries/export?format=csv&start_date=<…>&end_date=<yesterday>"
    concurrency = 1
    max_operations = 3
    warmup = False

    async def operation(self, context: Context, worker: int, number: int) -> None:
        params = {
            "format": "csv",
            "start_date": context.dataset.export_start,
            "end_date": context.last_day.isoformat(),
        }
        lines = size = 0
        async with context.client.stream(
            "GET", f"{API}/time-entries/export", params=params, headers=context.auth()
        ) as response:
            if response.status_code != 200:
                raise OperationFailed(f"export: {response.status_code}")
            async for chunk in response.aiter_bytes():
                lines += chunk.count(b"\n")
                size += len(chunk)
        self.notes["entries"] = lines - 1
        self.notes["megabytes"] = round(size / 2**20, 1)


@dataclass
class ValueDashboard(Get):
    """Computed on every request: the member's timer runs, so nothing is cached."""

    name = "value_dashboard"
    kind = "report"
    route = f"{API}/stats/value-dashboard (timer running: not cached)"

    def member(self, context: Context) -> int:
        return len(context.dataset.tokens) - 1

    async def setup(self, context: Context) -> str | None:
        project_id, task_id = context.dataset.work[0]
        response = await context.client.post(
            f"{API}/timer/start",
            json={"project_id": project_id, "task_id": task_id},
            headers=context.auth(self.member(context)),
        )
        expect(response, 201)
        return None

    async def operation(self, context: Context, worker: int, number: int) -> None:
        response = await context.client.get(
            f"{API}/stats/value-dashboard", headers=context.auth(self.member(context))
        )
        expect(response)

    async def teardown(self, context: Context) -> None:
        response = await context.client.post(
            f"{API}/timer/stop", json={}, headers=context.auth(self.member(context))
        )
        expect(response)


@dataclass
class ValueDashboardCached(ValueDashboard):
    name = "value_dashboard_cached"
    kind = "cached"
    route = f"{API}/stats/value-dashboard (cached)"

    async def setup(self, context: Context) -> str | None:
        return None

    async def teardown(self, context: Context) -> None:
        return None


@dataclass
class Baseline(Scenario):
    """The entries list's SQL from bench/baseline.py (its own server process)."""

    name = "baseline_time_entries"
    kind = "baseline"
    route = "bare Starlette: the SQL of time_entries"

    async def operation(self, context: Context, worker: int, number: int) -> None:
        expect(await context.client.get("/time-entries?per_page=50"))


# Reads first, then writes; the sync scenario changes entries, so it follows the lists.
CLOCKTOWER_SCENARIOS: tuple[type[Scenario], ...] = (
    TimeEntries,
    TimeEntriesEnriched,
    Projects,
    Clients,
    TimeBlocksWeek,
    Summary30Days,
    SummaryYear,
    ValueDashboard,
    ValueDashboardCached,
    ExportCsv,
    TimerStartStop,
    CreateTimeEntry,
    SyncHundredChanges,
)
_ALL: tuple[type[Scenario], ...] = (*CLOCKTOWER_SCENARIOS, Baseline)
ALL_NAMES = tuple(scenario.name for scenario in _ALL)
