"""Parallel issues of the last units: exactly as many succeed as there are units, the rest
are 409 `insufficient_stock`, and the level ends at zero, never below.

PostgreSQL only: SQLite takes its write lock at BEGIN IMMEDIATE, so its writers never
overlap and there is no race to lose (the rule itself is tested on both backends in
test_movements.py).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from clocktower.db import Database
from clocktower.models import StockLevel, StockMovement
from tests.concurrency import conftest as concurrency

pytestmark = pytest.mark.committing
# The HTTP client on an app with real commits, shared with tests/concurrency.
client = concurrency.client
register = concurrency.register

PARALLEL = 20
UNITS = 7


class Stock:
    """An organisation over HTTP with the module on, one item and two stocked warehouses."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.headers: dict[str, str] = {}
        self.item_id = 0
        self.warehouses: list[int] = []

    async def post(self, url: str, body: dict[str, object]) -> httpx.Response:
        return await self.client.post(f"/api/v1/inventory{url}", json=body, headers=self.headers)

    async def set_up(self, email: str, units: int) -> None:
        signed_in = await register(self.client, email)
        self.headers = {"Authorization": f"Bearer {signed_in['token']}"}
        switched = await self.client.put(
            "/api/v1/settings", json={"modules": {"inventory": True}}, headers=self.headers
        )
        assert switched.status_code == 200, switched.text
        item = await self.post("/stock-items", {"sku": "LAST", "name": "Last units"})
        self.item_id = item.json()["stock_item"]["id"]
        for code in ("A", "B"):
            warehouse = await self.post("/warehouses", {"name": code, "code": code})
            self.warehouses.append(warehouse.json()["warehouse"]["id"])
            received = await self.post("/movements", self.body(code, "receipt", units))
            assert received.status_code == 201, received.text

    def body(self, code: str, kind: str, quantity: int) -> dict[str, object]:
        return {
            "stock_item_id": self.item_id,
            "warehouse_id": self.warehouses["AB".index(code)],
            "movement_type": kind,
            "quantity": quantity,
        }


def postgresql_only(backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no concurrent writes to race")


async def test_parallel_issues_of_the_last_units(
    backend: str, client: httpx.AsyncClient, committing_database: Database
) -> None:
    postgresql_only(backend)
    stock = Stock(client)
    await stock.set_up("stock-race@example.com", UNITS)

    answers = await asyncio.gather(
        *(stock.post("/movements", stock.body("A", "issue", 1)) for _ in range(PARALLEL))
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * UNITS + [409] * (PARALLEL - UNITS), [a.text for a in answers]
    assert {a.json()["error_code"] for a in answers if a.status_code == 409} == {
        "insufficient_stock"
    }
    assert sorted(a.json()["quantity_on_hand"] for a in answers if a.status_code == 201) == list(
        range(UNITS)
    )
    async with committing_database.transaction(write=False) as session:
        levels = await session.execute(
            select(StockLevel.quantity_milli).order_by(StockLevel.warehouse_id)
        )
        issued = await session.execute(
            select(func.count()).where(StockMovement.movement_type == "issue")
        )
    assert list(levels.scalars()) == [0, UNITS * 1000]
    assert issued.scalar_one() == UNITS


async def test_opposite_transfers_at_once_never_deadlock(
    backend: str, client: httpx.AsyncClient, committing_database: Database
) -> None:
    postgresql_only(backend)
    stock = Stock(client)
    await stock.set_up("transfer-race@example.com", PARALLEL)
    first, second = stock.warehouses

    answers = await asyncio.gather(
        *(
            stock.post(
                "/transfers",
                {
                    "stock_item_id": stock.item_id,
                    "from_warehouse_id": source,
                    "to_warehouse_id": target,
                    "quantity": 1,
                },
            )
            for _ in range(PARALLEL // 2)
            for source, target in ((first, second), (second, first))
        )
    )

    assert {answer.status_code for answer in answers} == {201}, [a.text for a in answers]
    async with committing_database.transaction(write=False) as session:
        levels = await session.execute(select(StockLevel.quantity_milli))
    assert list(levels.scalars()) == [PARALLEL * 1000, PARALLEL * 1000]
