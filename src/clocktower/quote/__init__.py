"""Quotes (S4.4, seed 002): offers to clients, accepted into projects or invoices."""
