"""Inventory (S4.5, seed 002): stock, warehouses, movements, transfers and reports."""
