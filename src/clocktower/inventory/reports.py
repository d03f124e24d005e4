"""Inventory reports (seed 002): valuation, turnover and low stock. The database sums;
this module turns the sums into exact decimals and the turnover metrics."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.errors import InvalidReference, ValidationFailed
from clocktower.inventory.quantity import MILLI, from_milli, optional_quantity
from clocktower.inventory.report_repository import (
    InventoryReportRepository,
    TurnoverRow,
    ValuationFilters,
)
from clocktower.inventory.report_schemas import (
    LowStockItem,
    LowStockReport,
    TurnoverItem,
    TurnoverReport,
    ValuationByCategory,
    ValuationByWarehouse,
    ValuationCurrencyTotal,
    ValuationItem,
    ValuationReport,
)
from clocktower.inventory.repository import WarehouseRepository
from clocktower.kit.money import from_cents
from clocktower.kit.period import period_bounds

# The turnover window when the caller names none: the 30 days ending today.
DEFAULT_TURNOVER_DAYS = 30
_HUNDREDTH = Decimal("0.01")


def _cents(value: int) -> Decimal:
    amount = from_cents(value)
    assert amount is not None
    return amount


async def valuation_report(
    session: AsyncSession,
    auth: AuthContext,
    *,
    warehouse_id: int | None = None,
    category: str | None = None,
    currency_code: str | None = None,
) -> ValuationReport:
    """Stock on hand * unit cost, by warehouse, category and item (four GROUP BYs)."""
    filters = ValuationFilters(warehouse_id, category, currency_code)
    repository = InventoryReportRepository(session)
    currencies = await repository.valued_currencies(auth.org_id, filters)
    single = currencies[0].currency_code if len(currencies) == 1 else currency_code
    mixed = len(currencies) > 1
    return ValuationReport(
        currency_code=None if mixed else single,
        total_value=None if mixed else _cents(sum(c.value_cents for c in currencies)),
        totals_by_currency=[
            ValuationCurrencyTotal(currency_code=c.currency_code, value=_cents(c.value_cents))
            for c in currencies
        ],
        by_warehouse=[
            ValuationByWarehouse(
                warehouse_id=row.warehouse_id,
                warehouse_name=row.warehouse_name,
                warehouse_code=row.warehouse_code,
                currency_code=row.currency_code,
                item_count=row.item_count,
                value=_cents(row.value_cents),
            )
            for row in await repository.valued_warehouses(auth.org_id, filters)
        ],
        by_category=[
            ValuationByCategory(
                category=row.category,
                currency_code=row.currency_code,
                item_count=row.item_count,
                value=_cents(row.value_cents),
            )
            for row in await repository.valued_categories(auth.org_id, filters)
        ],
        item_details=[
            ValuationItem(
                stock_item_id=row.stock_item_id,
                sku=row.sku,
                name=row.name,
                category=row.category,
                unit=row.unit,
                currency_code=row.currency_code,
                unit_cost=_cents(row.unit_cost_cents),
                quantity_on_hand=from_milli(row.quantity_milli),
                value=_cents(row.value_cents),
            )
            for row in await repository.valued_items(auth.org_id, filters)
        ],
    )


async def turnover_report(
    session: AsyncSession,
    auth: AuthContext,
    *,
    start_date: date | None = None,
    end_date: date | None = None,
    item_id: int | None = None,
) -> TurnoverReport:
    """Per item over whole local days: opening and closing stock, average stock, units
    received and issued, turnover ratio and days of inventory."""
    zone = auth.user.timezone
    end_date = end_date or datetime.now(ZoneInfo(zone)).date()
    start_date = start_date or end_date - timedelta(days=DEFAULT_TURNOVER_DAYS - 1)
    if start_date > end_date:
        raise ValidationFailed.field("end_date", "end_date may not be before start_date")
    bounds = period_bounds(start_date, end_date, zone)
    assert bounds.start is not None
    assert bounds.end is not None
    days = (end_date - start_date).days + 1
    rows = await InventoryReportRepository(session).turnover(
        auth.org_id, bounds.start, bounds.end, item_id
    )
    return TurnoverReport(
        start_date=start_date,
        end_date=end_date,
        period_days=days,
        items=[_turnover_item(row, days) for row in rows],
    )


def _turnover_item(row: TurnoverRow, days: int) -> TurnoverItem:
    # Twice the average, in thousandths: an exact integer, divided only at the end.
    doubled_average = row.opening_milli + row.closing_milli
    ratio = days_of_inventory = None
    if doubled_average > 0:
        ratio = (Decimal(2 * row.issued_milli) / doubled_average).quantize(
            _HUNDREDTH, rounding=ROUND_HALF_UP
        )
        if row.issued_milli > 0:
            days_of_inventory = (Decimal(days * doubled_average) / (2 * row.issued_milli)).quantize(
                _HUNDREDTH, rounding=ROUND_HALF_UP
            )
    return TurnoverItem(
        stock_item_id=row.stock_item_id,
        sku=row.sku,
        name=row.name,
        unit=row.unit,
        opening_quantity=from_milli(row.opening_milli),
        closing_quantity=from_milli(row.closing_milli),
        average_stock=(Decimal(doubled_average) / 2000).quantize(MILLI, rounding=ROUND_HALF_UP),
        units_received=from_milli(row.received_milli),
        units_issued=from_milli(row.issued_milli),
        turnover_ratio=ratio,
        days_of_inventory=days_of_inventory,
    )


async def low_stock_report(
    session: AsyncSession, auth: AuthContext, *, warehouse_id: int | None = None
) -> LowStockReport:
    """Active items below their reorder point: in one warehouse, or over all of them."""
    warehouse_name = None
    if warehouse_id is not None:
        warehouse = await WarehouseRepository(session).get(auth.org_id, warehouse_id)
        if warehouse is None:
            raise InvalidReference("warehouse_id", "Warehouse not found")
        warehouse_name = warehouse.name
    rows = await InventoryReportRepository(session).low_stock(auth.org_id, warehouse_id)
    return LowStockReport(
        warehouse_id=warehouse_id,
        items=[
            LowStockItem(
                stock_item_id=row.stock_item_id,
                sku=row.sku,
                name=row.name,
                category=row.category,
                unit=row.unit,
                warehouse_id=warehouse_id,
                warehouse_name=warehouse_name,
                quantity_on_hand=from_milli(row.on_hand_milli),
                reorder_point=from_milli(row.reorder_point_milli),
                shortfall=from_milli(row.reorder_point_milli - row.on_hand_milli),
                reorder_quantity=optional_quantity(row.reorder_quantity_milli),
            )
            for row in rows
        ],
    )
