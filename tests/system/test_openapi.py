"""The OpenAPI document is complete: every operation's permissions and error answers.

Operations are enumerated from the document itself, so a new route is checked the moment
it exists. Public routes are the exception that must be listed here on purpose.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from clocktower.auth.permissions import all_nodes
from tests.support import Api

ERROR_BODY_REF = "#/components/schemas/ErrorBody"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Every route that answers without credentials. Adding one here is a security decision.
PUBLIC_OPERATIONS = frozenset(
    {
        ("GET", "/api/v1/info"),
        ("GET", "/api/v1/health"),
        ("GET", "/api/v1/ready"),
        ("GET", "/api/v1/teapot"),
        ("POST", "/api/v1/auth/register"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/refresh"),
        ("POST", "/api/v1/auth/forgot-password"),
        ("POST", "/api/v1/auth/reset-password"),
        # The invitation link: the invitee may have no account yet (S1.2).
        ("GET", "/api/v1/invitations/{token}"),
        ("POST", "/api/v1/invitations/{token}/accept"),
        # Single sign-on: the browser is not signed in yet (S1.3).
        ("GET", "/api/v1/auth/sso/providers"),
        ("GET", "/api/v1/auth/sso/{provider}/authorize"),
        ("GET", "/api/v1/auth/sso/{provider}/callback"),
        # A marketing site's contact form posts leads with its form's public key (S2.2).
        ("POST", "/api/v1/leads"),
    }
)
# Public routes a stranger can hammer (sign-in, password reset) carry the per-address limit.
RATE_LIMITED_PUBLIC = frozenset(
    {
        ("POST", "/api/v1/auth/register"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/refresh"),
        ("POST", "/api/v1/auth/forgot-password"),
        ("POST", "/api/v1/auth/reset-password"),
        ("GET", "/api/v1/invitations/{token}"),
        ("POST", "/api/v1/invitations/{token}/accept"),
        ("GET", "/api/v1/auth/sso/providers"),
        ("GET", "/api/v1/auth/sso/{provider}/authorize"),
        ("GET", "/api/v1/auth/sso/{provider}/callback"),
        ("POST", "/api/v1/leads"),
    }
)


@pytest.fixture
async def document(api: Api) -> dict[str, Any]:
    response = await api.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def error_schema_ref(operation: dict[str, Any], status: str) -> str | None:
    answer = operation["responses"].get(status, {})
    return answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")


def assert_every_operation(document: dict[str, Any], check: Any) -> None:
    """Run `check(method, path, operation) -> [problem]` on every operation; list them all."""
    found: list[str] = []
    for method, path, operation in operations(document):
        found.extend(f"{method} {path}: {problem}" for problem in check(method, path, operation))
    if found:
        pytest.fail("\n".join(found), pytrace=False)


class TestDocument:
    async def test_is_openapi_3_1_with_both_security_schemes(
        self, document: dict[str, Any]
    ) -> None:
        assert document["openapi"].startswith("3.1.")
        schemes = document["components"]["securitySchemes"]
        assert schemes["bearer"] == {
            "type": "http",
            "scheme": "bearer",
            "description": "JWT access token or `tt_` API token",
        }
        assert schemes["apiKey"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
        assert set(document["components"]["schemas"]["ErrorBody"]["required"]) == {
            "error",
            "message",
            "error_code",
        }

    async def test_only_api_routes_are_documented(self, document: dict[str, Any]) -> None:
        assert document["paths"]
        assert [path for path in document["paths"] if not path.startswith("/api/v1/")] == []


class TestPermissions:
    async def test_every_operation_declares_permissions_or_is_listed_public(
        self, document: dict[str, Any]
    ) -> None:
        known = all_nodes()

        def check(method: str, path: str, operation: dict[str, Any]) -> list[str]:
            permissions = operation.get("x-permissions")
            public = operation.get("x-public") is True
            if public and permissions is not None:
                return ["both x-public and x-permissions"]
            if public:
                if (method, path) not in PUBLIC_OPERATIONS:
                    return ["x-public but not listed in PUBLIC_OPERATIONS"]
                return []
            if not isinstance(permissions, list):
                return ["neither x-permissions (a list) nor x-public"]
            unknown = [node for node in permissions if node not in known]
            if unknown:
                return [f"unknown permission nodes {unknown}"]
            if (method, path) in PUBLIC_OPERATIONS:
                return ["listed in PUBLIC_OPERATIONS but requires authentication"]
            return []

        assert_every_operation(document, check)

    async def test_every_listed_public_operation_exists(self, document: dict[str, Any]) -> None:
        present = {(method, path) for method, path, _ in operations(document)}

        assert sorted(PUBLIC_OPERATIONS - present) == []

    async def test_authenticated_operations_require_a_security_scheme(
        self, document: dict[str, Any]
    ) -> None:
        def check(method: str, path: str, operation: dict[str, Any]) -> list[str]:
            if operation.get("x-public"):
                return [] if "security" not in operation else ["public but has security"]
            if operation.get("security") != [{"bearer": []}, {"apiKey": []}]:
                return [f"security is {operation.get('security')!r}"]
            return []

        assert_every_operation(document, check)


class TestErrorAnswers:
    async def test_every_operation_declares_400_and_500_as_error_body(
        self, document: dict[str, Any]
    ) -> None:
        def check(method: str, path: str, operation: dict[str, Any]) -> list[str]:
            return [
                f"{status} missing or not ErrorBody"
                for status in ("400", "500")
                if error_schema_ref(operation, status) != ERROR_BODY_REF
            ]

        assert_every_operation(document, check)

    async def test_authenticated_operations_declare_401_403_429(
        self, document: dict[str, Any]
    ) -> None:
        def check(method: str, path: str, operation: dict[str, Any]) -> list[str]:
            if operation.get("x-public"):
                return []
            return [
                f"{status} missing or not ErrorBody"
                for status in ("401", "403", "429")
                if error_schema_ref(operation, status) != ERROR_BODY_REF
            ]

        assert_every_operation(document, check)

    async def test_rate_limited_public_operations_declare_429(
        self, document: dict[str, Any]
    ) -> None:
        def check(method: str, path: str, operation: dict[str, Any]) -> list[str]:
            if (method, path) in RATE_LIMITED_PUBLIC and error_schema_ref(operation, "429") != (
                ERROR_BODY_REF
            ):
                return ["429 missing or not ErrorBody"]
            return []

        assert_every_operation(document, check)

    async def test_operations_with_a_path_parameter_declare_404(
        self, document: dict[str, Any]
    ) -> None:
        def check(method: str, path: str, operation: dict[str, Any]) -> list[str]:
            if re.search(r"\{[^}]+\}", path) and error_schema_ref(operation, "404") != (
                ERROR_BODY_REF
            ):
                return ["path parameter but no 404 ErrorBody"]
            return []

        assert_every_operation(document, check)

    async def test_every_documented_error_uses_the_error_body(
        self, document: dict[str, Any]
    ) -> None:
        def check(method: str, path: str, operation: dict[str, Any]) -> list[str]:
            return [
                f"{status} is not ErrorBody"
                for status in operation["responses"]
                if status[0] in "45" and error_schema_ref(operation, status) != ERROR_BODY_REF
            ]

        assert_every_operation(document, check)

    async def test_no_operation_documents_the_framework_422(self, document: dict[str, Any]) -> None:
        def check(method: str, path: str, operation: dict[str, Any]) -> list[str]:
            answer = operation["responses"].get("422")
            if answer is not None and "HTTPValidationError" in str(answer):
                return ["documents FastAPI's 422 HTTPValidationError"]
            return []

        assert_every_operation(document, check)
        schemas = document["components"]["schemas"]
        assert "HTTPValidationError" not in schemas
        assert "ValidationError" not in schemas


class TestSwaggerUi:
    async def test_api_docs_serve_swagger_ui(self, api: Api) -> None:
        response = await api.get("/api/docs")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "swagger-ui" in response.text.lower()
        assert "/api/openapi.json" in response.text

    async def test_api_docs_need_no_cdn(self, api: Api) -> None:
        page = await api.get("/api/docs")
        script = await api.get("/api/docs/assets/swagger-ui-bundle.js")
        style = await api.get("/api/docs/assets/swagger-ui.css")

        assert "https://" not in page.text
        assert script.status_code == 200
        assert style.status_code == 200


class TestSchemaNames:
    async def test_every_schema_has_a_plain_unique_name(self, api: Api) -> None:
        document = (await api.get("/api/openapi.json")).json()

        # Two models with one class name get module-qualified names: rename one instead.
        assert [name for name in document["components"]["schemas"] if "__" in name] == []
