"""Schemathesis over every operation of the OpenAPI document (S1.8).

For each operation: a few generated requests (valid and invalid), signed in as the owner
of an organisation, must never answer 5xx, must answer only documented statuses, and
every 4xx/5xx must be the standard error body.

Schemathesis drives the app synchronously from its own event-loop thread, so this module
does not use the session's rolled-back fixtures: it works on a migrated database of its
own whose engine first connects on schemathesis' loop.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import status_code_conformance

from clocktower.db import Database
from clocktower.main import create_app
from tests.conftest import Templates
from tests.conftest import test_settings as settings_for

pytestmark = pytest.mark.slow

EXAMPLES_PER_MODE = 3
CHECKS = [not_a_server_error, status_code_conformance]

# Operations with a known, reported defect in a domain this test does not own:
# "METHOD /path" -> what is wrong. Each is a strict xfail, so a fix makes it fail until
# the entry is removed. Keep this empty when nothing is known to be broken.
KNOWN_BUGS: dict[str, str] = {}


def _documented_operations() -> list[str]:
    """Every operation of the document, read once at collection (no database is touched)."""
    app = create_app(settings_for("sqlite+aiosqlite:///:memory:"))
    document = app.openapi()
    return sorted(
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "put", "post", "patch", "delete")
    )


OPERATIONS = [
    pytest.param(
        label,
        id=label,
        marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[label])]
        if label in KNOWN_BUGS
        else [],
    )
    for label in _documented_operations()
]


@pytest.fixture(scope="module")
async def contract_database_url(backend: str, templates: Templates) -> str:
    return await templates.copy(backend, "contract")


@pytest.fixture(scope="module")
def contract_schema(contract_database_url: str) -> Iterator[Any]:
    # Database() creates the engine without connecting: its first connection is made on
    # schemathesis' event loop, which then owns the pool until the lifespan ends.
    app = create_app(settings_for(contract_database_url), Database(contract_database_url))
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    try:
        yield schema
    finally:
        # Ends the app's lifespan on schemathesis' loop, which disposes the engine there.
        asgi.shutdown_lifespans()


class Owner:
    """The owner of an organisation, signed in; replaced when an operation ends that.

    Registering costs a password hash, so one owner serves every operation while their
    sign-in and organisation last; an operation that signs out, deletes the organisation
    or demotes the owner makes the next one start with a fresh owner.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self._headers: dict[str, str] | None = None

    def headers(self) -> dict[str, str]:
        if self._headers is None or not self._still_owner(self._headers):
            self._headers = self._register()
        return self._headers

    def _still_owner(self, headers: dict[str, str]) -> bool:
        # A tenant route only an owner or admin may read: signed in, organisation there.
        with asgi.get_client(self.app) as client:
            return client.get("/api/v1/settings", headers=headers).status_code == 200

    def _register(self) -> dict[str, str]:
        email = f"owner-{uuid.uuid4().hex[:12]}@example.com"
        with asgi.get_client(self.app) as client:
            response = client.post(
                "/api/v1/auth/register",
                json={
                    "name": "Contract Owner",
                    "email": email,
                    "password": "contract-password",
                    "password_confirmation": "contract-password",
                    "organization_name": f"Contract {email}",
                },
            )
        assert response.status_code == 201, response.text
        headers = {"Authorization": f"Bearer {response.json()['token']}"}
        # With the inventory module off its routes would only ever answer module_disabled.
        with asgi.get_client(self.app) as client:
            enabled = client.put(
                "/api/v1/settings", json={"modules": {"inventory": True}}, headers=headers
            )
        assert enabled.status_code == 200, enabled.text
        return headers


@pytest.fixture(scope="module")
def owner(contract_schema: Any) -> Owner:
    return Owner(contract_schema.app)


def _has_inputs(operation: Any) -> bool:
    return bool(
        operation.path_parameters
        or operation.query
        or operation.headers
        or operation.cookies
        or operation.body
    )


def _assert_error_body(case: Any, response: Any) -> None:
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError:
        pytest.fail(f"{case.operation.label} answered {response.status_code} without JSON")
    problems = [
        key for key in ("error", "message", "error_code") if not isinstance(body.get(key), str)
    ]
    assert not problems, (
        f"{case.operation.label} answered {response.status_code} without string "
        f"{problems} in the error body: {body!r}\nRequest: {case.as_curl_command()}"
    )


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_conforms(label: str, contract_schema: Any, owner: Owner) -> None:
    operation = contract_schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is not in the document"
    headers = owner.headers()
    modes = [GenerationMode.POSITIVE]
    if _has_inputs(operation):
        modes.append(GenerationMode.NEGATIVE)
    strategy = st.one_of([operation.as_strategy(generation_mode=mode) for mode in modes])

    @hypothesis.settings(
        max_examples=EXAMPLES_PER_MODE * len(modes),
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def conforms(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
        _assert_error_body(case, response)

    conforms()
