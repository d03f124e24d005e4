"""Timers (S3.2): the running entry of a user, started, read, replaced and stopped."""
