"""Inventory errors."""

from __future__ import annotations

from decimal import Decimal

from clocktower.errors import Conflict, Forbidden, NotFound


def _plain(quantity: Decimal) -> str:
    """12.500 → "12.5", 10.000 → "10"."""
    return format(quantity.normalize(), "f")


class InventoryModuleDisabled(Forbidden):
    """Every inventory route while the organisation's `modules.inventory` is off."""

    error_code = "module_disabled"
    title = "Module disabled"

    def __init__(self) -> None:
        super().__init__(
            "The inventory module is turned off for this organisation; an administrator "
            'can turn it on with PUT /api/v1/settings {"modules": {"inventory": true}}',
            module="inventory",
        )


class WarehouseNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Warehouse")


class StockItemNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Stock item")


class TransferNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Transfer")


class WarehouseCodeTaken(Conflict):
    error_code = "warehouse_code_taken"
    title = "Warehouse code taken"

    def __init__(self, code: str) -> None:
        super().__init__(
            f"A warehouse with the code {code!r} already exists",
            errors={"code": ["A warehouse with this code already exists"]},
        )


class StockItemSkuTaken(Conflict):
    error_code = "sku_taken"
    title = "SKU taken"

    def __init__(self, sku: str) -> None:
        super().__init__(
            f"A stock item with the SKU {sku!r} already exists",
            errors={"sku": ["A stock item with this SKU already exists"]},
        )


class WarehouseInUse(Conflict):
    """Movements are history: a warehouse that has any cannot be deleted."""

    error_code = "warehouse_in_use"
    title = "Warehouse in use"

    def __init__(self, movements: int) -> None:
        super().__init__(
            f"The warehouse has {movements} stock movement(s); deactivate it instead "
            '(PUT {"is_active": false})',
            movements=movements,
        )


class StockItemInUse(Conflict):
    error_code = "stock_item_in_use"
    title = "Stock item in use"

    def __init__(self, movements: int) -> None:
        super().__init__(
            f"The stock item has {movements} stock movement(s); deactivate it instead "
            '(PUT {"is_active": false})',
            movements=movements,
        )


class InsufficientStock(Conflict):
    error_code = "insufficient_stock"
    title = "Insufficient stock"

    def __init__(self, *, available: Decimal, requested: Decimal) -> None:
        super().__init__(
            f"Only {_plain(available)} on hand in this warehouse; {_plain(requested)} requested",
            available=float(available),
            requested=float(requested),
        )


class StockLimitExceeded(Conflict):
    error_code = "stock_limit_exceeded"
    title = "Stock limit exceeded"

    def __init__(self, limit: Decimal) -> None:
        super().__init__(f"A warehouse holds at most {limit} units of one item", limit=float(limit))


class WarehouseInactive(Conflict):
    error_code = "warehouse_inactive"
    title = "Warehouse inactive"

    def __init__(self) -> None:
        super().__init__("An inactive warehouse receives no stock; reactivate it first")


class StockItemInactive(Conflict):
    error_code = "stock_item_inactive"
    title = "Stock item inactive"

    def __init__(self) -> None:
        super().__init__("An inactive stock item takes no new stock; reactivate it first")
