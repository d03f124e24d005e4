"""`clocktower import` and `clocktower export` against a freshly migrated database."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.models import Organization, TimeEntry
from tests.cli.conftest import Cli

PASSWORD = "operator-password-1"
EMAIL = "ada@acme.example"
TOGGL = (
    "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,"
    "End time,Duration,Tags,Amount (EUR)\n"
    "Ada,ada@acme.example,Acme,Web,Homepage,Hero,Yes,2024-03-04,09:00:00,2024-03-04,"
    "10:30:00,01:30:00,design,0\n"
    "Ada,ada@acme.example,,Internal,,Timesheets,No,2024-03-05,16:00:00,2024-03-05,"
    "16:20:00,00:20:00,,0\n"
    "Ada,ada@acme.example,Acme,Web,,Review,Yes,2024-03-06,11:00:00,2024-03-06,"
    "12:00:00,01:00:00,,0\n"
)


def organization_id(cli: Cli, name: str) -> int:
    async def work(session: AsyncSession) -> int:
        found = await session.scalar(select(Organization.id).where(Organization.name == name))
        assert found is not None
        return int(found)

    result: int = cli.query(work)
    return result


def entry_count(cli: Cli, organization: int) -> int:
    async def work(session: AsyncSession) -> int:
        found = await session.scalar(
            select(func.count())
            .select_from(TimeEntry)
            .where(TimeEntry.organization_id == organization)
        )
        return int(found or 0)

    result: int = cli.query(work)
    return result


@pytest.fixture
def acme(cli: Cli) -> int:
    cli.ok("create-admin", "--email", EMAIL, "--password", PASSWORD, "--organization", "Acme")
    return organization_id(cli, "Acme")


def read_csv(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


class TestImport:
    def test_imports_a_toggl_file(self, cli: Cli, acme: int, tmp_path: Path) -> None:
        source = tmp_path / "toggl.csv"
        source.write_text(TOGGL, encoding="utf-8")

        result = cli.ok("import", str(source), "--organization", str(acme), "--user", EMAIL)

        assert "Imported 3 time entries from toggl.csv" in result.stderr
        assert "Format: toggl; created 1 client(s), 3 project(s), 1 task(s)" in result.stderr
        assert entry_count(cli, acme) == 3

    def test_bad_rows_are_listed_and_nothing_is_written(
        self, cli: Cli, acme: int, tmp_path: Path
    ) -> None:
        source = tmp_path / "broken.csv"
        source.write_text(TOGGL.replace("12:00:00,01:00:00", "10:00:00,01:00:00"))

        result = cli("import", str(source), "--organization", str(acme), "--user", EMAIL)

        assert result.exit_code == 1
        assert "nothing was written" in result.stderr
        assert "End time" in result.stderr
        assert "end_time must be after start_time" in result.stderr
        assert entry_count(cli, acme) == 0

    def test_unknown_user_and_non_member_are_refused(
        self, cli: Cli, acme: int, tmp_path: Path
    ) -> None:
        source = tmp_path / "toggl.csv"
        source.write_text(TOGGL)
        cli.ok(
            "create-admin", "--email", "bob@else.example", "--password", PASSWORD,
            "--organization", "Elsewhere",
        )  # fmt: skip

        unknown = cli("import", str(source), "--organization", str(acme), "--user", "x@y.z")
        outsider = cli(
            "import", str(source), "--organization", str(acme), "--user", "bob@else.example"
        )

        assert unknown.exit_code == outsider.exit_code == 1
        assert "No user with the email x@y.z" in unknown.stderr
        assert "is not a member of organisation" in outsider.stderr
        assert entry_count(cli, acme) == 0


class TestExport:
    def test_csv_with_a_date_range_then_xlsx(self, cli: Cli, acme: int, tmp_path: Path) -> None:
        source = tmp_path / "toggl.csv"
        source.write_text(TOGGL)
        cli.ok("import", str(source), "--organization", str(acme), "--user", EMAIL)
        output = tmp_path / "march.csv"

        result = cli.ok(
            "export", "--organization", str(acme), "--user", EMAIL, "--from", "2024-03-05",
            "--to", "2024-03-05", "--output", str(output),
        )  # fmt: skip

        assert "Exported 1 time entries" in result.stderr
        [row] = read_csv(output)
        assert (row["start_time"], row["end_time"], row["project"], row["notes"]) == (
            "2024-03-05T16:00:00Z",
            "2024-03-05T16:20:00Z",
            "Internal",
            "Timesheets",
        )
        assert not (tmp_path / "march.csv.part").exists()

        workbook = tmp_path / "all.xlsx"
        cli.ok("export", "--organization", str(acme), "--user", EMAIL, "-o", str(workbook))
        rows = list(load_workbook(workbook).active.iter_rows(values_only=True))
        assert [r[9] for r in rows[1:]] == ["Hero", "Timesheets", "Review"]

    def test_bad_options(self, cli: Cli, acme: int, tmp_path: Path) -> None:
        base = ["export", "--organization", str(acme), "--user", EMAIL]

        bad_format = cli(*base, "--output", str(tmp_path / "x.pdf"))
        bad_date = cli(*base, "--output", str(tmp_path / "x.csv"), "--from", "last week")

        assert bad_format.exit_code == bad_date.exit_code == 2
        assert "Unknown format 'pdf'" in bad_format.stderr
        assert "not an ISO 8601 date" in bad_date.stderr

    def test_round_trip_into_an_empty_organisation(
        self, cli: Cli, acme: int, tmp_path: Path
    ) -> None:
        source = tmp_path / "toggl.csv"
        source.write_text(TOGGL)
        cli.ok("import", str(source), "--organization", str(acme), "--user", EMAIL)
        first = tmp_path / "acme.csv"
        cli.ok("export", "--organization", str(acme), "--user", EMAIL, "-o", str(first))
        cli.ok("create-admin", "--email", EMAIL, "--organization", "Empty Ltd")
        empty = organization_id(cli, "Empty Ltd")

        cli.ok("import", str(first), "--organization", str(empty), "--user", EMAIL)
        second = tmp_path / "empty.csv"
        cli.ok("export", "--organization", str(empty), "--user", EMAIL, "-o", str(second))

        def comparable(path: Path) -> list[dict[str, Any]]:
            # Imported entries carry source "import" wherever they came from.
            return [{**row, "source": "-"} for row in read_csv(path)]

        assert len(read_csv(first)) == 3
        assert comparable(second) == comparable(first)
