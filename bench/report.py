"""Results: one JSON line per scenario and per budget, and the Markdown tables."""

from __future__ import annotations

import json
import math
import os
import platform
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MIB = 2**20
# The budgets, each a ratio measured in the same run.
LIST_THROUGHPUT_RATIO = 2.0
REPORT_P99_RATIO = 10.0
SYNC_SIZE_RATIO = 1.5
EXPORT_GROWTH_MIB = 50.0


@dataclass
class Result:
    dataset: str
    scenario: str
    kind: str
    route: str
    operations: int = 0
    requests: int = 0
    seconds: float = 0.0
    requests_per_second: float = 0.0
    p50_ms: float = math.nan
    p95_ms: float = math.nan
    p99_ms: float = math.nan
    errors: int = 0
    first_error: str | None = None
    statements_per_request: float = math.nan
    peak_rss_mib: float = math.nan
    rss_growth_mib: float = math.nan
    skipped: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Budget:
    dataset: str
    budget: str
    scenario: str
    measured: str
    limit: str
    verdict: str  # met | missed | n/a


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kib = int(meminfo.read_text().split()[1])
        memory = f"{total_kib / 2**20:.0f} GiB"
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.inf


def budgets(results: list[Result]) -> list[Budget]:
    """Every budget of the issue, from the results of this run."""
    found: list[Budget] = []
    by_dataset: dict[str, dict[str, Result]] = {}
    for result in results:
        by_dataset.setdefault(result.dataset, {})[result.scenario] = result
    for dataset, rows in by_dataset.items():
        baseline = rows.get("baseline_time_entries")
        entries = rows.get("time_entries")
        for row in rows.values():
            if row.kind == "list":
                found.append(_list_budget(dataset, row, baseline))
            elif row.kind == "report":
                found.append(_report_budget(dataset, row, entries))
            elif row.kind == "export":
                found.append(_export_budget(dataset, row))
    small = by_dataset.get("small", {}).get("sync_100_changes")
    large = by_dataset.get("large", {}).get("sync_100_changes")
    if small is not None or large is not None:
        found.append(_sync_budget(small, large))
    return found


def _usable(row: Result | None) -> bool:
    return row is not None and not row.skipped and row.operations > 0


def _list_budget(dataset: str, row: Result, baseline: Result | None) -> Budget:
    limit = f"baseline / scenario ≤ {LIST_THROUGHPUT_RATIO:g}"
    name = "list throughput"
    if not _usable(row) or baseline is None or not _usable(baseline):
        return Budget(dataset, name, row.scenario, "not measured", limit, "n/a")
    ratio = _ratio(baseline.requests_per_second, row.requests_per_second)
    verdict = "met" if ratio <= LIST_THROUGHPUT_RATIO and row.errors == 0 else "missed"
    measured = (
        f"{row.requests_per_second:.1f} vs {baseline.requests_per_second:.1f} req/s "
        f"(baseline / scenario = {ratio:.2f})"
    )
    return Budget(dataset, name, row.scenario, measured, limit, verdict)


def _report_budget(dataset: str, row: Result, entries: Result | None) -> Budget:
    limit = f"p99 / time_entries p99 < {REPORT_P99_RATIO:g}"
    name = "report p99"
    if not _usable(row) or entries is None or not _usable(entries):
        return Budget(dataset, name, row.scenario, "not measured", limit, "n/a")
    ratio = _ratio(row.p99_ms, entries.p99_ms)
    verdict = "met" if ratio < REPORT_P99_RATIO and row.errors == 0 else "missed"
    measured = f"{row.p99_ms:,.0f} vs {entries.p99_ms:,.0f} ms (ratio {ratio:.2f})"
    return Budget(dataset, name, row.scenario, measured, limit, verdict)


def _export_budget(dataset: str, row: Result) -> Budget:
    limit = f"peak RSS growth < {EXPORT_GROWTH_MIB:g} MiB"
    name = "export memory"
    if not _usable(row):
        return Budget(dataset, name, row.scenario, "not measured", limit, "n/a")
    entries = row.notes.get("entries", 0)
    verdict = "met" if row.rss_growth_mib < EXPORT_GROWTH_MIB and row.errors == 0 else "missed"
    measured = f"+{row.rss_growth_mib:.1f} MiB for {entries:,} entries"
    return Budget(dataset, name, row.scenario, measured, limit, verdict)


def _sync_budget(small: Result | None, large: Result | None) -> Budget:
    limit = f"p50 large / p50 small ≤ {SYNC_SIZE_RATIO:g}"
    name = "sync vs account size"
    scenario = "sync_100_changes"
    for row in (small, large):
        if row is not None and row.skipped:
            return Budget("small+large", name, scenario, row.skipped, limit, "n/a")
    if small is None or large is None or not _usable(small) or not _usable(large):
        return Budget("small+large", name, scenario, "needs small and large", limit, "n/a")
    ratio = _ratio(large.p50_ms, small.p50_ms)
    errors = small.errors + large.errors
    verdict = "met" if ratio <= SYNC_SIZE_RATIO and errors == 0 else "missed"
    measured = f"{large.p50_ms:.1f} vs {small.p50_ms:.1f} ms (ratio {ratio:.2f})"
    return Budget("small+large", name, scenario, measured, limit, verdict)


def write_jsonl(
    path: Path, run: dict[str, Any], results: list[Result], found: list[Budget]
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as out:
        out.write(json.dumps({"type": "run", **run}) + "\n")
        for result in results:
            record = {"type": "result", **_finite(asdict(result))}
            out.write(json.dumps(record) + "\n")
        for budget in found:
            out.write(json.dumps({"type": "budget", **asdict(budget)}) + "\n")


def read_jsonl(path: Path) -> tuple[dict[str, Any], list[Result]]:
    """The run and its results as written by `write_jsonl` (budgets are recomputed)."""
    run: dict[str, Any] = {}
    results: list[Result] = []
    for line in path.read_text().splitlines():
        record = json.loads(line)
        kind = record.pop("type")
        if kind == "run":
            run = record
        elif kind == "result":
            values: dict[str, Any] = {
                key: math.nan if value is None else value for key, value in record.items()
            }
            values["first_error"] = record["first_error"]
            values["skipped"] = record["skipped"]
            results.append(Result(**values))
    return run, results


def _finite(record: dict[str, Any]) -> dict[str, Any]:
    """JSON has no NaN: unmeasured numbers are null."""
    return {
        key: None if isinstance(value, float) and not math.isfinite(value) else value
        for key, value in record.items()
    }


def _number(value: float, digits: int = 1) -> str:
    return "-" if not math.isfinite(value) else f"{value:,.{digits}f}"


def markdown(run: dict[str, Any], results: list[Result], found: list[Budget]) -> str:
    lines: list[str] = []
    for dataset in dict.fromkeys(result.dataset for result in results):
        lines += [
            f"#### `{dataset}` ({run['datasets'].get(dataset, '')})",
            "",
            "| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | SQL/req "
            "| peak RSS MiB | RSS growth MiB | requests |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for row in (result for result in results if result.dataset == dataset):
            if row.skipped:
                lines.append(f"| {row.scenario} | {row.skipped} |  |  |  |  |  |  |  |  |")
                continue
            lines.append(
                f"| {row.scenario} | {_number(row.requests_per_second)} "
                f"| {_number(row.p50_ms)} | {_number(row.p95_ms)} | {_number(row.p99_ms)} "
                f"| {row.errors} | {_number(row.statements_per_request)} "
                f"| {_number(row.peak_rss_mib)} | {_number(row.rss_growth_mib)} "
                f"| {row.requests} |"
            )
        lines.append("")
    if found:
        lines += [
            "#### Budgets",
            "",
            "| dataset | budget | scenario | measured | limit | verdict |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {b.dataset} | {b.budget} | {b.scenario} | {b.measured} | {b.limit} "
            f"| **{b.verdict}** |"
            for b in found
        ]
        lines.append("")
    notes = [
        f"- {row.dataset} {row.scenario}: first error: {row.first_error}"
        for row in results
        if row.first_error
    ]
    notes += [
        f"- {row.dataset} {row.scenario}: "
        + ", ".join(f"{key} {value}" for key, value in row.notes.items())
        for row in results
        if row.notes
    ]
    if notes:
        lines += ["Notes:", "", *notes, ""]
    return "\n".join(lines)
