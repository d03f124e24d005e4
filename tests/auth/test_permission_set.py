"""Wildcards and dependencies of permission nodes."""

from __future__ import annotations

import pytest

from clocktower.auth.permissions import PermissionSet, grant_matches, node_is_known


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
