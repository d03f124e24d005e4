"""Inventory fixtures: the module switched on, warehouses, items and stock made through the
API, and a reader of the stored stock levels."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from clocktower.models import Client, StockLevel
from tests.support import Api, Factory, Member

INVENTORY = "/api/v1/inventory"
WAREHOUSES = f"{INVENTORY}/warehouses"
ITEMS = f"{INVENTORY}/stock-items"
MOVEMENTS = f"{INVENTORY}/movements"
TRANSFERS = f"{INVENTORY}/transfers"
REPORTS = f"{INVENTORY}/reports"


async def switch_inventory(api: Api, owner: Member, *, on: bool = True) -> None:
    response = await api.as_(owner).put("/api/v1/settings", json={"modules": {"inventory": on}})
    assert response.status_code == 200, response.text


async def create_warehouse(api: Api, who: Member, code: str = "MAIN", **fields: Any) -> int:
    body = {"name": f"Warehouse {code}", "code": code, **fields}
    response = await api.as_(who).post(WAREHOUSES, json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["warehouse"]["id"])


async def create_item(api: Api, who: Member, sku: str = "SKU-1", **fields: Any) -> int:
    body = {"sku": sku, "name": f"Item {sku}", **fields}
    response = await api.as_(who).post(ITEMS, json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["stock_item"]["id"])


async def move(
    api: Api,
    who: Member,
    movement_type: str,
    item_id: int,
    warehouse_id: int,
    quantity: float | int | str,
    *,
    expect: int = 201,
    **fields: Any,
) -> dict[str, Any]:
    body = {
        "movement_type": movement_type,
        "stock_item_id": item_id,
        "warehouse_id": warehouse_id,
        "quantity": quantity,
        **fields,
    }
    response = await api.as_(who).post(MOVEMENTS, json=body)
    assert response.status_code == expect, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def transfer(
    api: Api,
    who: Member,
    item_id: int,
    from_id: int,
    to_id: int,
    quantity: float | int | str,
    *,
    expect: int = 201,
    **fields: Any,
) -> dict[str, Any]:
    body = {
        "stock_item_id": item_id,
        "from_warehouse_id": from_id,
        "to_warehouse_id": to_id,
        "quantity": quantity,
        **fields,
    }
    response = await api.as_(who).post(TRANSFERS, json=body)
    assert response.status_code == expect, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def stored_levels(factory: Factory, organization_id: int) -> dict[tuple[int, int], int]:
    """(item id, warehouse id) → quantity in thousandths, as stored now."""
    result = await factory.session.execute(
        select(StockLevel.stock_item_id, StockLevel.warehouse_id, StockLevel.quantity_milli)
        .where(StockLevel.organization_id == organization_id)
        .execution_options(populate_existing=True)
    )
    return {(item, warehouse): quantity for item, warehouse, quantity in result.all()}


@pytest.fixture
async def inventory_on(api: Api, owner: Member) -> None:
    await switch_inventory(api, owner)


@pytest.fixture
async def main_warehouse(api: Api, owner: Member, inventory_on: None) -> int:
    return await create_warehouse(api, owner, "MAIN", name="Main warehouse")


@pytest.fixture
async def side_warehouse(api: Api, owner: Member, inventory_on: None) -> int:
    return await create_warehouse(api, owner, "SIDE", name="Side warehouse")


@pytest.fixture
async def widget(api: Api, owner: Member, inventory_on: None) -> int:
    return await create_item(
        api,
        owner,
        "WID-1",
        name="Widget",
        category="Parts",
        unit_cost="2.50",
        currency_code="EUR",
        reorder_point=10,
        reorder_quantity=50,
    )


@pytest.fixture
async def other_org(api: Api, other_owner: Member) -> dict[str, int]:
    """Another organisation with the module on, one warehouse, one item and a transfer."""
    await switch_inventory(api, other_owner)
    first = await create_warehouse(api, other_owner, "THEIRS")
    second = await create_warehouse(api, other_owner, "THEIRS-2")
    item = await create_item(api, other_owner, "THEIR-SKU")
    await move(api, other_owner, "receipt", item, first, 5)
    moved = await transfer(api, other_owner, item, first, second, 2)
    return {"warehouse": first, "item": item, "transfer": moved["reference_id"]}


@pytest.fixture
async def acme(factory: Factory, owner: Member) -> Client:
    return await factory.client(owner.organization, name="Acme Corp")


@pytest.fixture
async def customer(factory: Factory, owner: Member, acme: Client) -> Member:
    return await factory.member(owner.organization, "customer", client_id=acme.id, name="Cus")
