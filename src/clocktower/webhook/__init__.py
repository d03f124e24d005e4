"""Outgoing webhooks (S6.5): the event catalogue, emitted as jobs in the change's transaction."""
