"""Transfers (seed 002): a pair of movements with one reference, listed, fetched and
refused whole."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import QueryCounter
from tests.inventory.conftest import (
    TRANSFERS,
    WAREHOUSES,
    create_item,
    move,
    stored_levels,
    transfer,
)
from tests.support import Api, Factory, Member


@pytest.fixture
async def stocked(api: Api, owner: Member, widget: int, main_warehouse: int) -> int:
    await move(api, owner, "receipt", widget, main_warehouse, 10)
    return widget


class TestCreateTransfer:
    async def test_seed_002_body_and_answer(
        self,
        api: Api,
        owner: Member,
        factory: Factory,
        stocked: int,
        main_warehouse: int,
        side_warehouse: int,
    ) -> None:
        response = await api.as_(owner).post(
            TRANSFERS,
            json={
                "stock_item_id": stocked,
                "from_warehouse_id": main_warehouse,
                "to_warehouse_id": side_warehouse,
                "quantity": 10,
                "notes": "Optional notes",
            },
        )

        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"message", "reference_id", "transfers"}
        assert body["message"] == "Transfer recorded"
        out, incoming = body["transfers"]
        assert (out["movement_type"], out["warehouse_id"], out["quantity"]) == (
            "transfer_out",
            main_warehouse,
            -10,
        )
        assert (incoming["movement_type"], incoming["warehouse_id"], incoming["quantity"]) == (
            "transfer_in",
            side_warehouse,
            10,
        )
        assert out["reference_id"] == incoming["reference_id"] == body["reference_id"]
        assert out["moved_at"] == incoming["moved_at"]
        assert out["notes"] == incoming["notes"] == "Optional notes"
        assert await stored_levels(factory, owner.organization.id) == {
            (stocked, main_warehouse): 0,
            (stocked, side_warehouse): 10000,
        }

    async def test_same_warehouse_twice_is_400(
        self, api: Api, owner: Member, stocked: int, main_warehouse: int
    ) -> None:
        answer = await transfer(api, owner, stocked, main_warehouse, main_warehouse, 1, expect=400)

        assert answer["error_code"] == "validation_error"

    async def test_insufficient_stock_is_409_and_moves_nothing(
        self,
        api: Api,
        owner: Member,
        factory: Factory,
        stocked: int,
        main_warehouse: int,
        side_warehouse: int,
    ) -> None:
        # Levels change in warehouse-id order, so in one direction the destination is
        # filled before the source runs short: that half must not stick either.
        forwards = await transfer(
            api, owner, stocked, main_warehouse, side_warehouse, 11, expect=409
        )
        backwards = await transfer(
            api, owner, stocked, side_warehouse, main_warehouse, 1, expect=409
        )

        assert forwards["error_code"] == "insufficient_stock"
        assert forwards["available"] == 10
        assert backwards["available"] == 0
        assert await stored_levels(factory, owner.organization.id) == {
            (stocked, main_warehouse): 10000
        }
        listed = await api.as_(owner).get(TRANSFERS)
        assert listed.json()["transfers"] == []

    async def test_an_inactive_destination_is_refused(
        self, api: Api, owner: Member, stocked: int, main_warehouse: int, side_warehouse: int
    ) -> None:
        await api.as_(owner).put(f"{WAREHOUSES}/{side_warehouse}", json={"is_active": False})

        refused = await transfer(api, owner, stocked, main_warehouse, side_warehouse, 1, expect=409)

        assert refused["error_code"] == "warehouse_inactive"

    async def test_an_inactive_source_can_be_emptied(
        self, api: Api, owner: Member, stocked: int, main_warehouse: int, side_warehouse: int
    ) -> None:
        await api.as_(owner).put(f"{WAREHOUSES}/{main_warehouse}", json={"is_active": False})

        answer = await transfer(api, owner, stocked, main_warehouse, side_warehouse, 10)

        assert answer["transfers"][1]["quantity"] == 10

    @pytest.mark.parametrize(
        "fields",
        [
            {"quantity": 0},
            {"quantity": -1},
            {"quantity": "0.0001"},
            {"from_warehouse_id": None},
            {"movement_type": "transfer_out"},
        ],
    )
    async def test_bad_input_is_400(
        self,
        api: Api,
        owner: Member,
        stocked: int,
        main_warehouse: int,
        side_warehouse: int,
        fields: dict[str, Any],
    ) -> None:
        body = {
            "stock_item_id": stocked,
            "from_warehouse_id": main_warehouse,
            "to_warehouse_id": side_warehouse,
            "quantity": 1,
            **fields,
        }

        response = await api.as_(owner).post(TRANSFERS, json=body)

        assert response.status_code == 400, fields

    async def test_unknown_item_or_warehouse_is_422(
        self, api: Api, owner: Member, stocked: int, main_warehouse: int
    ) -> None:
        no_item = await transfer(api, owner, 987654, main_warehouse, 987653, 1, expect=422)
        no_source = await transfer(api, owner, stocked, 987654, main_warehouse, 1, expect=422)

        assert set(no_item["errors"]) == {"stock_item_id"}
        assert set(no_item["errors"]) | set(no_source["errors"]) == {
            "stock_item_id",
            "from_warehouse_id",
        }


class TestReadTransfers:
    async def test_get_by_reference_returns_the_pair(
        self, api: Api, owner: Member, stocked: int, main_warehouse: int, side_warehouse: int
    ) -> None:
        created = await transfer(
            api, owner, stocked, main_warehouse, side_warehouse, "2.5", notes="Restock"
        )
        reference = created["reference_id"]

        response = await api.as_(owner).get(f"{TRANSFERS}/{reference}")

        assert response.status_code == 200
        found = response.json()["transfer"]
        out, incoming = created["transfers"]
        assert {key: value for key, value in found.items() if key != "movements"} == {
            "reference_id": reference,
            "moved_at": out["moved_at"],
            "stock_item_id": stocked,
            "from_warehouse_id": main_warehouse,
            "to_warehouse_id": side_warehouse,
            "quantity": 2.5,
            "notes": "Restock",
            "movement_ids": [out["id"], incoming["id"]],
        }
        assert found["movements"] == created["transfers"]

    async def test_unknown_reference_is_404(
        self, api: Api, owner: Member, stocked: int, main_warehouse: int
    ) -> None:
        # A movement's own reference is not a transfer.
        await move(api, owner, "issue", stocked, main_warehouse, 1, reference_id="PO-1")

        for reference in ("PO-1", "no-such-transfer"):
            response = await api.as_(owner).get(f"{TRANSFERS}/{reference}")

            assert response.status_code == 404
            assert response.json()["message"] == "Transfer not found"

    async def test_list_with_dates_and_pagination(
        self,
        api: Api,
        owner: Member,
        stocked: int,
        main_warehouse: int,
        side_warehouse: int,
    ) -> None:
        first = await transfer(api, owner, stocked, main_warehouse, side_warehouse, 1)
        second = await transfer(api, owner, stocked, side_warehouse, main_warehouse, "0.5")

        everything = (await api.as_(owner).get(TRANSFERS)).json()
        page_two = (await api.as_(owner).get(TRANSFERS, params={"per_page": 1, "page": 2})).json()
        long_ago = (
            await api.as_(owner).get(
                TRANSFERS, params={"date_from": "2020-01-01", "date_to": "2020-12-31"}
            )
        ).json()
        from_today = (
            await api.as_(owner).get(
                TRANSFERS, params={"date_from": first["transfers"][0]["moved_at"][:10]}
            )
        ).json()

        assert [t["reference_id"] for t in everything["transfers"]] == [
            second["reference_id"],
            first["reference_id"],
        ]
        newest = everything["transfers"][0]
        assert newest == {
            "reference_id": second["reference_id"],
            "moved_at": second["transfers"][0]["moved_at"],
            "stock_item_id": stocked,
            "from_warehouse_id": side_warehouse,
            "to_warehouse_id": main_warehouse,
            "quantity": 0.5,
            "notes": None,
            "movement_ids": [t["id"] for t in second["transfers"]],
        }
        assert [t["reference_id"] for t in page_two["transfers"]] == [first["reference_id"]]
        assert page_two["pagination"]["total"] == 2
        assert long_ago["transfers"] == []
        assert len(from_today["transfers"]) == 2

    @pytest.mark.parametrize(
        "params",
        [
            {"date_from": "2024-13-01"},
            {"date_to": "yesterday"},
            {"per_page": 101},
            {"date_from": "2024-02-02", "date_to": "2024-02-01"},
        ],
    )
    async def test_bad_filters_are_400(
        self, api: Api, owner: Member, inventory_on: None, params: dict[str, Any]
    ) -> None:
        response = await api.as_(owner).get(TRANSFERS, params=params)

        assert response.status_code == 400

    async def test_query_count_does_not_grow_with_rows(
        self,
        api: Api,
        owner: Member,
        main_warehouse: int,
        side_warehouse: int,
        queries: QueryCounter,
    ) -> None:
        item = await create_item(api, owner, "T0")
        await move(api, owner, "receipt", item, main_warehouse, 10)
        await transfer(api, owner, item, main_warehouse, side_warehouse, 1)
        with queries:
            await api.as_(owner).get(TRANSFERS)
        single = queries.count
        for _ in range(5):
            await transfer(api, owner, item, main_warehouse, side_warehouse, 1)

        with queries:
            six = await api.as_(owner).get(TRANSFERS)

        assert len(six.json()["transfers"]) == 6
        assert queries.count == single, queries.statements
