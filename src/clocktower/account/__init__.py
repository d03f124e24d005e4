"""Accounts: register, sign in and out, refresh, password reset, the current user."""
