"""Who reaches inventory: the module switch first, then permissions and scopes, and
another organisation's objects are never found."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_token.support import issue_token
from tests.inventory.conftest import (
    INVENTORY,
    ITEMS,
    MOVEMENTS,
    REPORTS,
    TRANSFERS,
    WAREHOUSES,
    create_item,
    create_warehouse,
    move,
    switch_inventory,
)
from tests.support import Api, Member

READS = [
    WAREHOUSES,
    f"{WAREHOUSES}/1",
    ITEMS,
    f"{ITEMS}/1",
    MOVEMENTS,
    TRANSFERS,
    f"{TRANSFERS}/some-reference",
    f"{REPORTS}/valuation",
    f"{REPORTS}/movement-history",
    f"{REPORTS}/turnover",
    f"{REPORTS}/low-stock",
]
WRITES = [
    ("POST", WAREHOUSES),
    ("PUT", f"{WAREHOUSES}/1"),
    ("DELETE", f"{WAREHOUSES}/1"),
    ("POST", ITEMS),
    ("PUT", f"{ITEMS}/1"),
    ("DELETE", f"{ITEMS}/1"),
    ("POST", MOVEMENTS),
    ("POST", TRANSFERS),
]


async def inventory_operations(api: Api) -> list[tuple[str, str]]:
    """Every inventory operation of the OpenAPI document, path parameters filled in."""
    document: dict[str, Any] = (await api.get("/api/openapi.json")).json()
    found = []
    for path, item in document["paths"].items():
        if not path.startswith(INVENTORY):
            continue
        concrete = path.replace("{warehouse_id}", "1").replace("{item_id}", "1")
        concrete = concrete.replace("{reference_id}", "some-reference")
        found.extend((method.upper(), concrete) for method in item)
    return sorted(found)


class TestModuleSwitch:
    async def test_every_route_is_module_disabled_while_off(self, api: Api, owner: Member) -> None:
        operations = await inventory_operations(api)
        assert len(operations) == 19

        for method, path in operations:
            # Bad query values and missing bodies too: the switch answers before anything.
            response = await api.as_(owner).request(method, path, params={"page": "zero"})

            assert response.status_code == 403, (method, path, response.text)
            body = response.json()
            assert body["error_code"] == "module_disabled", (method, path)
            assert body["module"] == "inventory"
            assert set(body) >= {"error", "message", "error_code"}

    async def test_authentication_comes_first(self, api: Api) -> None:
        response = await api.get(WAREHOUSES)

        assert response.status_code == 401

    async def test_switching_on_opens_and_off_closes_again(
        self, api: Api, owner: Member, admin: Member
    ) -> None:
        await switch_inventory(api, admin)
        opened = await api.as_(owner).get(WAREHOUSES)
        await switch_inventory(api, admin, on=False)
        closed = await api.as_(owner).get(WAREHOUSES)

        assert opened.status_code == 200
        assert closed.status_code == 403
        assert closed.json()["error_code"] == "module_disabled"

    async def test_the_switch_is_per_organisation(
        self, api: Api, owner: Member, other_owner: Member, inventory_on: None
    ) -> None:
        ours = await api.as_(owner).get(WAREHOUSES)
        theirs = await api.as_(other_owner).get(WAREHOUSES)

        assert ours.status_code == 200
        assert theirs.json()["error_code"] == "module_disabled"

    async def test_a_customer_meets_the_switch_before_their_permissions(
        self, api: Api, customer: Member
    ) -> None:
        response = await api.as_(customer).get(WAREHOUSES)

        assert response.json()["error_code"] == "module_disabled"


class TestPermissions:
    @pytest.mark.parametrize("path", READS)
    async def test_viewer_and_member_read(
        self, api: Api, viewer: Member, member: Member, inventory_on: None, path: str
    ) -> None:
        for who in (viewer, member):
            response = await api.as_(who).get(path)

            # Reading is allowed: an absent object is a 404, never a 403.
            assert response.status_code in (200, 404), (path, response.text)

    @pytest.mark.parametrize(("method", "path"), WRITES)
    async def test_viewer_and_member_cannot_write(
        self, api: Api, viewer: Member, member: Member, inventory_on: None, method: str, path: str
    ) -> None:
        for who in (viewer, member):
            response = await api.as_(who).request(method, path, json={})

            assert response.status_code == 403, (method, path, response.text)
            assert response.json()["required_permission"] == "inventory.manage"

    @pytest.mark.parametrize("path", READS)
    async def test_customer_sees_nothing(
        self, api: Api, customer: Member, inventory_on: None, path: str
    ) -> None:
        response = await api.as_(customer).get(path)

        assert response.status_code == 403
        assert response.json()["required_permission"] == "inventory.fetch"

    async def test_admin_manages(self, api: Api, admin: Member, inventory_on: None) -> None:
        warehouse = await create_warehouse(api, admin, "ADM")
        item = await create_item(api, admin, "ADM-1")

        answer = await move(api, admin, "receipt", item, warehouse, 3)

        assert answer["quantity_on_hand"] == 3

    async def test_token_scopes_are_seed_002s(
        self, api: Api, owner: Member, inventory_on: None
    ) -> None:
        reader, _ = await issue_token(api, owner, scopes=["read:projects"])
        writer, _ = await issue_token(api, owner, scopes=["read:projects", "write:projects"])
        body = {"name": "Scoped", "code": "SCOPED"}

        listed = await api.as_(reader).get(WAREHOUSES)
        refused = await api.as_(reader).post(WAREHOUSES, json=body)
        created = await api.as_(writer).post(WAREHOUSES, json=body)

        assert listed.status_code == 200
        assert refused.status_code == 403
        assert refused.json()["required_scope"] == "write:projects"
        assert created.status_code == 201


class TestTenantIsolation:
    async def test_other_organisations_objects_are_not_found(
        self, api: Api, owner: Member, inventory_on: None, other_org: dict[str, Any]
    ) -> None:
        paths = [
            f"{WAREHOUSES}/{other_org['warehouse']}",
            f"{ITEMS}/{other_org['item']}",
            f"{TRANSFERS}/{other_org['transfer']}",
        ]
        for path in paths:
            for method in ("GET", "PUT", "DELETE"):
                if path.startswith(TRANSFERS) and method != "GET":
                    continue
                response = await api.as_(owner).request(
                    method, path, json={} if method == "PUT" else None
                )

                assert response.status_code == 404, (method, path, response.text)
                assert response.json()["error_code"] == "not_found"

    async def test_their_ids_in_bodies_do_not_resolve(
        self, api: Api, owner: Member, other_org: dict[str, Any], inventory_on: None
    ) -> None:
        ours = await create_warehouse(api, owner, "OURS")
        our_item = await create_item(api, owner, "OUR-1")
        await move(api, owner, "receipt", our_item, ours, 10)

        their_item = await move(api, owner, "receipt", other_org["item"], ours, 1, expect=422)
        their_warehouse = await move(
            api, owner, "receipt", our_item, other_org["warehouse"], 1, expect=422
        )
        into_theirs = await api.as_(owner).post(
            TRANSFERS,
            json={
                "stock_item_id": our_item,
                "from_warehouse_id": ours,
                "to_warehouse_id": other_org["warehouse"],
                "quantity": 1,
            },
        )

        assert their_item["errors"] == {"stock_item_id": ["Stock item not found"]}
        assert their_warehouse["errors"] == {"warehouse_id": ["Warehouse not found"]}
        assert into_theirs.status_code == 422
        assert into_theirs.json()["errors"] == {"to_warehouse_id": ["Warehouse not found"]}

    async def test_lists_and_reports_show_only_our_organisation(
        self, api: Api, owner: Member, other_org: dict[str, Any], inventory_on: None
    ) -> None:
        for path, key in (
            (WAREHOUSES, "warehouses"),
            (ITEMS, "stock_items"),
            (MOVEMENTS, "movements"),
            (TRANSFERS, "transfers"),
            (f"{REPORTS}/movement-history", "movements"),
            (f"{REPORTS}/valuation", "item_details"),
            (f"{REPORTS}/turnover", "items"),
        ):
            response = await api.as_(owner).get(path)

            assert response.status_code == 200
            assert response.json()[key] == [], path
