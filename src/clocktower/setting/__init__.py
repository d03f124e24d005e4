"""setting domain."""
