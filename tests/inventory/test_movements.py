"""Stock movements over HTTP: what each kind does to stock, the never-negative rule,
validation, history filters, and that history is never rewritten."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from clocktower.models import AuditLog, Project, StockMovement
from tests.conftest import QueryCounter
from tests.inventory.conftest import (
    ITEMS,
    MOVEMENTS,
    REPORTS,
    create_item,
    move,
    stored_levels,
    transfer,
)
from tests.support import Api, Factory, Member

HISTORY_ROUTES = [MOVEMENTS, f"{REPORTS}/movement-history"]


async def movement_count(factory: Factory, organization_id: int) -> int:
    result = await factory.session.execute(
        select(func.count()).where(StockMovement.organization_id == organization_id)
    )
    return int(result.scalar_one())


class TestRecordMovement:
    async def test_each_kind_changes_stock_its_way(
        self, api: Api, owner: Member, factory: Factory, widget: int, main_warehouse: int
    ) -> None:
        steps = [
            ("receipt", "10", 10),
            ("issue", "2.5", 7.5),
            ("return", "0.5", 8),
            ("adjustment", "-1.25", 6.75),
            ("adjustment", "0.25", 7),
        ]
        for kind, quantity, on_hand in steps:
            answer = await move(api, owner, kind, widget, main_warehouse, quantity)

            assert answer["quantity_on_hand"] == on_hand, kind
            assert answer["movement"]["movement_type"] == kind

        levels = await stored_levels(factory, owner.organization.id)
        assert levels == {(widget, main_warehouse): 7000}

    async def test_answer_carries_the_signed_quantity_and_names(
        self, api: Api, owner: Member, widget: int, main_warehouse: int
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, 5)

        answer = await move(
            api,
            owner,
            "issue",
            widget,
            main_warehouse,
            2,
            unit_cost=4.2,
            reference_id="PO-77",
            notes="For the demo kit",
        )

        assert answer["message"] == "Stock movement recorded"
        movement = answer["movement"]
        assert movement["quantity"] == -2
        assert movement["unit_cost"] == 4.2
        assert movement["reference_id"] == "PO-77"
        assert movement["notes"] == "For the demo kit"
        assert movement["stock_item_sku"] == "WID-1"
        assert movement["stock_item_name"] == "Widget"
        assert movement["warehouse_code"] == "MAIN"
        assert movement["warehouse_name"] == "Main warehouse"
        assert movement["created_by_id"] == owner.id

    async def test_unit_cost_defaults_to_the_items(
        self, api: Api, owner: Member, widget: int, main_warehouse: int
    ) -> None:
        answer = await move(api, owner, "receipt", widget, main_warehouse, 1)

        assert answer["movement"]["unit_cost"] == 2.5

    async def test_moved_at_naive_is_in_the_callers_zone(
        self, api: Api, owner: Member, widget: int, main_warehouse: int
    ) -> None:
        await api.as_(owner).put("/api/v1/preferences", json={"timezone": "Europe/Amsterdam"})

        naive = await move(
            api, owner, "receipt", widget, main_warehouse, 1, moved_at="2024-03-01T09:00:00"
        )
        aware = await move(
            api, owner, "receipt", widget, main_warehouse, 1, moved_at="2024-03-01T09:00:00Z"
        )

        assert naive["movement"]["moved_at"] == "2024-03-01T08:00:00Z"
        assert aware["movement"]["moved_at"] == "2024-03-01T09:00:00Z"

    async def test_project_reference(
        self, api: Api, owner: Member, factory: Factory, widget: int, main_warehouse: int
    ) -> None:
        project = Project(organization_id=owner.organization.id, name="Fit-out")
        factory.session.add(project)
        await factory.session.commit()
        await move(api, owner, "receipt", widget, main_warehouse, 3)

        issued = await move(api, owner, "issue", widget, main_warehouse, 1, project_id=project.id)
        unknown = await move(
            api, owner, "issue", widget, main_warehouse, 1, project_id=987654, expect=422
        )

        assert issued["movement"]["project_id"] == project.id
        assert unknown["errors"] == {"project_id": ["Project not found"]}

    async def test_unknown_ids_are_422(
        self, api: Api, owner: Member, widget: int, main_warehouse: int
    ) -> None:
        no_item = await move(api, owner, "receipt", 987654, main_warehouse, 1, expect=422)
        no_warehouse = await move(api, owner, "receipt", widget, 987654, 1, expect=422)

        assert no_item["error_code"] == "invalid_reference"
        assert no_warehouse["error_code"] == "invalid_reference"

    @pytest.mark.parametrize(
        ("fields", "problem"),
        [
            ({"quantity": 0}, "zero"),
            ({"quantity": -1}, "negative receipt"),
            ({"quantity": "1.0001"}, "four decimals"),
            ({"quantity": 1000000000.001}, "past the limit"),
            ({"quantity": "NaN"}, "not a number"),
            ({"quantity": "lots"}, "text"),
            ({"movement_type": "transfer_in"}, "transfers have their own route"),
            ({"movement_type": "theft"}, "unknown kind"),
            ({"unit_cost": -0.01}, "negative cost"),
            ({"moved_at": "yesterday"}, "not a date-time"),
            ({"moved_at": "0999-01-01T00:00:00Z"}, "absurd year"),
            ({"reference_id": "x" * 65}, "reference too long"),
            ({"id": 5}, "unknown field"),
        ],
    )
    async def test_bad_input_is_400(
        self,
        api: Api,
        owner: Member,
        widget: int,
        main_warehouse: int,
        fields: dict[str, Any],
        problem: str,
    ) -> None:
        body = {
            "movement_type": "receipt",
            "stock_item_id": widget,
            "warehouse_id": main_warehouse,
            "quantity": 1,
            **fields,
        }

        response = await api.as_(owner).post(MOVEMENTS, json=body)

        assert response.status_code == 400, problem
        assert response.json()["error_code"] == "validation_error"

    async def test_movements_are_audited(
        self, api: Api, owner: Member, factory: Factory, widget: int, main_warehouse: int
    ) -> None:
        answer = await move(api, owner, "receipt", widget, main_warehouse, 1)

        rows = await factory.session.execute(
            select(AuditLog.action, AuditLog.actor_user_id).where(
                AuditLog.object_type == "stock_movement",
                AuditLog.object_id == str(answer["movement"]["id"]),
            )
        )
        assert rows.all() == [("stock_movement.create", owner.id)]


class TestIdempotentRetry:
    async def test_a_retried_issue_takes_stock_once(
        self, api: Api, owner: Member, factory: Factory, widget: int, main_warehouse: int
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, 5)
        body = {
            "movement_type": "issue",
            "stock_item_id": widget,
            "warehouse_id": main_warehouse,
            "quantity": 2,
        }
        headers = {"Idempotency-Key": "issue-2-widgets"}

        first = await api.as_(owner).post(MOVEMENTS, json=body, headers=headers)
        retry = await api.as_(owner).post(MOVEMENTS, json=body, headers=headers)

        assert first.status_code == retry.status_code == 201
        assert retry.json() == first.json()
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert await stored_levels(factory, owner.organization.id) == {
            (widget, main_warehouse): 3000
        }


class TestNeverNegative:
    async def test_an_issue_past_the_level_is_409_and_changes_nothing(
        self, api: Api, owner: Member, factory: Factory, widget: int, main_warehouse: int
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, 3)
        before = await movement_count(factory, owner.organization.id)

        refused = await move(api, owner, "issue", widget, main_warehouse, "3.001", expect=409)

        assert refused["error_code"] == "insufficient_stock"
        assert refused["available"] == 3
        assert refused["requested"] == 3.001
        assert refused["message"] == "Only 3 on hand in this warehouse; 3.001 requested"
        assert await movement_count(factory, owner.organization.id) == before
        assert await stored_levels(factory, owner.organization.id) == {
            (widget, main_warehouse): 3000
        }

    async def test_exactly_the_level_can_be_issued(
        self, api: Api, owner: Member, widget: int, main_warehouse: int
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, "3.5")

        answer = await move(api, owner, "issue", widget, main_warehouse, "3.5")

        assert answer["quantity_on_hand"] == 0

    async def test_nothing_to_issue_in_a_warehouse_never_stocked(
        self, api: Api, owner: Member, widget: int, main_warehouse: int, side_warehouse: int
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, 5)

        refused = await move(api, owner, "issue", widget, side_warehouse, 1, expect=409)

        assert refused["available"] == 0

    async def test_a_negative_adjustment_obeys_the_same_rule(
        self, api: Api, owner: Member, widget: int, main_warehouse: int
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, 1)

        refused = await move(api, owner, "adjustment", widget, main_warehouse, -2, expect=409)

        assert refused["error_code"] == "insufficient_stock"

    async def test_a_level_holds_at_most_a_billion_units(
        self, api: Api, owner: Member, widget: int, main_warehouse: int
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, 1000000000)

        refused = await move(api, owner, "receipt", widget, main_warehouse, "0.001", expect=409)

        assert refused["error_code"] == "stock_limit_exceeded"


class TestHistoryIsNeverRewritten:
    async def test_movements_have_no_change_or_delete_routes(
        self, api: Api, owner: Member, widget: int, main_warehouse: int
    ) -> None:
        answer = await move(api, owner, "receipt", widget, main_warehouse, 1)
        url = f"{MOVEMENTS}/{answer['movement']['id']}"

        for method in ("PUT", "PATCH", "DELETE"):
            response = await api.as_(owner).request(method, url, json={"quantity": 5})

            assert response.status_code in (404, 405), method
            assert "error_code" in response.json()


@pytest.fixture
async def history(
    api: Api, owner: Member, widget: int, main_warehouse: int, side_warehouse: int
) -> dict[str, int]:
    """A receipt on 2024-01-10, an issue on 2024-01-20 and a transfer now, plus a second
    item's receipt on 2024-01-15 (all 12:00 UTC)."""
    bolt = await create_item(api, owner, "BOLT", name="Bolt")
    await move(api, owner, "receipt", widget, main_warehouse, 10, moved_at="2024-01-10T12:00:00Z")
    await move(api, owner, "receipt", bolt, side_warehouse, 4, moved_at="2024-01-15T12:00:00Z")
    await move(api, owner, "issue", widget, main_warehouse, 3, moved_at="2024-01-20T12:00:00Z")
    await transfer(api, owner, widget, main_warehouse, side_warehouse, 2)
    return {"widget": widget, "bolt": bolt, "main": main_warehouse, "side": side_warehouse}


class TestMovementHistory:
    @pytest.mark.parametrize("route", HISTORY_ROUTES)
    async def test_filters(
        self, api: Api, owner: Member, history: dict[str, int], route: str
    ) -> None:
        async def kinds(**params: Any) -> list[tuple[str, float]]:
            response = await api.as_(owner).get(route, params=params)
            assert response.status_code == 200, response.text
            return [(m["movement_type"], m["quantity"]) for m in response.json()["movements"]]

        assert await kinds() == [
            ("transfer_in", 2),
            ("transfer_out", -2),
            ("issue", -3),
            ("receipt", 4),
            ("receipt", 10),
        ]
        assert await kinds(date_from="2024-01-15", date_to="2024-01-20") == [
            ("issue", -3),
            ("receipt", 4),
        ]
        assert await kinds(date_to="2024-01-14") == [("receipt", 10)]
        assert await kinds(stock_item_id=history["bolt"]) == [("receipt", 4)]
        assert await kinds(warehouse_id=history["side"]) == [("transfer_in", 2), ("receipt", 4)]
        assert await kinds(movement_type="issue") == [("issue", -3)]
        assert await kinds(movement_type="transfer_out") == [("transfer_out", -2)]
        assert await kinds(stock_item_id=987654) == []

    async def test_days_are_the_callers_days(
        self, api: Api, owner: Member, history: dict[str, int]
    ) -> None:
        # 2024-01-20 12:00 UTC is already the 21st in Kiritimati (UTC+14).
        await api.as_(owner).put("/api/v1/preferences", json={"timezone": "Pacific/Kiritimati"})

        response = await api.as_(owner).get(
            MOVEMENTS, params={"date_from": "2024-01-21", "date_to": "2024-01-21"}
        )

        assert [m["movement_type"] for m in response.json()["movements"]] == ["issue"]

    @pytest.mark.parametrize(
        "params",
        [
            {"date_from": "2024-02-30"},
            {"date_from": "20240115"},
            {"date_to": "15-01-2024"},
            {"date_from": "2024-01-20", "date_to": "2024-01-10"},
            {"movement_type": "theft"},
            {"stock_item_id": 0},
            {"per_page": 0},
        ],
    )
    async def test_bad_filters_are_400(
        self, api: Api, owner: Member, inventory_on: None, params: dict[str, Any]
    ) -> None:
        response = await api.as_(owner).get(f"{REPORTS}/movement-history", params=params)

        assert response.status_code == 400, response.text
        assert response.json()["error_code"] == "validation_error"

    async def test_pagination(self, api: Api, owner: Member, history: dict[str, int]) -> None:
        response = await api.as_(owner).get(MOVEMENTS, params={"per_page": 2, "page": 3})

        body = response.json()
        assert [m["movement_type"] for m in body["movements"]] == ["receipt"]
        assert body["pagination"]["total"] == 5
        assert body["pagination"]["pages"] == 3

    @pytest.mark.parametrize("route", HISTORY_ROUTES)
    async def test_query_count_does_not_grow_with_rows(
        self,
        api: Api,
        owner: Member,
        widget: int,
        main_warehouse: int,
        queries: QueryCounter,
        route: str,
    ) -> None:
        await move(api, owner, "receipt", widget, main_warehouse, 1)
        with queries:
            await api.as_(owner).get(route)
        single = queries.count
        for number in range(5):
            item = await create_item(api, owner, f"H{number}")
            await move(api, owner, "receipt", item, main_warehouse, 1)

        with queries:
            six = await api.as_(owner).get(route)

        assert len(six.json()["movements"]) == 6
        assert queries.count == single, queries.statements


class TestStockItemAfterMovements:
    async def test_item_shows_what_movements_left(
        self, api: Api, owner: Member, history: dict[str, int]
    ) -> None:
        response = await api.as_(owner).get(f"{ITEMS}/{history['widget']}")

        item = response.json()["stock_item"]
        assert item["quantity_on_hand"] == 7
        assert {lvl["warehouse_code"]: lvl["quantity"] for lvl in item["stock_levels"]} == {
            "MAIN": 5,
            "SIDE": 2,
        }
