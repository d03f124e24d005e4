"""Warehouses over HTTP: create, list, read, change, delete or deactivate."""

from __future__ import annotations

from sqlalchemy import select

from clocktower.models import AuditLog
from tests.conftest import QueryCounter
from tests.inventory.conftest import (
    WAREHOUSES,
    create_item,
    create_warehouse,
    move,
    switch_inventory,
)
from tests.support import Api, Factory, Member


class TestCreateWarehouse:
    async def test_creates_with_every_field(
        self, api: Api, owner: Member, inventory_on: None
    ) -> None:
        response = await api.as_(owner).post(
            WAREHOUSES,
            json={
                "name": "Amsterdam",
                "code": "AMS",
                "address": "Dam 1, Amsterdam",
                "notes": "Loading dock at the back",
            },
        )

        assert response.status_code == 201
        body = response.json()
        assert body["message"] == "Warehouse created"
        warehouse = body["warehouse"]
        assert set(warehouse) == {
            "id",
            "name",
            "code",
            "address",
            "notes",
            "is_active",
            "created_at",
            "updated_at",
        }
        assert warehouse["code"] == "AMS"
        assert warehouse["is_active"] is True

    async def test_code_is_unique_per_organisation(
        self, api: Api, owner: Member, other_owner: Member, inventory_on: None
    ) -> None:
        await create_warehouse(api, owner, "AMS")
        await switch_inventory(api, other_owner)

        twin = await api.as_(owner).post(WAREHOUSES, json={"name": "Again", "code": "AMS"})
        elsewhere = await api.as_(other_owner).post(
            WAREHOUSES, json={"name": "Theirs", "code": "AMS"}
        )

        assert twin.status_code == 409
        assert twin.json()["error_code"] == "warehouse_code_taken"
        assert twin.json()["errors"] == {"code": ["A warehouse with this code already exists"]}
        assert elsewhere.status_code == 201

    async def test_bad_input_is_400(self, api: Api, owner: Member, inventory_on: None) -> None:
        for body in (
            {"name": "No code"},
            {"name": "", "code": "X"},
            {"name": "Long", "code": "X" * 33},
            {"name": "Typo", "code": "T", "adress": "somewhere"},
        ):
            response = await api.as_(owner).post(WAREHOUSES, json=body)

            assert response.status_code == 400, body
            assert response.json()["error_code"] == "validation_error"

    async def test_writes_are_audited(
        self, api: Api, owner: Member, factory: Factory, inventory_on: None
    ) -> None:
        warehouse_id = await create_warehouse(api, owner, "AUD")

        rows = await factory.session.execute(
            select(AuditLog.action).where(
                AuditLog.organization_id == owner.organization.id,
                AuditLog.object_type == "warehouse",
                AuditLog.object_id == str(warehouse_id),
            )
        )
        assert list(rows.scalars()) == ["warehouse.create"]


class TestListWarehouses:
    async def test_by_name_with_filters_and_pagination(
        self, api: Api, owner: Member, inventory_on: None
    ) -> None:
        await create_warehouse(api, owner, "B", name="Berlin")
        await create_warehouse(api, owner, "A", name="amsterdam")
        closed = await create_warehouse(api, owner, "C", name="Cologne")
        await api.as_(owner).put(f"{WAREHOUSES}/{closed}", json={"is_active": False})

        everything = (await api.as_(owner).get(WAREHOUSES)).json()
        active = (await api.as_(owner).get(WAREHOUSES, params={"active": "true"})).json()
        inactive = (await api.as_(owner).get(WAREHOUSES, params={"active": "false"})).json()
        searched = (await api.as_(owner).get(WAREHOUSES, params={"search": "ber"})).json()
        by_code = (await api.as_(owner).get(WAREHOUSES, params={"search": "c"})).json()
        second = (await api.as_(owner).get(WAREHOUSES, params={"per_page": 2, "page": 2})).json()

        assert [w["name"] for w in everything["warehouses"]] == ["amsterdam", "Berlin", "Cologne"]
        assert [w["code"] for w in active["warehouses"]] == ["A", "B"]
        assert [w["code"] for w in inactive["warehouses"]] == ["C"]
        assert [w["code"] for w in searched["warehouses"]] == ["B"]
        assert [w["code"] for w in by_code["warehouses"]] == ["C"]
        assert [w["code"] for w in second["warehouses"]] == ["C"]
        assert second["pagination"] == {
            "page": 2,
            "per_page": 2,
            "total": 3,
            "pages": 2,
            "has_next": False,
            "has_prev": True,
            "next_page": None,
            "prev_page": 1,
        }

    async def test_per_page_is_at_most_100(
        self, api: Api, owner: Member, inventory_on: None
    ) -> None:
        response = await api.as_(owner).get(WAREHOUSES, params={"per_page": 101})

        assert response.status_code == 400

    async def test_query_count_does_not_grow_with_rows(
        self, api: Api, owner: Member, inventory_on: None, queries: QueryCounter
    ) -> None:
        await create_warehouse(api, owner, "W0")
        with queries:
            await api.as_(owner).get(WAREHOUSES)
        single = queries.count
        for number in range(1, 6):
            await create_warehouse(api, owner, f"W{number}")

        with queries:
            six = await api.as_(owner).get(WAREHOUSES)

        assert len(six.json()["warehouses"]) == 6
        assert queries.count == single, queries.statements


class TestChangeWarehouse:
    async def test_get_and_partial_update(
        self, api: Api, owner: Member, main_warehouse: int
    ) -> None:
        url = f"{WAREHOUSES}/{main_warehouse}"

        changed = await api.as_(owner).put(url, json={"address": "Harbour 2", "notes": "Cold"})
        cleared = await api.as_(owner).put(url, json={"notes": None})
        fetched = await api.as_(owner).get(url)

        assert changed.status_code == 200
        assert changed.json()["warehouse"]["address"] == "Harbour 2"
        assert cleared.json()["warehouse"]["notes"] is None
        assert fetched.json()["warehouse"]["name"] == "Main warehouse"
        assert fetched.json()["warehouse"]["address"] == "Harbour 2"

    async def test_null_for_a_required_field_is_400(
        self, api: Api, owner: Member, main_warehouse: int
    ) -> None:
        response = await api.as_(owner).put(f"{WAREHOUSES}/{main_warehouse}", json={"code": None})

        assert response.status_code == 400

    async def test_taking_another_warehouses_code_is_409(
        self, api: Api, owner: Member, main_warehouse: int, side_warehouse: int
    ) -> None:
        response = await api.as_(owner).put(f"{WAREHOUSES}/{side_warehouse}", json={"code": "MAIN"})

        assert response.status_code == 409
        assert response.json()["error_code"] == "warehouse_code_taken"

    async def test_unknown_is_404(self, api: Api, owner: Member, inventory_on: None) -> None:
        for method in ("GET", "PUT", "DELETE"):
            response = await api.as_(owner).request(
                method, f"{WAREHOUSES}/999999", json={} if method == "PUT" else None
            )

            assert response.status_code == 404
            assert response.json()["message"] == "Warehouse not found"


class TestDeleteWarehouse:
    async def test_an_unused_warehouse_is_deleted(
        self, api: Api, owner: Member, main_warehouse: int
    ) -> None:
        deleted = await api.as_(owner).delete(f"{WAREHOUSES}/{main_warehouse}")
        gone = await api.as_(owner).get(f"{WAREHOUSES}/{main_warehouse}")

        assert deleted.status_code == 200
        assert deleted.json() == {"message": "Warehouse deleted"}
        assert gone.status_code == 404

    async def test_one_with_history_is_refused_and_can_be_deactivated(
        self, api: Api, owner: Member, main_warehouse: int, widget: int
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, 2)
        await move(api, owner, "issue", widget, main_warehouse, 2)
        url = f"{WAREHOUSES}/{main_warehouse}"

        refused = await api.as_(owner).delete(url)
        deactivated = await api.as_(owner).put(url, json={"is_active": False})

        assert refused.status_code == 409
        assert refused.json()["error_code"] == "warehouse_in_use"
        assert refused.json()["movements"] == 2
        assert deactivated.json()["warehouse"]["is_active"] is False
        assert (await api.as_(owner).get(url)).status_code == 200

    async def test_an_inactive_warehouse_receives_nothing_but_gives(
        self, api: Api, owner: Member, main_warehouse: int, widget: int
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, 5)
        await api.as_(owner).put(f"{WAREHOUSES}/{main_warehouse}", json={"is_active": False})

        refused = await move(api, owner, "receipt", widget, main_warehouse, 1, expect=409)
        issued = await move(api, owner, "issue", widget, main_warehouse, 5)

        assert refused["error_code"] == "warehouse_inactive"
        assert issued["quantity_on_hand"] == 0

    async def test_an_item_of_another_warehouse_does_not_block(
        self, api: Api, owner: Member, main_warehouse: int, side_warehouse: int
    ) -> None:
        item = await create_item(api, owner, "ELSEWHERE")
        await move(api, owner, "receipt", item, side_warehouse, 1)

        response = await api.as_(owner).delete(f"{WAREHOUSES}/{main_warehouse}")

        assert response.status_code == 200
