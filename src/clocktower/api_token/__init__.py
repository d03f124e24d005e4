"""api_token domain."""
