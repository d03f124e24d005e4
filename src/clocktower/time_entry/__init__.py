"""Time entries (S3.1): the ledger every report counts."""
