"""Property: whatever sequence of receipts, issues and transfers arrives, every stock level
equals the sum of its movements, never goes below zero, matches a model kept here, and the
valuation adds up to the sum of its item values.

Each example makes its own items and warehouses (fresh codes), so examples never see each
other's stock; the test's transaction still rolls everything back at the end.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from clocktower.models import StockMovement
from tests.inventory.conftest import (
    MOVEMENTS,
    REPORTS,
    TRANSFERS,
    create_item,
    create_warehouse,
    stored_levels,
)
from tests.support import Api, Factory, Member

EXAMPLES = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
ITEMS_PER_EXAMPLE = 2
WAREHOUSES_PER_EXAMPLE = 3
_NAMES = itertools.count()

quantities = st.integers(min_value=1, max_value=20_000)  # thousandths: 0.001 .. 20
costs = st.integers(min_value=0, max_value=1_000_000)  # cents: 0 .. 10,000.00
item_index = st.integers(min_value=0, max_value=ITEMS_PER_EXAMPLE - 1)
warehouse_index = st.integers(min_value=0, max_value=WAREHOUSES_PER_EXAMPLE - 1)
operations = st.one_of(
    st.tuples(st.just("receipt"), item_index, warehouse_index, warehouse_index, quantities),
    st.tuples(st.just("issue"), item_index, warehouse_index, warehouse_index, quantities),
    st.tuples(st.just("transfer"), item_index, warehouse_index, warehouse_index, quantities),
)


def text(milli: int) -> str:
    return f"{milli // 1000}.{milli % 1000:03d}"


async def movement_sums(factory: Factory, organization_id: int) -> dict[tuple[int, int], int]:
    result = await factory.session.execute(
        select(
            StockMovement.stock_item_id,
            StockMovement.warehouse_id,
            func.sum(StockMovement.quantity_milli),
        )
        .where(StockMovement.organization_id == organization_id)
        .group_by(StockMovement.stock_item_id, StockMovement.warehouse_id)
    )
    return {(item, warehouse): int(total) for item, warehouse, total in result.all()}


async def apply(
    api: Api,
    owner: Member,
    operation: tuple[str, int, int, int, int],
    items: list[int],
    warehouses: list[int],
    model: dict[tuple[int, int], int],
) -> None:
    """Send one operation and update the model with what must have happened."""
    kind, item_at, first_at, second_at, milli = operation
    item, first, second = items[item_at], warehouses[first_at], warehouses[second_at]
    on_hand = model.get((item, first), 0)
    body: dict[str, Any]
    if kind == "transfer":
        body = {
            "stock_item_id": item,
            "from_warehouse_id": first,
            "to_warehouse_id": second,
            "quantity": text(milli),
        }
        response = await api.as_(owner).post(TRANSFERS, json=body)
        if first == second:
            assert response.status_code == 400, response.text
            return
    else:
        body = {
            "movement_type": kind,
            "stock_item_id": item,
            "warehouse_id": first,
            "quantity": text(milli),
        }
        response = await api.as_(owner).post(MOVEMENTS, json=body)
    if kind == "receipt":
        assert response.status_code == 201, response.text
        model[(item, first)] = on_hand + milli
        return
    if milli > on_hand:
        assert response.status_code == 409, response.text
        assert response.json()["error_code"] == "insufficient_stock"
        return
    assert response.status_code == 201, response.text
    model[(item, first)] = on_hand - milli
    if kind == "transfer":
        model[(item, second)] = model.get((item, second), 0) + milli


@EXAMPLES
@given(
    item_costs=st.lists(costs, min_size=ITEMS_PER_EXAMPLE, max_size=ITEMS_PER_EXAMPLE),
    steps=st.lists(operations, min_size=1, max_size=8),
)
async def test_levels_follow_movements_and_valuation_adds_up(
    api: Api,
    owner: Member,
    factory: Factory,
    inventory_on: None,
    item_costs: list[int],
    steps: list[tuple[str, int, int, int, int]],
) -> None:
    example = next(_NAMES)
    items = [
        await create_item(
            api,
            owner,
            f"P{example}-{n}",
            unit_cost=f"{cost // 100}.{cost % 100:02d}",
            currency_code="EUR",
        )
        for n, cost in enumerate(item_costs)
    ]
    warehouses = [
        await create_warehouse(api, owner, f"P{example}-{n}") for n in range(WAREHOUSES_PER_EXAMPLE)
    ]
    model: dict[tuple[int, int], int] = {}

    for operation in steps:
        await apply(api, owner, operation, items, warehouses, model)

    organization_id = owner.organization.id
    levels = await stored_levels(factory, organization_id)
    sums = await movement_sums(factory, organization_id)
    ours = {key: value for key, value in levels.items() if key[0] in items}
    assert ours == {key: value for key, value in model.items() if key in ours}
    assert {key: value for key, value in model.items() if value} == {
        key: value for key, value in ours.items() if value
    }
    assert levels == sums
    assert all(quantity >= 0 for quantity in levels.values())

    valuation = (await api.as_(owner).get(f"{REPORTS}/valuation")).json()
    details = valuation["item_details"]
    assert round(valuation["total_value"] * 100) == sum(round(i["value"] * 100) for i in details)
    assert round(valuation["total_value"] * 100) == sum(
        round(w["value"] * 100) for w in valuation["by_warehouse"]
    )
    for item, cost in zip(items, item_costs, strict=True):
        # Each stock level's value is rounded half up to the cent once.
        expected = sum(
            (milli * cost + 500) // 1000 for (of, _), milli in model.items() if of == item
        )
        found = [round(i["value"] * 100) for i in details if i["stock_item_id"] == item]
        assert found == ([expected] if any(model.get((item, w)) for w in warehouses) else [])
