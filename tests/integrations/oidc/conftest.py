"""Fixtures: a fake OpenID provider on 127.0.0.1 and an app configured to use it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from clocktower.config import OidcProvider
from clocktower.db import Database
from clocktower.integrations.oidc import client as oidc_client
from clocktower.main import create_app
from tests.conftest import test_settings
from tests.fakes.oidc import FakeOidcProvider, FakeOidcServer

# Two providers on the same fake issuer, as two registered applications.
CLOSED = {"key": "acme", "name": "Acme ID", "client_id": "acme-client"}
OPEN = {
    "key": "acme-open",
    "name": "Acme ID (open)",
    "client_id": "open-client",
    "auto_create_users": True,
    "allowed_email_domains": ["example.com"],
}
SECRETS = {"acme-client": "acme-secret", "open-client": "open-secret"}


@pytest.fixture(scope="session")
def fake_oidc_server() -> Iterator[FakeOidcServer]:
    provider = FakeOidcProvider(clients=dict(SECRETS))
    server = FakeOidcServer(provider)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_oidc(fake_oidc_server: FakeOidcServer) -> Iterator[FakeOidcProvider]:
    """The fake provider, reset, with Clocktower's discovery and key caches empty."""
    fake_oidc_server.provider.reset()
    oidc_client.clear_caches()
    yield fake_oidc_server.provider
    oidc_client.clear_caches()


@pytest.fixture(scope="session")
def app(shared_database: Database, fake_oidc_server: FakeOidcServer) -> Any:
    """The application, with SSO providers pointing at the fake issuer."""
    issuer = fake_oidc_server.provider.issuer
    providers = [
        OidcProvider(issuer=issuer, client_secret=SECRETS[p["client_id"]], **p)  # type: ignore[arg-type]
        for p in (CLOSED, OPEN)
    ]
    application = create_app(
        test_settings(shared_database.url, oidc_providers=providers), shared_database
    )
    return application


class StatePatch:
    """Replaces attributes of `app.state` for one test (monkeypatch cannot: State hides them)."""

    def __init__(self, app: Any) -> None:
        self.state = app.state
        self.saved: dict[str, Any] = {}

    def set(self, name: str, value: Any) -> None:
        self.saved.setdefault(name, getattr(self.state, name))
        setattr(self.state, name, value)

    def providers(self, *providers: OidcProvider) -> None:
        settings = self.saved.get("settings", self.state.settings)
        self.set("settings", settings.model_copy(update={"oidc_providers": list(providers)}))

    def restore(self) -> None:
        for name, value in self.saved.items():
            setattr(self.state, name, value)


@pytest.fixture
def app_state(app: Any) -> Iterator[StatePatch]:
    patch = StatePatch(app)
    yield patch
    patch.restore()
