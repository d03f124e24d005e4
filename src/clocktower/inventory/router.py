"""Inventory (S4.5, seed 002) over HTTP: warehouses, stock items, movements, transfers and
the four reports.

Every route first authenticates and checks the organisation's module switch
(`modules.inventory`): while it is off the answer is 403 `module_disabled`, whatever else
the request holds.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import InvalidReference, error_responses
from clocktower.idempotency import Idempotent
from clocktower.inventory import reports
from clocktower.inventory import service as inventory_service
from clocktower.inventory.errors import (
    InsufficientStock,
    InventoryModuleDisabled,
    StockItemInactive,
    StockItemInUse,
    StockItemNotFound,
    StockItemSkuTaken,
    StockLimitExceeded,
    TransferNotFound,
    WarehouseCodeTaken,
    WarehouseInactive,
    WarehouseInUse,
    WarehouseNotFound,
)
from clocktower.inventory.quantity import from_milli
from clocktower.inventory.report_schemas import LowStockReport, TurnoverReport, ValuationReport
from clocktower.inventory.schemas import (
    DAY_PATTERN,
    HistoryMovementType,
    InventoryDeleted,
    StockItemAnswer,
    StockItemCreate,
    StockItemCreated,
    StockItemDetailRead,
    StockItemList,
    StockItemRead,
    StockItemUpdate,
    StockLevelRead,
    StockMovementCreate,
    StockMovementCreated,
    StockMovementList,
    StockMovementRead,
    StockTransferAnswer,
    StockTransferCreate,
    StockTransferCreated,
    StockTransferDetailRead,
    StockTransferList,
    StockTransferRead,
    WarehouseAnswer,
    WarehouseCreate,
    WarehouseCreated,
    WarehouseList,
    WarehouseRead,
    WarehouseUpdate,
    parse_day,
)
from clocktower.inventory.service import MovementQuery, StockItemDetail, Transfer
from clocktower.kit.ids import IdPath, IdQuery
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.routing import AppRoute


async def _module_switch(auth: Annotated[AuthContext, authorized()], session: DbSession) -> None:
    await inventory_service.require_module(session, auth)


router = APIRouter(
    prefix="/inventory",
    tags=["inventory"],
    route_class=AppRoute,
    dependencies=[Depends(_module_switch)],
    responses=error_responses(InventoryModuleDisabled),
)

InventoryFetch = Annotated[AuthContext, authorized("inventory.fetch")]
InventoryManage = Annotated[AuthContext, authorized("inventory.manage")]

DayQuery = Annotated[
    str | None, Query(pattern=DAY_PATTERN, description="YYYY-MM-DD, a day in your time zone")
]
Search = Annotated[str | None, Query(min_length=1, max_length=200)]
Active = Annotated[bool | None, Query(description="Only active (true) or inactive (false)")]
Category = Annotated[str | None, Query(min_length=1, max_length=100, description="Exact, any case")]
ReferencePath = Annotated[str, Path(min_length=1, max_length=64)]

_MOVEMENT_ERRORS = (InvalidReference, InsufficientStock, StockLimitExceeded, WarehouseInactive)


# --- warehouses ------------------------------------------------------------------------------


@router.get("/warehouses")
async def list_warehouses(
    auth: InventoryFetch,
    session: DbSession,
    pagination: Pagination,
    search: Search = None,
    active: Active = None,
) -> WarehouseList:
    """The organisation's warehouses by name; `search` matches name or code."""
    page = await inventory_service.list_warehouses(
        session, auth, pagination, search=search, active=active
    )
    return WarehouseList(
        warehouses=[WarehouseRead.of(warehouse, auth) for warehouse in page.items],
        pagination=PaginationRead.of(page),
    )


@router.post("/warehouses", status_code=201, responses=error_responses(WarehouseCodeTaken))
async def create_warehouse(
    data: WarehouseCreate, auth: InventoryManage, session: DbSession, _claim: Idempotent
) -> WarehouseCreated:
    """A new warehouse; its `code` is unique in the organisation (409 otherwise)."""
    warehouse = await inventory_service.create_warehouse(session, auth, data)
    return WarehouseCreated(
        message="Warehouse created", warehouse=WarehouseRead.of(warehouse, auth)
    )


@router.get("/warehouses/{warehouse_id}", responses=error_responses(WarehouseNotFound))
async def get_warehouse(
    warehouse_id: IdPath, auth: InventoryFetch, session: DbSession
) -> WarehouseAnswer:
    """One warehouse."""
    warehouse = await inventory_service.get_warehouse(session, auth, warehouse_id)
    return WarehouseAnswer(warehouse=WarehouseRead.of(warehouse, auth))


@router.put(
    "/warehouses/{warehouse_id}",
    responses=error_responses(WarehouseNotFound, WarehouseCodeTaken),
)
async def update_warehouse(
    warehouse_id: IdPath, data: WarehouseUpdate, auth: InventoryManage, session: DbSession
) -> WarehouseAnswer:
    """Change the fields sent; `is_active: false` keeps its history but stops receipts."""
    warehouse = await inventory_service.update_warehouse(session, auth, warehouse_id, data)
    return WarehouseAnswer(warehouse=WarehouseRead.of(warehouse, auth))


@router.delete(
    "/warehouses/{warehouse_id}", responses=error_responses(WarehouseNotFound, WarehouseInUse)
)
async def delete_warehouse(
    warehouse_id: IdPath, auth: InventoryManage, session: DbSession
) -> InventoryDeleted:
    """Delete a warehouse that never held stock; one with movements is 409
    `warehouse_in_use` (deactivate it instead)."""
    await inventory_service.delete_warehouse(session, auth, warehouse_id)
    return InventoryDeleted(message="Warehouse deleted")


# --- stock items -----------------------------------------------------------------------------


def _item_detail(detail: StockItemDetail, auth: AuthContext) -> StockItemDetailRead:
    return StockItemDetailRead.of_item(
        detail.found, auth, stock_levels=[StockLevelRead.of(level) for level in detail.levels]
    )


@router.get("/stock-items")
async def list_stock_items(
    auth: InventoryFetch,
    session: DbSession,
    pagination: Pagination,
    search: Search = None,
    category: Category = None,
    active: Active = None,
    low_stock: Annotated[
        bool | None,
        Query(description="true: only items below their reorder point (over all warehouses)"),
    ] = None,
) -> StockItemList:
    """Stock items by name with their quantity on hand; `search` matches SKU, name or
    description."""
    page = await inventory_service.list_stock_items(
        session,
        auth,
        pagination,
        search=search,
        category=category,
        active=active,
        low_stock=low_stock,
    )
    return StockItemList(
        stock_items=[StockItemRead.of_item(found, auth) for found in page.items],
        pagination=PaginationRead.of(page),
    )


@router.post("/stock-items", status_code=201, responses=error_responses(StockItemSkuTaken))
async def create_stock_item(
    data: StockItemCreate, auth: InventoryManage, session: DbSession, _claim: Idempotent
) -> StockItemCreated:
    """A new stock item; its `sku` is unique in the organisation (409 otherwise). Stock
    arrives through movements, never through this route."""
    detail = await inventory_service.create_stock_item(session, auth, data)
    return StockItemCreated(message="Stock item created", stock_item=_item_detail(detail, auth))


@router.get("/stock-items/{item_id}", responses=error_responses(StockItemNotFound))
async def get_stock_item(
    item_id: IdPath, auth: InventoryFetch, session: DbSession
) -> StockItemAnswer:
    """One stock item with its quantity on hand in total and per warehouse."""
    detail = await inventory_service.get_stock_item(session, auth, item_id)
    return StockItemAnswer(stock_item=_item_detail(detail, auth))


@router.put(
    "/stock-items/{item_id}", responses=error_responses(StockItemNotFound, StockItemSkuTaken)
)
async def update_stock_item(
    item_id: IdPath, data: StockItemUpdate, auth: InventoryManage, session: DbSession
) -> StockItemAnswer:
    """Change the fields sent (quantities change only through movements)."""
    detail = await inventory_service.update_stock_item(session, auth, item_id, data)
    return StockItemAnswer(stock_item=_item_detail(detail, auth))


@router.delete(
    "/stock-items/{item_id}", responses=error_responses(StockItemNotFound, StockItemInUse)
)
async def delete_stock_item(
    item_id: IdPath, auth: InventoryManage, session: DbSession
) -> InventoryDeleted:
    """Delete an item that never moved; one with movements is 409 `stock_item_in_use`
    (deactivate it instead)."""
    await inventory_service.delete_stock_item(session, auth, item_id)
    return InventoryDeleted(message="Stock item deleted")


# --- movements -------------------------------------------------------------------------------


def _movement_query(
    date_from: DayQuery = None,
    date_to: DayQuery = None,
    stock_item_id: IdQuery = None,
    warehouse_id: IdQuery = None,
    movement_type: HistoryMovementType | None = None,
) -> MovementQuery:
    return MovementQuery(
        date_from=parse_day("date_from", date_from),
        date_to=parse_day("date_to", date_to),
        stock_item_id=stock_item_id,
        warehouse_id=warehouse_id,
        movement_type=movement_type,
    )


MovementFilters = Annotated[MovementQuery, Depends(_movement_query)]


async def _movement_list(
    session: DbSession, auth: AuthContext, pagination: Pagination, query: MovementQuery
) -> StockMovementList:
    page = await inventory_service.list_movements(session, auth, pagination, query)
    return StockMovementList(
        movements=[StockMovementRead.of_view(view, auth) for view in page.items],
        pagination=PaginationRead.of(page),
    )


@router.get("/movements")
async def list_movements(
    auth: InventoryFetch, session: DbSession, pagination: Pagination, query: MovementFilters
) -> StockMovementList:
    """Stock movements, newest first (the same list as the movement-history report)."""
    return await _movement_list(session, auth, pagination, query)


@router.post(
    "/movements",
    status_code=201,
    responses=error_responses(*_MOVEMENT_ERRORS, StockItemInactive),
)
async def record_movement(
    data: StockMovementCreate, auth: InventoryManage, session: DbSession, _claim: Idempotent
) -> StockMovementCreated:
    """Record a receipt, issue, return or adjustment and change the stock level with it.
    Stock never goes below zero: 409 `insufficient_stock`. Movements are never changed or
    deleted afterwards; correct one with an adjustment."""
    recorded = await inventory_service.record_movement(session, auth, data)
    return StockMovementCreated(
        message="Stock movement recorded",
        movement=StockMovementRead.of_view(recorded.view, auth),
        quantity_on_hand=from_milli(recorded.on_hand_milli),
    )


# --- transfers -------------------------------------------------------------------------------


@router.get("/transfers")
async def list_transfers(
    auth: InventoryFetch,
    session: DbSession,
    pagination: Pagination,
    date_from: DayQuery = None,
    date_to: DayQuery = None,
) -> StockTransferList:
    """Transfers between warehouses, newest first (seed 002)."""
    page = await inventory_service.list_transfers(
        session,
        auth,
        pagination,
        date_from=parse_day("date_from", date_from),
        date_to=parse_day("date_to", date_to),
    )
    return StockTransferList(
        transfers=[StockTransferRead.of_row(row) for row in page.items],
        pagination=PaginationRead.of(page),
    )


@router.post("/transfers", status_code=201, responses=error_responses(*_MOVEMENT_ERRORS))
async def create_transfer(
    data: StockTransferCreate, auth: InventoryManage, session: DbSession, _claim: Idempotent
) -> StockTransferCreated:
    """Move stock from one warehouse to another: a transfer_out and a transfer_in movement
    sharing one `reference_id`, both or neither (seed 002)."""
    transfer = await inventory_service.create_transfer(session, auth, data)
    return StockTransferCreated(
        message="Transfer recorded",
        reference_id=transfer.reference_id,
        transfers=_pair(transfer, auth),
    )


@router.get("/transfers/{reference_id}", responses=error_responses(TransferNotFound))
async def get_transfer(
    reference_id: ReferencePath, auth: InventoryFetch, session: DbSession
) -> StockTransferAnswer:
    """One transfer with its pair of movements (seed 002)."""
    transfer = await inventory_service.get_transfer(session, auth, reference_id)
    return StockTransferAnswer(
        transfer=StockTransferDetailRead.of_pair(
            transfer.out.movement, transfer.incoming.movement, movements=_pair(transfer, auth)
        )
    )


def _pair(transfer: Transfer, auth: AuthContext) -> list[StockMovementRead]:
    return [
        StockMovementRead.of_view(transfer.out, auth),
        StockMovementRead.of_view(transfer.incoming, auth),
    ]


# --- reports ---------------------------------------------------------------------------------


@router.get("/reports/valuation")
async def valuation_report(
    auth: InventoryFetch,
    session: DbSession,
    warehouse_id: IdQuery = None,
    category: Category = None,
    currency_code: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
) -> ValuationReport:
    """Stock on hand * unit cost: the total, by warehouse, by category and per item
    (seed 002). Each stock level's value is rounded to the cent once; every sum adds those."""
    return await reports.valuation_report(
        session, auth, warehouse_id=warehouse_id, category=category, currency_code=currency_code
    )


@router.get("/reports/movement-history")
async def movement_history_report(
    auth: InventoryFetch, session: DbSession, pagination: Pagination, query: MovementFilters
) -> StockMovementList:
    """Stock movements, newest first, filtered (seed 002)."""
    return await _movement_list(session, auth, pagination, query)


@router.get("/reports/turnover")
async def turnover_report(
    auth: InventoryFetch,
    session: DbSession,
    start_date: DayQuery = None,
    end_date: DayQuery = None,
    item_id: IdQuery = None,
) -> TurnoverReport:
    """Per item over whole days (default: the 30 days ending today): opening, closing and
    average stock, units received and issued, turnover ratio and days of inventory
    (seed 002; definitions in docs/guides/inventory.md)."""
    return await reports.turnover_report(
        session,
        auth,
        start_date=parse_day("start_date", start_date),
        end_date=parse_day("end_date", end_date),
        item_id=item_id,
    )


@router.get("/reports/low-stock", responses=error_responses(InvalidReference))
async def low_stock_report(
    auth: InventoryFetch, session: DbSession, warehouse_id: IdQuery = None
) -> LowStockReport:
    """Active items below their reorder point, over all warehouses or in one (seed 002)."""
    return await reports.low_stock_report(session, auth, warehouse_id=warehouse_id)
