"""team domain."""
