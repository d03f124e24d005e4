"""API token scopes: seed 002's list, and the same pattern for the areas it lacks."""

from __future__ import annotations

SCOPES: dict[str, str] = {
    # Seed 002, exactly.
    "read:projects": "View projects",
    "write:projects": "Create and update projects",
    "read:time_entries": "View time entries",
    "write:time_entries": "Create and update time entries",
    "read:tasks": "View tasks",
    "write:tasks": "Create and update tasks",
    "read:clients": "View clients",
    "write:clients": "Create and update clients",
    "read:quotes": "View quotes",
    "write:quotes": "Create and update quotes",
    "read:reports": "View reports and analytics",
    "read:users": "View user information",
    "admin:all": "Full administrative access (use with caution)",
    # Clocktower's other areas, same pattern.
    "write:users": "Update the token user's own profile and preferences",
    "read:organization": "View the organisation, its settings, team and roles",
    "write:organization": "Manage the organisation, its settings, team and roles",
    "read:time_bills": "View time bills",
    "write:time_bills": "Edit, approve and reject time bills",
    "read:invoices": "View invoices",
    "write:invoices": "Create and update invoices",
    "read:webhooks": "View webhook subscriptions and deliveries",
    "write:webhooks": "Manage webhook subscriptions",
    "read:integrations": "View connector configuration and status",
    "write:integrations": "Configure and run connectors",
    "read:credentials": "View vault credentials (secure values need their own permission)",
    "write:credentials": "Create and update vault credentials",
    "read:sync": "Read the delta-sync feed",
    "write:sync": "Push offline changes",
}

ADMIN_SCOPE = "admin:all"
