"""AuthContext: who is asking, for which organisation, allowed to do what."""

from __future__ import annotations

from dataclasses import dataclass

from clocktower.auth.permissions import (
    PermissionSet,
    all_nodes,
    grant_matches,
    is_self_service,
    scope_of,
)
from clocktower.auth.scopes import ADMIN_SCOPE
from clocktower.errors import PermissionMissing, ScopeMissing
from clocktower.models import User


@dataclass(frozen=True)
class AuthContext:
    user: User
    # None only on account-level routes for a user who belongs to no organisation.
    organization_id: int | None
    membership_id: int | None
    roles: tuple[str, ...]
    grants: PermissionSet
    # None for signed-in users (JWT); the token's scopes for API tokens.
    scopes: frozenset[str] | None
    api_token_id: int | None
    session_id: int | None
    client_id: int | None

    @property
    def user_id(self) -> int:
        return self.user.id

    @property
    def org_id(self) -> int:
        """The organisation of a tenant route (Authorize guarantees there is one)."""
        assert self.organization_id is not None
        return self.organization_id

    @property
    def is_customer(self) -> bool:
        return self.client_id is not None

    @property
    def principal_key(self) -> str:
        """Rate limits and idempotency keys are per token (or per sign-in)."""
        if self.api_token_id is not None:
            return f"token:{self.api_token_id}"
        return f"session:{self.session_id}"

    def scope_allows(self, node: str) -> bool:
        if self.scopes is None or ADMIN_SCOPE in self.scopes:
            return True
        required = scope_of(node)
        return required is not None and required in self.scopes

    def allows(self, node: str) -> bool:
        """What the user's roles allow, never more than the token's scopes."""
        if not self.scope_allows(node):
            return False
        return is_self_service(node) or self.grants.allows(node)

    def require(self, *nodes: str) -> None:
        for node in nodes:
            if not self.scope_allows(node):
                raise ScopeMissing(
                    required_scope=scope_of(node) or ADMIN_SCOPE,
                    available_scopes=sorted(self.scopes or ()),
                )
            if is_self_service(node):
                continue
            missing = self.grants.first_missing(node)
            if missing is not None:
                # Name what is actually missing: a dependency of the node, maybe.
                raise PermissionMissing(missing)

    def may_grant(self, pattern: str) -> bool:
        """Nobody hands out what they do not hold: the caller's grants cover the pattern
        (a wildcard only through an equal or wider one), and an API token's scopes cover
        every node the pattern reaches. Field-gating nodes have no scope."""
        if not self.grants.matches(pattern):
            return False
        if self.scopes is None:
            return True
        return all(
            self.scope_allows(node.node)
            for node in all_nodes().values()
            if node.scope is not None and grant_matches(pattern, node.node)
        )

    def sees_field(self, object_type: str, field: str) -> bool:
        return self.grants.matches(f"obj.{object_type}.{field}")
