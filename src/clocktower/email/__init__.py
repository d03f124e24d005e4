"""Outgoing email: queued in the caller's transaction, sent by a job (SMTP) or kept as outbox."""
