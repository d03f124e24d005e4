"""Bulk actions, CSV import and CSV/XLSX export of time entries (S3.5, S3.6)."""
