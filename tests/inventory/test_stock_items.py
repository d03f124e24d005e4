"""Stock items over HTTP: fields, quantities on hand, filters, changes and deletion."""

from __future__ import annotations

from tests.conftest import QueryCounter
from tests.inventory.conftest import ITEMS, create_item, move
from tests.support import Api, Member

SEED_LIKE = {
    "sku": "CBL-USB-C",
    "name": "USB-C cable",
    "description": "1 m, braided",
    "category": "Cables",
    "unit": "pcs",
    "unit_cost": 3.75,
    "currency_code": "USD",
    "reorder_point": 25,
    "reorder_quantity": 100.5,
}


class TestCreateStockItem:
    async def test_every_field_round_trips_as_numbers(
        self, api: Api, owner: Member, inventory_on: None
    ) -> None:
        response = await api.as_(owner).post(ITEMS, json=SEED_LIKE)

        assert response.status_code == 201
        body = response.json()
        assert body["message"] == "Stock item created"
        item = body["stock_item"]
        assert {key: item[key] for key in SEED_LIKE} == SEED_LIKE
        assert item["is_active"] is True
        assert item["quantity_on_hand"] == 0
        assert item["stock_levels"] == []

    async def test_defaults_and_the_organisations_currency(
        self, api: Api, owner: Member, inventory_on: None
    ) -> None:
        await api.as_(owner).put("/api/v1/settings", json={"currency": "GBP"})

        response = await api.as_(owner).post(ITEMS, json={"sku": "BARE", "name": "Bare"})

        item = response.json()["stock_item"]
        assert item["currency_code"] == "GBP"
        assert item["unit"] == "pcs"
        assert item["unit_cost"] == 0
        assert item["reorder_point"] is None
        assert item["category"] is None

    async def test_sku_is_unique(self, api: Api, owner: Member, widget: int) -> None:
        response = await api.as_(owner).post(ITEMS, json={"sku": "WID-1", "name": "Twin"})

        assert response.status_code == 409
        assert response.json()["error_code"] == "sku_taken"
        assert response.json()["errors"] == {"sku": ["A stock item with this SKU already exists"]}

    async def test_bad_input_is_400(self, api: Api, owner: Member, inventory_on: None) -> None:
        for extra in (
            {"unit_cost": -1},
            {"unit_cost": 1.234},
            {"unit_cost": 20000000.01},
            {"currency_code": "eur"},
            {"currency_code": "EURO"},
            {"reorder_point": -1},
            {"reorder_point": 1.0001},
            {"reorder_quantity": 1000000000.001},
            {"unit": ""},
            {"quantity": 5},
        ):
            response = await api.as_(owner).post(ITEMS, json={"sku": "S", "name": "N", **extra})

            assert response.status_code == 400, extra
            assert response.json()["error_code"] == "validation_error"


class TestGetStockItem:
    async def test_quantity_on_hand_per_warehouse_and_in_total(
        self,
        api: Api,
        owner: Member,
        widget: int,
        main_warehouse: int,
        side_warehouse: int,
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, "7.125")
        await move(api, owner, "receipt", widget, side_warehouse, 3)
        await move(api, owner, "issue", widget, side_warehouse, 3)

        response = await api.as_(owner).get(f"{ITEMS}/{widget}")

        item = response.json()["stock_item"]
        assert item["quantity_on_hand"] == 7.125
        assert item["stock_levels"] == [
            {
                "warehouse_id": main_warehouse,
                "warehouse_name": "Main warehouse",
                "warehouse_code": "MAIN",
                "quantity": 7.125,
            },
            {
                "warehouse_id": side_warehouse,
                "warehouse_name": "Side warehouse",
                "warehouse_code": "SIDE",
                "quantity": 0,
            },
        ]

    async def test_unknown_is_404(self, api: Api, owner: Member, inventory_on: None) -> None:
        response = await api.as_(owner).get(f"{ITEMS}/424242")

        assert response.status_code == 404
        assert response.json()["message"] == "Stock item not found"


class TestListStockItems:
    async def test_filters(
        self, api: Api, owner: Member, main_warehouse: int, inventory_on: None
    ) -> None:
        bolts = await create_item(
            api, owner, "BOLT", name="Bolt", category="Hardware", reorder_point=10
        )
        nuts = await create_item(api, owner, "NUT", name="Nut", category="hardware")
        await create_item(
            api, owner, "CBL", name="Cable", category="Cables", description="long bolt-on"
        )
        await move(api, owner, "receipt", bolts, main_warehouse, 9)
        await move(api, owner, "receipt", nuts, main_warehouse, 1)
        await api.as_(owner).put(f"{ITEMS}/{nuts}", json={"is_active": False})

        async def skus(**params: str) -> list[str]:
            response = await api.as_(owner).get(ITEMS, params=params)
            assert response.status_code == 200, response.text
            return [item["sku"] for item in response.json()["stock_items"]]

        assert await skus() == ["BOLT", "CBL", "NUT"]
        assert await skus(search="bolt") == ["BOLT", "CBL"]
        assert await skus(search="nu") == ["NUT"]
        assert await skus(category="HARDWARE") == ["BOLT", "NUT"]
        assert await skus(active="true") == ["BOLT", "CBL"]
        assert await skus(active="false") == ["NUT"]
        assert await skus(low_stock="true") == ["BOLT"]
        assert await skus(low_stock="false") == ["CBL", "NUT"]
        # The search is literal: % and _ match only themselves.
        assert await skus(search="%") == []

    async def test_quantities_ride_along_and_pages(
        self, api: Api, owner: Member, main_warehouse: int, side_warehouse: int
    ) -> None:
        first = await create_item(api, owner, "A", name="A")
        await create_item(api, owner, "B", name="B")
        await move(api, owner, "receipt", first, main_warehouse, 2)
        await move(api, owner, "receipt", first, side_warehouse, "0.5")

        page = (await api.as_(owner).get(ITEMS, params={"per_page": 1})).json()

        assert [(i["sku"], i["quantity_on_hand"]) for i in page["stock_items"]] == [("A", 2.5)]
        assert page["pagination"]["total"] == 2
        assert page["pagination"]["has_next"] is True

    async def test_query_count_does_not_grow_with_rows(
        self,
        api: Api,
        owner: Member,
        main_warehouse: int,
        side_warehouse: int,
        queries: QueryCounter,
    ) -> None:
        first = await create_item(api, owner, "Q0")
        await move(api, owner, "receipt", first, main_warehouse, 1)
        with queries:
            await api.as_(owner).get(ITEMS, params={"low_stock": "false"})
        single = queries.count
        for number in range(1, 6):
            item = await create_item(api, owner, f"Q{number}", reorder_point=1)
            await move(api, owner, "receipt", item, main_warehouse, 1)
            await move(api, owner, "receipt", item, side_warehouse, 1)

        with queries:
            six = await api.as_(owner).get(ITEMS, params={"low_stock": "false"})

        assert len(six.json()["stock_items"]) == 6
        assert queries.count == single, queries.statements


class TestChangeStockItem:
    async def test_partial_update_keeps_quantities(
        self, api: Api, owner: Member, widget: int, main_warehouse: int
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, 4)

        response = await api.as_(owner).put(
            f"{ITEMS}/{widget}",
            json={"unit_cost": 3, "reorder_point": None, "category": None, "name": "Widget II"},
        )

        item = response.json()["stock_item"]
        assert response.status_code == 200
        assert item["unit_cost"] == 3
        assert item["reorder_point"] is None
        assert item["category"] is None
        assert item["name"] == "Widget II"
        assert item["sku"] == "WID-1"
        assert item["quantity_on_hand"] == 4
        assert [level["quantity"] for level in item["stock_levels"]] == [4]

    async def test_quantity_is_not_a_field(self, api: Api, owner: Member, widget: int) -> None:
        response = await api.as_(owner).put(f"{ITEMS}/{widget}", json={"quantity_on_hand": 5})

        assert response.status_code == 400

    async def test_null_for_required_fields_is_400(
        self, api: Api, owner: Member, widget: int
    ) -> None:
        for field in ("sku", "name", "unit", "unit_cost", "currency_code", "is_active"):
            response = await api.as_(owner).put(f"{ITEMS}/{widget}", json={field: None})

            assert response.status_code == 400, field

    async def test_taking_another_sku_is_409(self, api: Api, owner: Member, widget: int) -> None:
        other = await create_item(api, owner, "OTHER")

        response = await api.as_(owner).put(f"{ITEMS}/{other}", json={"sku": "WID-1"})

        assert response.status_code == 409
        assert response.json()["error_code"] == "sku_taken"


class TestDeleteStockItem:
    async def test_an_item_that_never_moved_is_deleted(
        self, api: Api, owner: Member, widget: int
    ) -> None:
        deleted = await api.as_(owner).delete(f"{ITEMS}/{widget}")

        assert deleted.json() == {"message": "Stock item deleted"}
        assert (await api.as_(owner).get(f"{ITEMS}/{widget}")).status_code == 404

    async def test_one_with_movements_is_refused(
        self, api: Api, owner: Member, widget: int, main_warehouse: int
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, 1)

        refused = await api.as_(owner).delete(f"{ITEMS}/{widget}")

        assert refused.status_code == 409
        assert refused.json()["error_code"] == "stock_item_in_use"
        assert refused.json()["movements"] == 1

    async def test_an_inactive_item_takes_no_new_stock_but_can_be_issued(
        self, api: Api, owner: Member, widget: int, main_warehouse: int
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, 2)
        await api.as_(owner).put(f"{ITEMS}/{widget}", json={"is_active": False})

        refused = await move(api, owner, "receipt", widget, main_warehouse, 1, expect=409)
        issued = await move(api, owner, "issue", widget, main_warehouse, 2)

        assert refused["error_code"] == "stock_item_inactive"
        assert issued["quantity_on_hand"] == 0
