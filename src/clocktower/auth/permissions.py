"""The permission node catalogue (seed 004), wildcard matching and the built-in roles.

A node is `<resource>.<action>[.<qualifier>]`. A grant matches a node exactly, or as a
wildcard: `*` matches everything, `credential.*` matches `credential` and every node below
it. A node's dependencies must be granted too. Every node names the API token scope that
covers it; `self_service` nodes (a user's own account) need no role, only the scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PermissionNode:
    node: str
    description: str
    scope: str | None = None
    dependencies: tuple[str, ...] = ()
    self_service: bool = False


@dataclass(frozen=True)
class PermissionCategory:
    key: str
    name: str
    description: str
    nodes: tuple[PermissionNode, ...] = field(default_factory=tuple)


def _n(
    node: str,
    description: str,
    scope: str | None,
    *dependencies: str,
    self_service: bool = False,
) -> PermissionNode:
    return PermissionNode(node, description, scope, tuple(dependencies), self_service)


def _crud(resource: str, label: str, read: str, write: str) -> tuple[PermissionNode, ...]:
    return (
        _n(f"{resource}.fetch", f"Fetch a single {label}", read),
        _n(f"{resource}.fetch.many", f"List {label}s", read),
        _n(f"{resource}.create", f"Create {label}s", write),
        _n(f"{resource}.update", f"Update {label}s", write, f"{resource}.fetch"),
        _n(f"{resource}.delete", f"Delete or archive {label}s", write, f"{resource}.fetch"),
    )


CATEGORIES: tuple[PermissionCategory, ...] = (
    PermissionCategory(
        "global",
        "Global Permissions",
        "Global wildcard permissions that grant access to all resources",
        (_n("*", "Full access to all resources and actions (owner role)", "admin:all"),),
    ),
    PermissionCategory(
        "account",
        "Account Permissions",
        "What every signed-in user may do with their own account",
        (
            _n("user.read", "Read your own user", "read:users", self_service=True),
            _n(
                "user.write",
                "Update your own user and preferences",
                "write:users",
                self_service=True,
            ),
            _n(
                "organization.list",
                "List your organisations",
                "read:organization",
                self_service=True,
            ),
            _n(
                "organization.create",
                "Create an organisation",
                "write:organization",
                self_service=True,
            ),
            _n(
                "organization.switch",
                "Switch your current organisation",
                "read:organization",
                self_service=True,
            ),
        ),
    ),
    PermissionCategory(
        "organization",
        "Organization Permissions",
        "The organisation itself and its settings",
        (
            _n("organization.fetch", "Fetch the organisation", "read:organization"),
            _n(
                "organization.update",
                "Update the organisation",
                "write:organization",
                "organization.fetch",
            ),
            _n(
                "organization.delete",
                "Delete the organisation",
                "write:organization",
                "organization.fetch",
            ),
            _n("setting.fetch", "Read organisation settings", "read:organization"),
            _n(
                "setting.update",
                "Change organisation settings",
                "write:organization",
                "setting.fetch",
            ),
        ),
    ),
    PermissionCategory(
        "team",
        "Team Permissions",
        "Members and invitations",
        (
            _n("team.fetch.many", "List members and pending invitations", "read:users"),
            _n(
                "team.invite",
                "Invite, re-send and revoke invitations",
                "write:organization",
                "team.fetch.many",
            ),
            _n("team.update", "Change a member's role", "write:organization", "team.fetch.many"),
            _n("team.remove", "Remove a member", "write:organization", "team.fetch.many"),
        ),
    ),
    PermissionCategory(
        "user",
        "User Permissions",
        "Other users of the organisation",
        (
            _n("user.read.other", "Read another user", "read:users"),
            _n("user.list.other", "List users", "read:users", "user.read.other"),
            _n("user.write.other", "Update another user", "write:organization", "user.read.other"),
            _n(
                "user.roles.other",
                "Change another user's roles",
                "write:organization",
                "user.write.other",
            ),
            _n(
                "user.permissions.other",
                "Change another user's direct permissions",
                "write:organization",
                "user.write.other",
            ),
            _n(
                "user.delete.other",
                "Remove another user from the organisation",
                "write:organization",
                "user.read.other",
            ),
        ),
    ),
    PermissionCategory(
        "role",
        "Role Permissions",
        "Roles and the permission catalogue",
        (
            _n("role.read", "Read roles and the permission catalogue", "read:organization"),
            _n("role.list", "List roles", "read:organization", "role.read"),
            _n("role.create", "Create roles", "write:organization", "role.read"),
            _n(
                "role.modify",
                "Change roles and their permissions",
                "write:organization",
                "role.read",
            ),
            _n("role.delete", "Delete roles", "write:organization", "role.read"),
        ),
    ),
    PermissionCategory(
        "api_token",
        "API Token Permissions",
        "API tokens for scripts and integrations",
        (
            _n("api_token.fetch.many", "List API tokens", "admin:all"),
            _n("api_token.create", "Create API tokens", "admin:all", "api_token.fetch.many"),
            _n("api_token.revoke", "Revoke API tokens", "admin:all", "api_token.fetch.many"),
        ),
    ),
    PermissionCategory(
        "audit",
        "Audit Permissions",
        "The audit log and the email outbox",
        (
            _n("audit.fetch.many", "Read the audit log", "admin:all"),
            _n("email.fetch.many", "Read the outgoing email log", "admin:all"),
        ),
    ),
    PermissionCategory(
        "client",
        "Client Permissions",
        "Clients, contacts and leads",
        _crud("client", "client", "read:clients", "write:clients"),
    ),
    PermissionCategory(
        "project",
        "Project Permissions",
        "Projects",
        _crud("project", "project", "read:projects", "write:projects"),
    ),
    PermissionCategory(
        "task",
        "Task Permissions",
        "Tasks",
        _crud("task", "task", "read:tasks", "write:tasks"),
    ),
    PermissionCategory(
        "time_entry",
        "Time Entry Permissions",
        "Tracked time, timers, focus sessions and time blocks",
        (
            *_crud("time_entry", "time entry", "read:time_entries", "write:time_entries"),
            _n(
                "time_entry.fetch.other",
                "See other users' time",
                "read:time_entries",
                "time_entry.fetch.many",
            ),
            _n(
                "time_entry.update.other",
                "Change other users' time",
                "write:time_entries",
                "time_entry.fetch.other",
            ),
        ),
    ),
    PermissionCategory(
        "rate",
        "Rate Permissions",
        "Hourly rates per person and per project member",
        (
            _n("rate.fetch", "See hourly rates and how they resolve", "read:projects"),
            _n("rate.update", "Set people's hourly rates", "write:projects", "rate.fetch"),
        ),
    ),
    PermissionCategory(
        "time_bill",
        "Time Bill Permissions",
        "Daily time bills, their approval and recomputation",
        (
            _n("time_bill.fetch", "Fetch a single time bill", "read:time_bills"),
            _n("time_bill.fetch.many", "List time bills", "read:time_bills"),
            _n(
                "time_bill.fetch.other",
                "See other users' time bills",
                "read:time_bills",
                "time_bill.fetch.many",
            ),
            _n(
                "time_bill.update",
                "Edit the memo of your own time bills",
                "write:time_bills",
                "time_bill.fetch",
            ),
            _n(
                "time_bill.approve",
                "Approve and reject time bills",
                "write:time_bills",
                "time_bill.fetch.other",
            ),
            _n(
                "time_bill.recompute",
                "Rebuild every time bill from the entries",
                "write:time_bills",
                "time_bill.approve",
            ),
        ),
    ),
    PermissionCategory(
        "invoice",
        "Invoice Permissions",
        "Invoices drafted from bills and entries",
        (
            *_crud("invoice", "invoice", "read:invoices", "write:invoices"),
            _n(
                "invoice.send",
                "Finalise, send, mark paid and void invoices",
                "write:invoices",
                "invoice.update",
            ),
        ),
    ),
    PermissionCategory(
        "quote",
        "Quote Permissions",
        "Quotes to clients",
        (
            *_crud("quote", "quote", "read:quotes", "write:quotes"),
            _n(
                "quote.accept",
                "Accept quotes into projects or invoices",
                "write:quotes",
                "quote.update",
            ),
        ),
    ),
    PermissionCategory(
        "inventory",
        "Inventory Permissions",
        "Stock items, warehouses, movements and transfers (when the module is on)",
        (
            _n(
                "inventory.fetch",
                "See stock, warehouses, movements and inventory reports",
                "read:projects",
            ),
            _n(
                "inventory.manage",
                "Change stock items and warehouses, record movements and transfers",
                "write:projects",
                "inventory.fetch",
            ),
        ),
    ),
    PermissionCategory(
        "webhook",
        "Webhook Permissions",
        "Outgoing webhook subscriptions and their delivery log",
        (
            *_crud("webhook", "webhook", "read:webhooks", "write:webhooks"),
            _n(
                "webhook.deliver",
                "Send test pings and redeliver past events",
                "write:webhooks",
                "webhook.fetch",
            ),
        ),
    ),
    PermissionCategory(
        "live",
        "Live Update Permissions",
        "The live event stream (timers, focus, entries)",
        (_n("live.subscribe", "Receive your organisation's live updates", "read:time_entries"),),
    ),
    PermissionCategory(
        "sync",
        "Sync Permissions",
        "Delta sync and offline push for desktop and mobile apps",
        (
            _n("sync.pull", "Fetch what changed since a sync token", "read:sync"),
            _n("sync.push", "Upload changes made offline", "write:sync", "sync.pull"),
        ),
    ),
    PermissionCategory(
        "report",
        "Report Permissions",
        "Reports and dashboards",
        (_n("report.fetch", "Run reports", "read:reports"),),
    ),
)

OBJECT_CATEGORY_KEY = "objects"
_DYNAMIC_OBJECT_NODES: dict[str, PermissionNode] = {}


def register_object_fields(object_type: str, fields: Iterable[str]) -> None:
    """Field-gating nodes (`obj.<type>.<field>`) come from the gated read schemas."""
    _DYNAMIC_OBJECT_NODES[f"obj.{object_type}.*"] = PermissionNode(
        f"obj.{object_type}.*", f"See every field of {object_type} objects"
    )
    for name in fields:
        node = f"obj.{object_type}.{name}"
        _DYNAMIC_OBJECT_NODES[node] = PermissionNode(
            node, f"See the {name} field of {object_type} objects"
        )


def all_categories() -> tuple[PermissionCategory, ...]:
    objects = PermissionCategory(
        OBJECT_CATEGORY_KEY,
        "Object Field Permissions",
        "Field-level gating: which fields of returned objects a role sees",
        (
            PermissionNode("obj.*", "See every field of every object"),
            *sorted(_DYNAMIC_OBJECT_NODES.values(), key=lambda n: n.node),
        ),
    )
    return (*CATEGORIES, objects)


def all_nodes() -> dict[str, PermissionNode]:
    return {node.node: node for category in all_categories() for node in category.nodes}


def node_is_known(pattern: str) -> bool:
    """A grant is valid when it names a node or is a wildcard that covers at least one."""
    if pattern in all_nodes():
        return True
    if pattern.endswith(".*"):
        prefix = pattern[:-2]
        return any(n == prefix or n.startswith(prefix + ".") for n in all_nodes())
    return False


def grant_matches(grant: str, node: str) -> bool:
    if grant in ("*", node):
        return True
    if grant.endswith(".*"):
        prefix = grant[:-2]
        return node == prefix or node.startswith(prefix + ".")
    return False


class PermissionSet:
    """The union of a member's grants, with wildcard matching and dependencies."""

    __slots__ = ("_cache", "grants")

    def __init__(self, grants: Iterable[str]) -> None:
        self.grants = frozenset(grants)
        self._cache: dict[str, bool] = {}

    def matches(self, node: str) -> bool:
        cached = self._cache.get(node)
        if cached is None:
            cached = any(grant_matches(grant, node) for grant in self.grants)
            self._cache[node] = cached
        return cached

    def allows(self, node: str) -> bool:
        """The node and every node it depends on are granted."""
        return self.first_missing(node) is None

    def first_missing(self, node: str) -> str | None:
        """The node itself or the first of its dependencies that is not granted."""
        if not self.matches(node):
            return node
        definition = all_nodes().get(node)
        for dependency in definition.dependencies if definition else ():
            missing = self.first_missing(dependency)
            if missing is not None:
                return missing
        return None


def scope_of(node: str) -> str | None:
    definition = all_nodes().get(node)
    return definition.scope if definition else None


def is_self_service(node: str) -> bool:
    definition = all_nodes().get(node)
    return bool(definition and definition.self_service)


# Built-in roles: permissions come from here, not from the row, so upgrades reach them.
_READ_ONLY = (
    "organization.fetch",
    "setting.fetch",
    "team.fetch.many",
    "user.read.other",
    "user.list.other",
    "role.read",
    "role.list",
    "client.fetch",
    "client.fetch.many",
    "project.fetch",
    "project.fetch.many",
    "task.fetch",
    "task.fetch.many",
    "time_entry.fetch",
    "time_entry.fetch.many",
    "time_entry.fetch.other",
    "rate.fetch",
    "time_bill.fetch",
    "time_bill.fetch.many",
    "time_bill.fetch.other",
    "invoice.fetch",
    "invoice.fetch.many",
    "quote.fetch",
    "quote.fetch.many",
    "inventory.fetch",
    "live.subscribe",
    "sync.pull",
    "report.fetch",
    "obj.*",
)

BUILTIN_ROLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "owner": ("Owner", "Owns the organisation: everything, including deleting it", ("*",)),
    "admin": (
        "Administrator",
        "Manages the organisation, its team and all of its data",
        (
            "organization.fetch",
            "organization.update",
            "setting.*",
            "team.*",
            "user.*",
            "role.*",
            "api_token.*",
            "audit.*",
            "email.*",
            "client.*",
            "project.*",
            "task.*",
            "time_entry.*",
            "rate.*",
            "time_bill.*",
            "invoice.*",
            "quote.*",
            "inventory.*",
            "webhook.*",
            "live.*",
            "sync.*",
            "report.*",
            "obj.*",
        ),
    ),
    "member": (
        "Member",
        "Tracks their own time and works on clients, projects and tasks",
        (
            "organization.fetch",
            "setting.fetch",
            "team.fetch.many",
            "user.read.other",
            "role.read",
            "client.fetch",
            "client.fetch.many",
            "project.fetch",
            "project.fetch.many",
            "project.create",
            "project.update",
            "task.*",
            "time_entry.fetch",
            "time_entry.fetch.many",
            "time_entry.create",
            "time_entry.update",
            "time_entry.delete",
            "time_bill.fetch",
            "time_bill.fetch.many",
            "time_bill.update",
            "inventory.fetch",
            "live.subscribe",
            "sync.*",
            "report.fetch",
            "obj.*",
        ),
    ),
    "viewer": ("Viewer", "Sees everything, changes nothing", _READ_ONLY),
    "customer": (
        "Customer",
        "A client-portal user who sees only their own client's data",
        (
            "organization.fetch",
            "client.fetch",
            "client.fetch.many",
            "project.fetch",
            "project.fetch.many",
            "task.fetch",
            "task.fetch.many",
            "time_entry.fetch",
            "time_entry.fetch.many",
            "time_entry.fetch.other",
            "invoice.fetch",
            "invoice.fetch.many",
            "quote.fetch",
            "quote.fetch.many",
            "report.fetch",
            "obj.*",
        ),
    ),
}

# The order in which a member's "role" (seed 003) is named when they hold several.
BUILTIN_RANK = ("owner", "admin", "member", "viewer", "customer")
