"""Credentials → AuthContext; permission nodes, scopes, roles and field gating."""
