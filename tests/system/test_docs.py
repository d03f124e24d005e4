"""The seed mapping names only Clocktower routes that exist (docs/api/seed-mapping.md)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support import Api

SEED_MAPPING = Path(__file__).resolve().parents[2] / "docs" / "api" / "seed-mapping.md"
ROUTE = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/api/v1/[^`?\s]*)`")
EXTRA_ROUTES_HEADING = "## Clocktower routes with no seed route"


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def named_routes() -> set[str]:
    """Every built route the mapping names: the Clocktower column, minus "planned:" text."""
    seeds, extra = SEED_MAPPING.read_text().split(EXTRA_ROUTES_HEADING)
    found: set[str] = set()
    for section, column in ((seeds, 1), (extra, 0)):
        for line in section.splitlines():
            if not line.startswith("| ") or line.startswith("|---"):
                continue
            cells = _cells(line)
            if len(cells) > column:
                built = cells[column].split("planned:")[0]
                found.update(f"{method} {path}" for method, path in ROUTE.findall(built))
    return found


async def test_every_route_the_seed_mapping_names_exists(api: Api) -> None:
    document: dict[str, Any] = (await api.get("/api/openapi.json")).json()
    present = {
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    }
    named = named_routes()

    assert len(named) > 40
    missing = sorted(named - present)
    if missing:
        pytest.fail("seed-mapping.md names routes that do not exist:\n" + "\n".join(missing))
