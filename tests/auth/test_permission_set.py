"""Wildcards and dependencies of permission nodes."""

from __future__ import annotations

import pytest

from clocktower.auth.context import AuthContext
from clocktower.auth.permissions import PermissionSet, grant_matches, node_is_known
from clocktower.models import User


class TestGrantMatching:
    @pytest.mark.parametrize(
        ("grant", "node", "expected"),
        [
            ("*", "credential.secure_values.read", True),
            ("credential.*", "credential", True),
            ("credential.*", "credential.secure_values.read", True),
            ("credential.*", "credential_type.fetch", False),
            ("role.read", "role.read", True),
            ("role.read", "role.read.other", False),
        ],
    )
    def test_wildcards(self, grant: str, node: str, expected: bool) -> None:
        assert grant_matches(grant, node) is expected


class TestDependencies:
    def test_a_node_needs_its_dependencies(self) -> None:
        grants = PermissionSet(["role.modify"])

        assert grants.matches("role.modify")
        assert not grants.allows("role.modify")
        assert grants.first_missing("role.modify") == "role.read"

    def test_wildcard_satisfies_node_and_dependencies(self) -> None:
        assert PermissionSet(["role.*"]).allows("role.modify")
        assert PermissionSet(["role.*"]).first_missing("role.modify") is None


class TestCatalogue:
    def test_known_nodes_and_wildcards(self) -> None:
        assert node_is_known("role.modify")
        assert node_is_known("role.*")
        assert node_is_known("*")
        assert not node_is_known("rocket.launch")
        assert not node_is_known("rocket.*")


def _context(grants: list[str], scopes: frozenset[str] | None) -> AuthContext:
    return AuthContext(
        user=User(name="x", email="x@example.com"),
        organization_id=1,
        membership_id=1,
        roles=("custom",),
        grants=PermissionSet(grants),
        scopes=scopes,
        api_token_id=1 if scopes is not None else None,
        session_id=None if scopes is not None else 1,
        client_id=None,
    )


class TestMayGrant:
    def test_only_what_the_caller_holds(self) -> None:
        holder = _context(["role.*", "project.fetch"], None)

        assert holder.may_grant("role.modify")
        assert holder.may_grant("role.*")
        assert not holder.may_grant("*")
        assert not holder.may_grant("project.*")

    def test_a_token_only_within_its_scopes(self) -> None:
        token = _context(["*"], frozenset({"read:projects"}))

        assert token.may_grant("project.fetch")
        assert not token.may_grant("project.*")  # reaches project.create: write:projects
        assert token.may_grant("obj.*")  # field nodes have no scope
