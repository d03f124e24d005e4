"""Invoices (S4.3): drafted from approved bills or billable entries, numbered, PDF."""
