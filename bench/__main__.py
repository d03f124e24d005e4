"""Load benchmark of a real Clocktower server on loopback (docs/performance.md).

For each dataset (`small`, `large`): take the cached seeded database (seeding it first
when missing), copy it, start the server on it (bench/server.py: the app `clocktower
serve` runs) and the bare baseline beside it (bench/baseline.py), and drive each scenario
with a bounded load (warm-up excluded); the baseline is measured in slices between the
list scenarios. Prints a Markdown table per dataset and the budgets; writes
bench/results/<timestamp>.jsonl.

    python -m bench                 # small and large, full caps
    python -m bench --quick         # small only, short caps: under two minutes
    python -m bench --db postgresql://postgres@127.0.0.1:5432/postgres --redis redis://127.0.0.1:6379/9
    python -m bench --render bench/results/<run>.jsonl   # the tables of an earlier run
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import dataset as datasets
from bench.baseline import ORGANIZATION_ENV
from bench.dataset import SHAPES, Dataset
from bench.load import (
    MIB_BYTES,
    OperationFailed,
    Sample,
    Server,
    ServerFailed,
    drive,
    server_environment,
)
from bench.report import Result, budgets, machine, markdown, read_jsonl, write_jsonl
from bench.scenarios import ALL_NAMES, CLOCKTOWER_SCENARIOS, Baseline, Context, Scenario

RESULTS_DIR = Path(__file__).resolve().parent / "results"
REQUEST_TIMEOUT = 300.0
STATS_POLLS = 20


@dataclass(frozen=True)
class Options:
    quick: bool
    datasets: tuple[str, ...]
    db: str | None
    redis: str | None
    requests: int
    seconds: float
    concurrency: int
    warmup: int
    warmup_seconds: float
    scenarios: tuple[str, ...]
    reseed: bool
    output: Path
    render: Path | None = None


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--quick", action="store_true", help="small dataset, short caps")
    parser.add_argument("--datasets", help="comma list of small,large (default both; quick: small)")
    parser.add_argument("--db", help="postgresql://… server to use instead of SQLite")
    parser.add_argument("--redis", help="redis://… for the server (rate limits, caches, live)")
    parser.add_argument("--requests", type=int, help="operations per scenario at most")
    parser.add_argument("--seconds", type=float, help="seconds per scenario at most")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent clients")
    parser.add_argument("--warmup", type=int, help="warm-up operations, not measured")
    parser.add_argument("--scenarios", help=f"comma list (default all): {', '.join(ALL_NAMES)}")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare baseline")
    parser.add_argument("--reseed", action="store_true", help="seed again, ignoring the cache")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR, help="where the JSONL goes")
    parser.add_argument(
        "--render", type=Path, metavar="JSONL", help="print the tables of an earlier run, no load"
    )
    arguments = parser.parse_args(argv)
    quick = bool(arguments.quick)
    names = tuple(
        (arguments.datasets or ("small" if quick else "small,large")).replace(" ", "").split(",")
    )
    unknown = [name for name in names if name not in SHAPES]
    if unknown:
        parser.error(f"unknown dataset(s) {', '.join(unknown)}; choose from small, large")
    scenarios = tuple(arguments.scenarios.split(",")) if arguments.scenarios else ALL_NAMES
    if arguments.no_baseline:
        scenarios = tuple(name for name in scenarios if name != Baseline.name)
    unknown = [name for name in scenarios if name not in ALL_NAMES]
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(unknown)}")
    return Options(
        quick=quick,
        datasets=names,
        db=arguments.db,
        redis=arguments.redis,
        requests=arguments.requests or (150 if quick else 2000),
        seconds=arguments.seconds or (3.0 if quick else 20.0),
        concurrency=max(1, arguments.concurrency),
        warmup=arguments.warmup if arguments.warmup is not None else (5 if quick else 20),
        warmup_seconds=2.0 if quick else 5.0,
        scenarios=scenarios,
        reseed=bool(arguments.reseed),
        output=arguments.output,
        render=arguments.render,
    )


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Slice:
    """One measured stretch of a scenario: its operations and the server's side of it."""

    sample: Sample
    requests: int
    served: int
    statements: int
    peak: int
    growth: int


async def measure(
    scenario: Scenario,
    context: Context,
    server: Server,
    options: Options,
    *,
    seconds: float,
    operations: int,
) -> Slice | str:
    """Set up, warm up (not measured), drive within the caps, tear down; or why skipped."""
    try:
        skipped = await scenario.setup(context)
    except (OperationFailed, httpx.HTTPError, KeyError, ValueError) as error:
        # A route still being built may answer in a shape the scenario does not expect.
        return f"skipped: setup failed ({type(error).__name__}: {str(error)[:120]})"
    if skipped:
        return skipped
    operation = functools.partial(scenario.operation, context)
    concurrency = scenario.concurrency or options.concurrency
    if scenario.max_operations:
        operations = 1 if options.quick else scenario.max_operations
    try:
        if scenario.warmup and options.warmup:
            await drive(
                operation,
                concurrency=concurrency,
                max_operations=options.warmup,
                max_seconds=options.warmup_seconds,
            )
        requests_before, statements_before = await server.stats(context.client)
        server.reset_peak()
        before = server.memory()
        sample = await drive(
            operation, concurrency=concurrency, max_operations=operations, max_seconds=seconds
        )
        sent = sample.operations * scenario.requests_per_operation
        requests_after, statements_after = await server.stats(context.client)
        for _ in range(STATS_POLLS):
            # A streamed answer is counted once the server's handler returns, which can be
            # a moment after the client has read its last byte.
            if requests_after - requests_before >= sent:
                break
            await asyncio.sleep(0.05)
            requests_after, statements_after = await server.stats(context.client)
        after = server.memory()
    finally:
        await scenario.teardown(context)
    return Slice(
        sample=sample,
        requests=sent,
        served=requests_after - requests_before,
        statements=statements_after - statements_before,
        peak=after.peak,
        growth=after.peak - before.rss,
    )


def summarize(scenario: Scenario, dataset: str, slices: list[Slice]) -> Result:
    """One row from the slices of a scenario (the baseline is measured in several)."""
    result = Result(dataset, scenario.name, scenario.kind, scenario.route)
    sample = Sample(
        latencies=[latency for piece in slices for latency in piece.sample.latencies],
        errors=sum(piece.sample.errors for piece in slices),
        first_error=next((p.sample.first_error for p in slices if p.sample.first_error), None),
        seconds=sum(piece.sample.seconds for piece in slices),
    )
    served = sum(piece.served for piece in slices)
    result.operations = sample.operations
    result.requests = sum(piece.requests for piece in slices)
    result.seconds = round(sample.seconds, 2)
    result.requests_per_second = result.requests / sample.seconds if sample.seconds else 0.0
    result.p50_ms = sample.percentile(50) * 1000
    result.p95_ms = sample.percentile(95) * 1000
    result.p99_ms = sample.percentile(99) * 1000
    result.errors = sample.errors
    result.first_error = sample.first_error
    if served:
        result.statements_per_request = sum(piece.statements for piece in slices) / served
    result.peak_rss_mib = max(piece.peak for piece in slices) / MIB_BYTES
    result.rss_growth_mib = max(piece.growth for piece in slices) / MIB_BYTES
    result.notes = dict(scenario.notes)
    if len(slices) > 1:
        result.notes["slices"] = len(slices)
    return result


def _report(result: Result) -> None:
    progress(
        f"  {result.dataset:<5} {result.scenario:<24} "
        + (
            result.skipped
            or f"{result.requests_per_second:8.1f} req/s  p99 {result.p99_ms:8.1f} ms"
            f"  errors {result.errors}"
        )
    )


def _client(server: Server, options: Options) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=options.concurrency + 2)
    return httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT, limits=limits)


async def run_dataset(dataset: Dataset, url: str, options: Options) -> list[Result]:
    """Every chosen scenario against one server; the bare baseline runs beside it and is
    measured in slices interleaved with the list scenarios, so both see the same machine
    (other processes' load drifts over minutes)."""
    environment = server_environment(
        url, options.redis, {ORGANIZATION_ENV: str(dataset.organization_id)}
    )
    chosen = [cls() for cls in CLOCKTOWER_SCENARIOS if cls.name in options.scenarios]
    servers = [Server("clocktower", environment, f"{dataset.shape}-clocktower")]
    with_baseline = Baseline.name in options.scenarios
    if with_baseline:
        servers.append(Server("baseline", environment, f"{dataset.shape}-baseline"))
    results: list[Result] = []
    baseline, slices = Baseline(), []
    try:
        for server in servers:
            await server.start()
        async with _client(servers[0], options) as client, _client(servers[-1], options) as bare:
            context = Context(client, dataset)
            bare_context = Context(bare, dataset)
            lists = sum(scenario.kind == "list" for scenario in chosen)
            for scenario in chosen:
                if with_baseline and scenario.kind == "list":
                    piece = await measure(
                        baseline,
                        bare_context,
                        servers[-1],
                        options,
                        seconds=options.seconds / 2,
                        operations=max(1, options.requests // 2),
                    )
                    assert isinstance(piece, Slice)
                    slices.append(piece)
                measured = await measure(
                    scenario,
                    context,
                    servers[0],
                    options,
                    seconds=options.seconds,
                    operations=options.requests,
                )
                if isinstance(measured, str):
                    result = Result(dataset.shape, scenario.name, scenario.kind, scenario.route)
                    result.skipped = measured
                else:
                    result = summarize(scenario, dataset.shape, [measured])
                results.append(result)
                _report(result)
            if with_baseline and not lists:
                piece = await measure(
                    baseline,
                    bare_context,
                    servers[-1],
                    options,
                    seconds=options.seconds,
                    operations=options.requests,
                )
                assert isinstance(piece, Slice)
                slices.append(piece)
            if slices:
                results.append(summarize(baseline, dataset.shape, slices))
                _report(results[-1])
    finally:
        for server in servers:
            await server.stop()
    return results


async def run(options: Options) -> int:
    backend = datasets.backend_for(options.db)
    started = datetime.now(UTC)
    began = time.perf_counter()
    run_info: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "database": backend.name,
        "redis": bool(options.redis),
        "quick": options.quick,
        "caps": {
            "requests": options.requests,
            "seconds": options.seconds,
            "concurrency": options.concurrency,
            "warmup": options.warmup,
        },
        "datasets": {},
        "seeded": {},
    }
    results: list[Result] = []
    for name in options.datasets:
        shape = SHAPES[name]
        progress(f"{name}: preparing the dataset ({datasets.describe([shape])})")
        dataset = await datasets.prepare(backend, shape, reseed=options.reseed)
        run_info["datasets"][name] = datasets.describe([shape]).split(": ", 1)[1]
        run_info["seeded"][name] = {"anchor": dataset.anchor, "seed_seconds": dataset.seed_seconds}
        url = await backend.working_copy(dataset)
        try:
            results += await run_dataset(dataset, url, options)
        except ServerFailed as failure:
            progress(f"{name}: {failure}")
            return 1
        finally:
            await backend.drop_working_copy(url)
    run_info["seconds"] = round(time.perf_counter() - began, 1)
    run_info["machine"]["load_average_at_end"] = machine()["load_average"]
    found = budgets(results)
    path = options.output / f"{started:%Y%m%dT%H%M%SZ}.jsonl"
    write_jsonl(path, run_info, results, found)
    print(render(run_info, results))
    progress(f"Results: {path} ({run_info['seconds']:.0f} s)")
    return 0


def render(run_info: dict[str, Any], results: list[Result]) -> str:
    """The run's header, tables and budgets as Markdown."""
    host, caps = run_info["machine"], run_info["caps"]
    header = (
        f"### Clocktower benchmark, {run_info['started_at']} "
        f"({'quick' if run_info['quick'] else 'full'} run, {run_info['database']}"
        f"{' + Redis' if run_info['redis'] else ''}, {run_info.get('seconds', 0):.0f} s)\n\n"
        f"Machine: {host['cpu']}, {host['cores']} cores, {host['memory']}; {host['os']}; "
        f"Python {host['python']}, SQLite {host['sqlite']}; load average "
        f"{host['load_average']} at start, {host.get('load_average_at_end', '?')} at end. "
        f"Caps per scenario: {caps['requests']} operations or {caps['seconds']:g} s, "
        f"concurrency {caps['concurrency']}, {caps['warmup']} warm-up operations.\n"
    )
    return header + "\n" + markdown(run_info, results, budgets(results))


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    if options.render is not None:
        print(render(*read_jsonl(options.render)))
        return 0
    return asyncio.run(run(options))


if __name__ == "__main__":
    raise SystemExit(main())
