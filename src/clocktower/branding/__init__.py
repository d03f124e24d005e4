"""The organisation's logo, printed on invoices and quotes."""
