"""Organisations (tenants): register, list mine, create, get, update, delete, switch."""
