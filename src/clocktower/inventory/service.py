"""Inventory use cases: the module switch, warehouses, stock items, movements, transfers.

Every change of stock is a movement plus one atomic change of its stock level, in the
request's transaction. Movements are history: the API never changes or deletes them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.errors import AppError, InvalidReference, ValidationFailed
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
from clocktower.inventory.quantity import MAX_STOCK, from_milli, optional_milli, to_milli
from clocktower.inventory.repository import (
    TRANSFER_IN,
    TRANSFER_OUT,
    ItemWithQuantity,
    LevelView,
    MovementFilters,
    MovementView,
    StockItemRepository,
    StockLevelRepository,
    StockMovementRepository,
    TransferRow,
    WarehouseRepository,
)
from clocktower.inventory.schemas import (
    StockItemCreate,
    StockItemUpdate,
    StockMovementCreate,
    StockTransferCreate,
    WarehouseCreate,
    WarehouseUpdate,
)
from clocktower.kit.money import to_cents
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.period import PeriodBounds, period_bounds
from clocktower.kit.time import in_zone_to_utc, utcnow
from clocktower.models import Organization, StockItem, StockMovement, Warehouse
from clocktower.project.repository import ProjectRepository
from clocktower.setting.service import organization_settings

# What each kind of movement does to stock: +1 adds, -1 takes, 0 follows the sign given.
_DIRECTION = {"receipt": 1, "return": 1, "issue": -1, "adjustment": 0}
# Names of the unique constraints, as PostgreSQL and SQLite report them.
_WAREHOUSE_CODE = (
    "uq_warehouses_organization_id_code",
    "warehouses.organization_id, warehouses.code",
)
_ITEM_SKU = ("uq_stock_items_organization_id_sku", "stock_items.organization_id, stock_items.sku")


async def require_module(session: AsyncSession, auth: AuthContext) -> None:
    """Every inventory route starts here: the organisation must have the module on."""
    if not (await organization_settings(session, auth.org_id)).modules.inventory:
        raise InventoryModuleDisabled()


def local_period(auth: AuthContext, date_from: date | None, date_to: date | None) -> PeriodBounds:
    """Whole days in the caller's time zone, both ends included."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValidationFailed.field("date_to", "date_to may not be before date_from")
    return period_bounds(date_from, date_to, auth.user.timezone)


async def _flush_unique(
    session: AsyncSession, constraint: tuple[str, ...], error: AppError
) -> None:
    """Flush; a violation of `constraint` (a concurrent twin included) becomes `error`."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as integrity:
        if any(name in str(integrity.orig) for name in constraint):
            raise error from integrity
        raise


def _apply(row: Any, values: dict[str, Any], renames: dict[str, tuple[str, Any]]) -> None:
    """Copy request values onto a row; `renames` maps a field to (column, converter)."""
    for field, value in values.items():
        if field in renames:
            column, convert = renames[field]
            setattr(row, column, convert(value))
        else:
            setattr(row, field, value)


# --- warehouses ------------------------------------------------------------------------------


async def list_warehouses(
    session: AsyncSession,
    auth: AuthContext,
    params: PageParams,
    *,
    search: str | None = None,
    active: bool | None = None,
) -> Page[Warehouse]:
    repository = WarehouseRepository(session)
    return await repository.paginate(
        repository.listing(auth.org_id, search=search, active=active), params
    )


async def get_warehouse(session: AsyncSession, auth: AuthContext, warehouse_id: int) -> Warehouse:
    warehouse = await WarehouseRepository(session).get(auth.org_id, warehouse_id)
    if warehouse is None:
        raise WarehouseNotFound()
    return warehouse


async def create_warehouse(
    session: AsyncSession, auth: AuthContext, data: WarehouseCreate
) -> Warehouse:
    warehouse = Warehouse(organization_id=auth.org_id, **data.model_dump())
    session.add(warehouse)
    await _flush_unique(session, _WAREHOUSE_CODE, WarehouseCodeTaken(warehouse.code))
    return warehouse


async def update_warehouse(
    session: AsyncSession, auth: AuthContext, warehouse_id: int, data: WarehouseUpdate
) -> Warehouse:
    warehouse = await get_warehouse(session, auth, warehouse_id)
    _apply(warehouse, data.model_dump(exclude_unset=True), {})
    await _flush_unique(session, _WAREHOUSE_CODE, WarehouseCodeTaken(warehouse.code))
    return warehouse


async def delete_warehouse(session: AsyncSession, auth: AuthContext, warehouse_id: int) -> None:
    """Only a warehouse that never held stock: movements are history."""
    warehouse = await get_warehouse(session, auth, warehouse_id)
    movements = await StockMovementRepository(session).count_for(
        auth.org_id, warehouse_id=warehouse.id
    )
    if movements:
        raise WarehouseInUse(movements)
    await session.delete(warehouse)
    await session.flush()


# --- stock items -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StockItemDetail:
    found: ItemWithQuantity
    levels: list[LevelView]


_ITEM_FIELDS: dict[str, tuple[str, Any]] = {
    "unit_cost": ("unit_cost_cents", to_cents),
    "reorder_point": ("reorder_point_milli", optional_milli),
    "reorder_quantity": ("reorder_quantity_milli", optional_milli),
}


async def list_stock_items(
    session: AsyncSession,
    auth: AuthContext,
    params: PageParams,
    *,
    search: str | None = None,
    category: str | None = None,
    active: bool | None = None,
    low_stock: bool | None = None,
) -> Page[ItemWithQuantity]:
    repository = StockItemRepository(session)
    statement = repository.listing(
        auth.org_id, search=search, category=category, active=active, low_stock=low_stock
    )
    return await repository.page_with_quantities(statement, params)


async def get_stock_item(session: AsyncSession, auth: AuthContext, item_id: int) -> StockItemDetail:
    repository = StockItemRepository(session)
    found = await repository.get_with_quantity(auth.org_id, item_id)
    if found is None:
        raise StockItemNotFound()
    return StockItemDetail(found, await repository.levels(auth.org_id, item_id))


async def create_stock_item(
    session: AsyncSession, auth: AuthContext, data: StockItemCreate
) -> StockItemDetail:
    values = data.model_dump()
    if values["currency_code"] is None:
        organization = await session.get(Organization, auth.org_id)
        assert organization is not None  # the module switch has just read it
        values["currency_code"] = organization.currency
    item = StockItem(organization_id=auth.org_id)
    _apply(item, values, _ITEM_FIELDS)
    session.add(item)
    await _flush_unique(session, _ITEM_SKU, StockItemSkuTaken(item.sku))
    return StockItemDetail(ItemWithQuantity(item, 0), [])


async def update_stock_item(
    session: AsyncSession, auth: AuthContext, item_id: int, data: StockItemUpdate
) -> StockItemDetail:
    item = await _stock_item(session, auth, item_id)
    _apply(item, data.model_dump(exclude_unset=True), _ITEM_FIELDS)
    await _flush_unique(session, _ITEM_SKU, StockItemSkuTaken(item.sku))
    return await get_stock_item(session, auth, item_id)


async def delete_stock_item(session: AsyncSession, auth: AuthContext, item_id: int) -> None:
    """Only an item that never moved: movements are history."""
    item = await _stock_item(session, auth, item_id)
    movements = await StockMovementRepository(session).count_for(auth.org_id, item_id=item.id)
    if movements:
        raise StockItemInUse(movements)
    await session.delete(item)
    await session.flush()


async def _stock_item(session: AsyncSession, auth: AuthContext, item_id: int) -> StockItem:
    item = await StockItemRepository(session).get(auth.org_id, item_id)
    if item is None:
        raise StockItemNotFound()
    return item


# --- movements -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedMovement:
    view: MovementView
    on_hand_milli: int


@dataclass(frozen=True)
class MovementQuery:
    """The filters of the movement list and of the movement-history report."""

    date_from: date | None = None
    date_to: date | None = None
    stock_item_id: int | None = None
    warehouse_id: int | None = None
    movement_type: str | None = None


async def list_movements(
    session: AsyncSession, auth: AuthContext, params: PageParams, query: MovementQuery
) -> Page[MovementView]:
    """Newest first; days are whole days in the caller's time zone."""
    period = local_period(auth, query.date_from, query.date_to)
    filters = MovementFilters(
        moved_from=period.start,
        moved_before=period.end,
        stock_item_id=query.stock_item_id,
        warehouse_id=query.warehouse_id,
        movement_type=query.movement_type,
    )
    repository = StockMovementRepository(session)
    return await repository.page_views(repository.history(auth.org_id, filters), params)


async def record_movement(
    session: AsyncSession, auth: AuthContext, data: StockMovementCreate
) -> RecordedMovement:
    item = await _item_reference(session, auth, data.stock_item_id)
    warehouse = await _warehouse_reference(session, auth, "warehouse_id", data.warehouse_id)
    if (
        data.project_id is not None
        and await ProjectRepository(session).get(auth.org_id, data.project_id) is None
    ):
        raise InvalidReference("project_id", "Project not found")
    direction = _DIRECTION[data.movement_type] or 1
    change = direction * to_milli(data.quantity)
    now = utcnow()
    if change > 0 and not item.is_active:
        raise StockItemInactive()
    on_hand = await _change_stock(session, auth, item, warehouse, change, now)
    movement = _movement(
        auth,
        item,
        warehouse,
        data.movement_type,
        change,
        now,
        unit_cost_cents=(
            to_cents(data.unit_cost) if data.unit_cost is not None else item.unit_cost_cents
        ),
        reference_id=data.reference_id,
        moved_at=(
            in_zone_to_utc(data.moved_at, auth.user.timezone) if data.moved_at is not None else now
        ),
        notes=data.notes,
        project_id=data.project_id,
    )
    session.add(movement)
    await session.flush()
    return RecordedMovement(_view(movement, item, warehouse), on_hand)


async def _change_stock(
    session: AsyncSession,
    auth: AuthContext,
    item: StockItem,
    warehouse: Warehouse,
    change: int,
    now: datetime,
) -> int:
    """Add (change > 0) or take (< 0) stock in one statement; the new level."""
    levels = StockLevelRepository(session)
    if change > 0:
        if not warehouse.is_active:
            raise WarehouseInactive()
        added = await levels.add(auth.org_id, item.id, warehouse.id, change, now)
        if added is None:
            raise StockLimitExceeded(MAX_STOCK)
        return added
    taken = await levels.take(auth.org_id, item.id, warehouse.id, -change, now)
    if taken is None:
        available = await levels.quantity(auth.org_id, item.id, warehouse.id)
        raise InsufficientStock(available=from_milli(available), requested=from_milli(-change))
    return taken


async def _item_reference(session: AsyncSession, auth: AuthContext, item_id: int) -> StockItem:
    """Ids from a payload resolve inside the caller's organisation only."""
    item = await StockItemRepository(session).get(auth.org_id, item_id)
    if item is None:
        raise InvalidReference("stock_item_id", "Stock item not found")
    return item


async def _warehouse_reference(
    session: AsyncSession, auth: AuthContext, field: str, warehouse_id: int
) -> Warehouse:
    warehouse = await WarehouseRepository(session).get(auth.org_id, warehouse_id)
    if warehouse is None:
        raise InvalidReference(field, "Warehouse not found")
    return warehouse


def _movement(
    auth: AuthContext,
    item: StockItem,
    warehouse: Warehouse,
    kind: str,
    change: int,
    now: datetime,
    **fields: Any,
) -> StockMovement:
    return StockMovement(
        organization_id=auth.org_id,
        stock_item_id=item.id,
        warehouse_id=warehouse.id,
        movement_type=kind,
        quantity_milli=change,
        created_by_id=auth.user_id,
        created_at=now,
        **fields,
    )


def _view(movement: StockMovement, item: StockItem, warehouse: Warehouse) -> MovementView:
    return MovementView(movement, item.sku, item.name, warehouse.code, warehouse.name)


# --- transfers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transfer:
    reference_id: str
    out: MovementView
    incoming: MovementView


async def list_transfers(
    session: AsyncSession,
    auth: AuthContext,
    params: PageParams,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Page[TransferRow]:
    period = local_period(auth, date_from, date_to)
    repository = StockMovementRepository(session)
    statement = repository.transfers(auth.org_id, moved_from=period.start, moved_before=period.end)
    return await repository.page_transfers(statement, params)


async def get_transfer(session: AsyncSession, auth: AuthContext, reference_id: str) -> Transfer:
    views = await StockMovementRepository(session).views_of_reference(auth.org_id, reference_id)
    kinds = [view.movement.movement_type for view in views]
    if kinds != [TRANSFER_OUT, TRANSFER_IN]:
        raise TransferNotFound()
    return Transfer(reference_id, views[0], views[1])


async def create_transfer(
    session: AsyncSession, auth: AuthContext, data: StockTransferCreate
) -> Transfer:
    """Two movements with one reference: out of one warehouse, into the other. The levels
    change in warehouse-id order, so opposite transfers running at once never deadlock."""
    item = await _item_reference(session, auth, data.stock_item_id)
    source = await _warehouse_reference(session, auth, "from_warehouse_id", data.from_warehouse_id)
    target = await _warehouse_reference(session, auth, "to_warehouse_id", data.to_warehouse_id)
    if not target.is_active:
        raise WarehouseInactive()
    milli = to_milli(data.quantity)
    now = utcnow()
    for warehouse, change in sorted(((source, -milli), (target, milli)), key=lambda s: s[0].id):
        await _change_stock(session, auth, item, warehouse, change, now)
    reference_id = str(uuid.uuid4())
    out, incoming = (
        _movement(
            auth,
            item,
            warehouse,
            kind,
            change,
            now,
            unit_cost_cents=item.unit_cost_cents,
            reference_id=reference_id,
            moved_at=now,
            notes=data.notes,
        )
        for warehouse, kind, change in (
            (source, TRANSFER_OUT, -milli),
            (target, TRANSFER_IN, milli),
        )
    )
    session.add_all([out, incoming])
    await session.flush()
    return Transfer(reference_id, _view(out, item, source), _view(incoming, item, target))
