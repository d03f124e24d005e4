"""Pushing approved bills and finalised invoices to the accounting system (S4.2, S4.3)."""
