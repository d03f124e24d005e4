"""The inventory reports (seed 002): valuation, turnover and low stock (movement history
is in test_movements.py). Every figure is computed independently here and compared."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import QueryCounter
from tests.inventory.conftest import (
    ITEMS,
    REPORTS,
    create_item,
    create_warehouse,
    move,
    transfer,
)
from tests.support import Api, Member

VALUATION = f"{REPORTS}/valuation"
TURNOVER = f"{REPORTS}/turnover"
LOW_STOCK = f"{REPORTS}/low-stock"


async def report(api: Api, who: Member, url: str, **params: Any) -> dict[str, Any]:
    response = await api.as_(who).get(url, params=params)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


@pytest.fixture
async def valued(
    api: Api, owner: Member, main_warehouse: int, side_warehouse: int, widget: int
) -> dict[str, int]:
    """Widget (Parts, 2.50 EUR): 4 in MAIN, 2.5 in SIDE. Screw (Parts, 0.01 EUR): 0.5 in
    MAIN and 0.5 in SIDE (half a cent each). Cable (Cables, 3.75 USD): 2 in SIDE."""
    screw = await create_item(
        api, owner, "SCR", name="Screw", category="parts", unit_cost="0.01", currency_code="EUR"
    )
    cable = await create_item(
        api, owner, "CBL", name="Cable", category="Cables", unit_cost=3.75, currency_code="USD"
    )
    await move(api, owner, "receipt", widget, main_warehouse, "6.5")
    await transfer(api, owner, widget, main_warehouse, side_warehouse, "2.5")
    await move(api, owner, "receipt", screw, main_warehouse, "0.5")
    await move(api, owner, "receipt", screw, side_warehouse, "0.5")
    await move(api, owner, "receipt", cable, side_warehouse, 2)
    return {
        "widget": widget,
        "screw": screw,
        "cable": cable,
        "main": main_warehouse,
        "side": side_warehouse,
    }


class TestValuation:
    async def test_one_currency_adds_up(
        self, api: Api, owner: Member, valued: dict[str, int]
    ) -> None:
        answer = await report(api, owner, VALUATION, currency_code="EUR")

        # Widget 6.5 * 2.50 = 16.25; screw: two lines of 0.005, each rounded to 0.01.
        assert answer["currency_code"] == "EUR"
        assert answer["total_value"] == 16.27
        assert answer["totals_by_currency"] == [{"currency_code": "EUR", "value": 16.27}]
        assert answer["item_details"] == [
            {
                "stock_item_id": valued["screw"],
                "sku": "SCR",
                "name": "Screw",
                "category": "parts",
                "unit": "pcs",
                "currency_code": "EUR",
                "unit_cost": 0.01,
                "quantity_on_hand": 1,
                "value": 0.02,
            },
            {
                "stock_item_id": valued["widget"],
                "sku": "WID-1",
                "name": "Widget",
                "category": "Parts",
                "unit": "pcs",
                "currency_code": "EUR",
                "unit_cost": 2.5,
                "quantity_on_hand": 6.5,
                "value": 16.25,
            },
        ]
        assert answer["by_warehouse"] == [
            {
                "warehouse_id": valued["main"],
                "warehouse_name": "Main warehouse",
                "warehouse_code": "MAIN",
                "currency_code": "EUR",
                "item_count": 2,
                "value": 10.01,
            },
            {
                "warehouse_id": valued["side"],
                "warehouse_name": "Side warehouse",
                "warehouse_code": "SIDE",
                "currency_code": "EUR",
                "item_count": 2,
                "value": 6.26,
            },
        ]
        # Categories group as stored: "Parts" and "parts" are two spellings.
        assert sorted((c["category"], c["value"]) for c in answer["by_category"]) == [
            ("Parts", 16.25),
            ("parts", 0.02),
        ]

    async def test_mixed_currencies_have_no_single_total(
        self, api: Api, owner: Member, valued: dict[str, int]
    ) -> None:
        answer = await report(api, owner, VALUATION)

        assert answer["currency_code"] is None
        assert answer["total_value"] is None
        assert answer["totals_by_currency"] == [
            {"currency_code": "EUR", "value": 16.27},
            {"currency_code": "USD", "value": 7.5},
        ]
        assert [(w["warehouse_code"], w["currency_code"]) for w in answer["by_warehouse"]] == [
            ("MAIN", "EUR"),
            ("SIDE", "EUR"),
            ("SIDE", "USD"),
        ]
        assert [i["sku"] for i in answer["item_details"]] == ["CBL", "SCR", "WID-1"]

    async def test_filters(self, api: Api, owner: Member, valued: dict[str, int]) -> None:
        side = await report(api, owner, VALUATION, warehouse_id=valued["side"])
        parts = await report(api, owner, VALUATION, category="PARTS")
        cables = await report(api, owner, VALUATION, category="Cables")
        nowhere = await report(api, owner, VALUATION, warehouse_id=987654)

        assert [(i["sku"], i["quantity_on_hand"]) for i in side["item_details"]] == [
            ("CBL", 2),
            ("SCR", 0.5),
            ("WID-1", 2.5),
        ]
        assert [w["warehouse_code"] for w in side["by_warehouse"]] == ["SIDE", "SIDE"]
        assert parts["total_value"] == 16.27
        assert cables["currency_code"] == "USD"
        assert cables["total_value"] == 7.5
        assert nowhere["item_details"] == []
        assert nowhere["total_value"] == 0
        assert nowhere["currency_code"] is None

    async def test_empty_stock_is_not_listed(
        self, api: Api, owner: Member, widget: int, main_warehouse: int
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, 1)
        await move(api, owner, "issue", widget, main_warehouse, 1)

        answer = await report(api, owner, VALUATION)

        assert answer["item_details"] == []
        assert answer["total_value"] == 0

    async def test_the_largest_values_stay_exact_integers_in_sql(
        self, api: Api, owner: Member, main_warehouse: int, side_warehouse: int
    ) -> None:
        # A billion units at the highest cost, in two warehouses: far past 2**63 if the
        # product were taken in thousandths, inside it as whole units.
        item = await create_item(api, owner, "BIG", unit_cost=20000000, currency_code="EUR")
        await move(api, owner, "receipt", item, main_warehouse, 1000000000)
        await move(api, owner, "receipt", item, side_warehouse, "0.999")

        answer = await report(api, owner, VALUATION)

        assert answer["total_value"] == 20000000000000000 + 19980000
        assert answer["item_details"][0]["value"] == answer["total_value"]

    async def test_bad_filters_are_400(self, api: Api, owner: Member, inventory_on: None) -> None:
        for params in ({"currency_code": "eur"}, {"warehouse_id": 0}, {"category": ""}):
            response = await api.as_(owner).get(VALUATION, params=params)

            assert response.status_code == 400, params

    async def test_query_count_does_not_grow_with_rows(
        self, api: Api, owner: Member, valued: dict[str, int], queries: QueryCounter
    ) -> None:
        with queries:
            await api.as_(owner).get(VALUATION)
        few = queries.count
        for number in range(4):
            warehouse = await create_warehouse(api, owner, f"V{number}")
            item = await create_item(api, owner, f"V{number}", category=f"C{number}")
            await move(api, owner, "receipt", item, warehouse, 1)

        with queries:
            many = await api.as_(owner).get(VALUATION)

        assert len(many.json()["item_details"]) == 7
        assert queries.count == few, queries.statements


@pytest.fixture
async def flows(
    api: Api, owner: Member, widget: int, main_warehouse: int, side_warehouse: int
) -> dict[str, int]:
    """Widget: 10 received before 2024-01-01, 4 issued on the 5th, 6 received on the 6th,
    2 issued on the 15th, and 3 moved to SIDE today. Bolt: never moved. Nut: 3 received on
    the 3rd."""
    bolt = await create_item(api, owner, "BOLT", name="Bolt")
    nut = await create_item(api, owner, "NUT", name="Nut")
    at = "T12:00:00Z"
    await move(api, owner, "receipt", widget, main_warehouse, 10, moved_at="2023-12-20" + at)
    await move(api, owner, "issue", widget, main_warehouse, 4, moved_at="2024-01-05" + at)
    await move(api, owner, "receipt", widget, main_warehouse, 6, moved_at="2024-01-06" + at)
    await move(api, owner, "issue", widget, main_warehouse, 2, moved_at="2024-01-15" + at)
    await move(api, owner, "receipt", nut, side_warehouse, 3, moved_at="2024-01-03" + at)
    await transfer(api, owner, widget, main_warehouse, side_warehouse, 3)
    return {"widget": widget, "bolt": bolt, "nut": nut}


class TestTurnover:
    async def test_metrics_per_item(self, api: Api, owner: Member, flows: dict[str, int]) -> None:
        answer = await report(api, owner, TURNOVER, start_date="2024-01-01", end_date="2024-01-10")

        assert answer["start_date"] == "2024-01-01"
        assert answer["end_date"] == "2024-01-10"
        assert answer["period_days"] == 10
        by_sku = {item["sku"]: item for item in answer["items"]}
        assert [item["sku"] for item in answer["items"]] == ["BOLT", "NUT", "WID-1"]
        # Average (10 + 12) / 2 = 11; ratio 4 / 11 = 0.3636…; days 10 * 11 / 4 = 27.5.
        assert by_sku["WID-1"] == {
            "stock_item_id": flows["widget"],
            "sku": "WID-1",
            "name": "Widget",
            "unit": "pcs",
            "opening_quantity": 10,
            "closing_quantity": 12,
            "average_stock": 11,
            "units_received": 6,
            "units_issued": 4,
            "turnover_ratio": 0.36,
            "days_of_inventory": 27.5,
        }
        assert by_sku["BOLT"]["average_stock"] == 0
        assert by_sku["BOLT"]["turnover_ratio"] is None
        assert by_sku["BOLT"]["days_of_inventory"] is None
        # Stock but nothing issued: a ratio of zero and no days of inventory.
        assert by_sku["NUT"]["average_stock"] == 1.5
        assert by_sku["NUT"]["turnover_ratio"] == 0
        assert by_sku["NUT"]["days_of_inventory"] is None

    async def test_item_filter_and_a_later_window(
        self, api: Api, owner: Member, flows: dict[str, int]
    ) -> None:
        answer = await report(
            api,
            owner,
            TURNOVER,
            start_date="2024-01-11",
            end_date="2024-01-31",
            item_id=flows["widget"],
        )

        (item,) = answer["items"]
        # Opening 12, closing 10: average 11; 2 issued -> 0.18; 21 * 11 / 2 = 115.5 days.
        assert (item["opening_quantity"], item["closing_quantity"]) == (12, 10)
        assert item["turnover_ratio"] == 0.18
        assert item["days_of_inventory"] == 115.5

    async def test_days_are_the_callers_days(
        self, api: Api, owner: Member, flows: dict[str, int]
    ) -> None:
        # In Kiritimati (UTC+14) the issue of 2024-01-05 12:00 UTC falls on the 6th.
        await api.as_(owner).put("/api/v1/preferences", json={"timezone": "Pacific/Kiritimati"})

        answer = await report(
            api,
            owner,
            TURNOVER,
            start_date="2024-01-06",
            end_date="2024-01-06",
            item_id=flows["widget"],
        )

        assert answer["items"][0]["units_issued"] == 4

    async def test_default_window_is_the_last_30_days(
        self, api: Api, owner: Member, flows: dict[str, int]
    ) -> None:
        answer = await report(api, owner, TURNOVER, item_id=flows["widget"])

        end = date.fromisoformat(answer["end_date"])
        assert abs((end - date.today()).days) <= 1
        assert date.fromisoformat(answer["start_date"]) == end - timedelta(days=29)
        assert answer["period_days"] == 30
        # Today's transfer moved stock between warehouses: nothing was issued or received.
        (item,) = answer["items"]
        assert (item["opening_quantity"], item["closing_quantity"]) == (10, 10)
        assert (item["units_issued"], item["units_received"]) == (0, 0)
        assert item["turnover_ratio"] == 0
        assert item["days_of_inventory"] is None

    async def test_only_a_start_date_runs_to_today(
        self, api: Api, owner: Member, inventory_on: None
    ) -> None:
        start = (date.today() - timedelta(days=6)).isoformat()

        answer = await report(api, owner, TURNOVER, start_date=start)

        assert answer["start_date"] == start
        assert answer["period_days"] in (6, 7, 8)

    @pytest.mark.parametrize(
        "params",
        [
            {"start_date": "2024-01-10", "end_date": "2024-01-01"},
            {"start_date": "2024-1-1"},
            {"end_date": "9999-12-31"},
            {"item_id": -1},
        ],
    )
    async def test_bad_parameters_are_400(
        self, api: Api, owner: Member, inventory_on: None, params: dict[str, Any]
    ) -> None:
        response = await api.as_(owner).get(TURNOVER, params=params)

        assert response.status_code == 400, response.text

    async def test_query_count_does_not_grow_with_rows(
        self,
        api: Api,
        owner: Member,
        flows: dict[str, int],
        main_warehouse: int,
        queries: QueryCounter,
    ) -> None:
        window = {"start_date": "2024-01-01", "end_date": "2024-12-31"}
        with queries:
            await api.as_(owner).get(TURNOVER, params=window)
        few = queries.count
        for number in range(4):
            item = await create_item(api, owner, f"T{number}")
            await move(api, owner, "receipt", item, main_warehouse, 2, moved_at="2024-02-01T00:00Z")
            await move(api, owner, "issue", item, main_warehouse, 1, moved_at="2024-02-02T00:00Z")

        with queries:
            many = await api.as_(owner).get(TURNOVER, params=window)

        assert len(many.json()["items"]) == 7
        assert queries.count == few, queries.statements


@pytest.fixture
async def shortages(
    api: Api, owner: Member, widget: int, main_warehouse: int, side_warehouse: int
) -> dict[str, int]:
    """Widget (reorder at 10, reorder 50): 4 in MAIN, 3 in SIDE. Exact (reorder at 5): 5 in
    MAIN. Never stocked (reorder at 2.5). Retired (inactive, reorder at 9). Plain: no
    reorder point."""
    exact = await create_item(api, owner, "EXACT", name="Exact", reorder_point=5)
    never = await create_item(api, owner, "NEVER", name="Never stocked", reorder_point="2.5")
    retired = await create_item(api, owner, "OLD", name="Retired", reorder_point=9)
    plain = await create_item(api, owner, "PLAIN", name="Plain")
    await move(api, owner, "receipt", widget, main_warehouse, 4)
    await move(api, owner, "receipt", widget, side_warehouse, 3)
    await move(api, owner, "receipt", exact, main_warehouse, 5)
    await move(api, owner, "receipt", plain, main_warehouse, 1)
    await api.as_(owner).put(f"{ITEMS}/{retired}", json={"is_active": False})
    return {"widget": widget, "never": never, "exact": exact}


class TestLowStock:
    async def test_over_all_warehouses(
        self, api: Api, owner: Member, shortages: dict[str, int]
    ) -> None:
        answer = await report(api, owner, LOW_STOCK)

        assert answer["warehouse_id"] is None
        assert answer["items"] == [
            {
                "stock_item_id": shortages["never"],
                "sku": "NEVER",
                "name": "Never stocked",
                "category": None,
                "unit": "pcs",
                "warehouse_id": None,
                "warehouse_name": None,
                "quantity_on_hand": 0,
                "reorder_point": 2.5,
                "shortfall": 2.5,
                "reorder_quantity": None,
            },
            {
                "stock_item_id": shortages["widget"],
                "sku": "WID-1",
                "name": "Widget",
                "category": "Parts",
                "unit": "pcs",
                "warehouse_id": None,
                "warehouse_name": None,
                "quantity_on_hand": 7,
                "reorder_point": 10,
                "shortfall": 3,
                "reorder_quantity": 50,
            },
        ]

    async def test_in_one_warehouse(
        self, api: Api, owner: Member, shortages: dict[str, int], side_warehouse: int
    ) -> None:
        answer = await report(api, owner, LOW_STOCK, warehouse_id=side_warehouse)

        assert answer["warehouse_id"] == side_warehouse
        rows = [
            (i["sku"], i["quantity_on_hand"], i["shortfall"], i["warehouse_name"])
            for i in answer["items"]
        ]
        assert rows == [
            ("EXACT", 0, 5, "Side warehouse"),
            ("NEVER", 0, 2.5, "Side warehouse"),
            ("WID-1", 3, 7, "Side warehouse"),
        ]

    async def test_unknown_warehouse_is_422(
        self, api: Api, owner: Member, inventory_on: None
    ) -> None:
        response = await api.as_(owner).get(LOW_STOCK, params={"warehouse_id": 987654})

        assert response.status_code == 422
        assert response.json()["errors"] == {"warehouse_id": ["Warehouse not found"]}

    async def test_the_list_filter_agrees(
        self, api: Api, owner: Member, shortages: dict[str, int]
    ) -> None:
        listed = await api.as_(owner).get(ITEMS, params={"low_stock": "true", "active": "true"})
        reported = await report(api, owner, LOW_STOCK)

        assert [i["sku"] for i in listed.json()["stock_items"]] == [
            i["sku"] for i in reported["items"]
        ]

    async def test_query_count_does_not_grow_with_rows(
        self,
        api: Api,
        owner: Member,
        shortages: dict[str, int],
        main_warehouse: int,
        queries: QueryCounter,
    ) -> None:
        with queries:
            await api.as_(owner).get(LOW_STOCK, params={"warehouse_id": main_warehouse})
        few = queries.count
        for number in range(4):
            item = await create_item(api, owner, f"L{number}", reorder_point=3)
            await move(api, owner, "receipt", item, main_warehouse, 1)

        with queries:
            many = await api.as_(owner).get(LOW_STOCK, params={"warehouse_id": main_warehouse})

        assert len(many.json()["items"]) == 6
        assert queries.count == few, queries.statements
