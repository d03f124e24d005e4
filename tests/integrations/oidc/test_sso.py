"""Single sign-on through an OpenID Connect provider (the fake one in tests/fakes/oidc.py)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select, update

from clocktower.auth.ratelimit import RateLimiter
from clocktower.config import OidcProvider
from clocktower.db import Database
from clocktower.kit.time import utcnow
from clocktower.kit.tokens import sha256_hex
from clocktower.models import AuditLog, Membership, SsoIdentity, SsoLoginState, User
from tests.fakes.oidc import FakeOidcProvider, Person, dead_url
from tests.integrations.oidc.conftest import StatePatch
from tests.support import PASSWORD, Api, Factory, Member

SSO = "/api/v1/auth/sso"


async def start(api: Api, provider: str = "acme") -> dict[str, Any]:
    response = await api.get(f"{SSO}/{provider}/authorize")
    assert response.status_code == 200, response.text
    return response.json()


async def sign_in(
    api: Api, fake: FakeOidcProvider, provider: str = "acme", person: Person | None = None
) -> httpx.Response:
    """The whole round trip: authorize, the person signs in at the provider, callback."""
    started = await start(api, provider)
    code = fake.authorize(started["authorization_url"], person)
    return await api.get(
        f"{SSO}/{provider}/callback", params={"code": code, "state": started["state"]}
    )


def error_code(response: httpx.Response) -> str:
    return str(response.json()["error_code"])


async def identities(database: Database) -> list[SsoIdentity]:
    async with database.sessionmaker() as session:
        return list((await session.execute(select(SsoIdentity))).scalars())


async def user_by_email(database: Database, email: str) -> User | None:
    async with database.sessionmaker() as session:
        found = await session.execute(select(User).where(User.email == email))
        return found.scalar_one_or_none()


class TestListProviders:
    async def test_lists_configured_providers(self, api: Api) -> None:
        response = await api.get(f"{SSO}/providers")

        assert response.status_code == 200
        assert response.json() == {
            "providers": [
                {"key": "acme", "name": "Acme ID"},
                {"key": "acme-open", "name": "Acme ID (open)"},
            ]
        }
        assert "secret" not in response.text

    async def test_empty_without_configuration(self, api: Api, app_state: StatePatch) -> None:
        app_state.providers()

        response = await api.get(f"{SSO}/providers")

        assert response.json() == {"providers": []}

    async def test_is_rate_limited_per_address(self, api: Api, app_state: StatePatch) -> None:
        app_state.set("rate_limiter", RateLimiter(100, 1000, 2, None))

        answers = [(await api.get(f"{SSO}/providers")).status_code for _ in range(3)]

        assert answers == [200, 200, 429]


class TestStartSignIn:
    async def test_gives_an_authorization_url_on_the_issuer(
        self, api: Api, fake_oidc: FakeOidcProvider
    ) -> None:
        body = await start(api)

        url = urlsplit(body["authorization_url"])
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        assert f"{url.scheme}://{url.netloc}" == fake_oidc.issuer
        assert url.path == "/authorize"
        assert query["response_type"] == "code"
        assert query["client_id"] == "acme-client"
        assert query["redirect_uri"] == "http://127.0.0.1:8000/api/v1/auth/sso/acme/callback"
        assert query["scope"] == "openid email profile"
        assert query["state"] == body["state"]
        assert len(query["nonce"]) >= 32
        assert query["code_challenge_method"] == "S256"
        assert len(query["code_challenge"]) == 43

    async def test_keeps_only_a_hash_of_the_state_and_an_encrypted_verifier(
        self, api: Api, database: Database, fake_oidc: FakeOidcProvider
    ) -> None:
        body = await start(api)

        async with database.sessionmaker() as session:
            row = (await session.execute(select(SsoLoginState))).scalar_one()
        assert row.provider == "acme"
        assert row.state_hash == sha256_hex(body["state"])
        assert row.used_at is None
        assert row.expires_at - row.created_at == timedelta(minutes=10)
        challenge = parse_qs(urlsplit(body["authorization_url"]).query)["code_challenge"][0]
        assert challenge.encode() not in row.code_verifier_encrypted

    async def test_discovery_is_cached(self, api: Api, fake_oidc: FakeOidcProvider) -> None:
        await start(api)
        await start(api, "acme-open")

        assert fake_oidc.discovery_fetches == 1

    async def test_unknown_provider_is_not_found(self, api: Api) -> None:
        response = await api.get(f"{SSO}/nobody/authorize")

        assert response.status_code == 404
        assert error_code(response) == "sso_provider_not_found"

    async def test_unreachable_provider_is_bad_gateway(
        self, api: Api, app_state: StatePatch, database: Database
    ) -> None:
        dead = OidcProvider(
            key="dead",
            name="Dead ID",
            issuer=dead_url().removesuffix("/token"),
            client_id="x",
            client_secret="y",  # type: ignore[arg-type]
        )
        app_state.providers(dead)

        response = await api.get(f"{SSO}/dead/authorize")

        assert response.status_code == 502
        assert error_code(response) == "sso_provider_error"
        assert "Dead ID" in response.json()["message"]
        async with database.sessionmaker() as session:
            assert (await session.execute(select(SsoLoginState))).first() is None

    async def test_discovery_naming_another_issuer_is_bad_gateway(
        self, api: Api, app_state: StatePatch, fake_oidc: FakeOidcProvider
    ) -> None:
        # The same server reached under another name: its document names another issuer.
        impostor = OidcProvider(
            key="impostor",
            name="Impostor",
            issuer=fake_oidc.issuer.replace("127.0.0.1", "localhost"),
            client_id="acme-client",
            client_secret="acme-secret",  # type: ignore[arg-type]
        )
        app_state.providers(impostor)

        response = await api.get(f"{SSO}/impostor/authorize")

        assert response.status_code == 502
        assert "issuer" in response.json()["message"]


class TestSignInExistingUser:
    async def test_links_a_user_by_verified_email_and_signs_in(
        self, api: Api, database: Database, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        person = Person("entra-oid-1", owner.user.email.upper())

        response = await sign_in(api, fake_oidc, person=person)

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["user"] == {"id": owner.id, "name": owner.user.name, "email": owner.user.email}
        assert body["token_type"] == "Bearer"
        assert body["refresh_token"].startswith("rt_")
        assert body["expires_in"] > 0
        [identity] = await identities(database)
        assert (identity.user_id, identity.provider, identity.subject) == (
            owner.id,
            "acme",
            "entra-oid-1",
        )
        assert identity.email == owner.user.email

    async def test_the_tokens_work(
        self, api: Api, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        body = (await sign_in(api, fake_oidc, person=Person("s-1", owner.user.email))).json()

        me = await api.as_(body["token"]).get("/api/v1/users/me")
        refreshed = await api.post(
            "/api/v1/auth/refresh", json={"refresh_token": body["refresh_token"]}
        )
        logout = await api.as_(body["token"]).post("/api/v1/auth/logout")

        assert me.status_code == 200
        assert me.json()["user"]["id"] == owner.id
        assert refreshed.status_code == 200
        assert logout.status_code == 200

    async def test_second_sign_in_finds_the_identity_by_subject(
        self, api: Api, database: Database, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        await sign_in(api, fake_oidc, person=Person("s-1", owner.user.email))

        # The address changed at the provider and is no longer verified: the subject decides.
        again = await sign_in(
            api, fake_oidc, person=Person("s-1", "moved@elsewhere.org", email_verified=False)
        )

        assert again.status_code == 200
        assert again.json()["user"]["id"] == owner.id
        assert len(await identities(database)) == 1
        assert fake_oidc.discovery_fetches == 1
        assert fake_oidc.jwks_fetches == 1

    async def test_records_the_link_and_the_sign_in(
        self, api: Api, database: Database, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        await sign_in(api, fake_oidc, person=Person("s-1", owner.user.email))

        async with database.sessionmaker() as session:
            rows = (
                await session.execute(
                    select(AuditLog).where(
                        AuditLog.action.in_(["sso_identity.create", "user.login"])
                    )
                )
            ).scalars()
            by_action = {row.action: row for row in rows}
        assert by_action["sso_identity.create"].actor_user_id == owner.id
        assert by_action["user.login"].changes == {"method": "sso", "provider": "acme"}

    async def test_cognito_style_string_flag_counts_as_verified(
        self, api: Api, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        person = Person("s-1", owner.user.email, email_verified="true")

        response = await sign_in(api, fake_oidc, person=person)

        assert response.status_code == 200

    async def test_unverified_email_is_not_linked(
        self, api: Api, database: Database, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        person = Person("s-1", owner.user.email, email_verified=False)

        response = await sign_in(api, fake_oidc, person=person)

        assert response.status_code == 403
        assert error_code(response) == "sso_user_not_allowed"
        assert await identities(database) == []

    async def test_trusted_email_claim_links_without_the_flag(
        self, api: Api, app: Any, app_state: StatePatch, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        acme = app.state.settings.oidc_provider("acme")
        app_state.providers(acme.model_copy(update={"trust_email_claim": True}))
        person = Person("s-1", owner.user.email, email_verified=None)

        response = await sign_in(api, fake_oidc, person=person)

        assert response.status_code == 200
        assert response.json()["user"]["id"] == owner.id

    async def test_unknown_email_without_auto_create_is_forbidden(
        self, api: Api, database: Database, fake_oidc: FakeOidcProvider
    ) -> None:
        response = await sign_in(api, fake_oidc, person=Person("s-9", "stranger@example.com"))

        assert response.status_code == 403
        assert error_code(response) == "sso_user_not_allowed"
        assert await user_by_email(database, "stranger@example.com") is None

    async def test_deactivated_user_is_forbidden(
        self, api: Api, factory: Factory, fake_oidc: FakeOidcProvider
    ) -> None:
        user = await factory.user(email="gone@example.com", is_active=False)
        await factory.session.commit()

        response = await sign_in(api, fake_oidc, person=Person("s-1", user.email))

        assert response.status_code == 403
        assert "deactivated" in response.json()["message"]

    async def test_domain_restriction_applies_to_linking(
        self, api: Api, factory: Factory, database: Database, fake_oidc: FakeOidcProvider
    ) -> None:
        user = await factory.user(email="pat@other.org")
        await factory.session.commit()

        response = await sign_in(api, fake_oidc, "acme-open", Person("s-1", user.email))

        assert response.status_code == 403
        assert "example.com" in response.json()["message"]
        assert await identities(database) == []


class TestAutoCreate:
    async def test_creates_a_user_without_password_or_organisation(
        self, api: Api, database: Database, fake_oidc: FakeOidcProvider
    ) -> None:
        person = Person("s-new", "New.Person@Example.com", name="New Person")

        response = await sign_in(api, fake_oidc, "acme-open", person)

        assert response.status_code == 200, response.text
        created = await user_by_email(database, "new.person@example.com")
        assert created is not None
        assert response.json()["user"]["id"] == created.id
        assert created.name == "New Person"
        assert created.password_hash is None
        assert created.current_organization_id is None
        async with database.sessionmaker() as session:
            memberships = await session.execute(
                select(Membership).where(Membership.user_id == created.id)
            )
            assert memberships.first() is None
        [identity] = await identities(database)
        assert identity.user_id == created.id
        me = await api.as_(response.json()["token"]).get("/api/v1/users/me")
        assert me.status_code == 200

    async def test_the_new_user_has_no_password_to_sign_in_with(
        self, api: Api, fake_oidc: FakeOidcProvider
    ) -> None:
        await sign_in(api, fake_oidc, "acme-open", Person("s-new", "new@example.com"))

        login = await api.post(
            "/api/v1/auth/login", json={"email": "new@example.com", "password": PASSWORD}
        )

        assert login.status_code == 401

    async def test_other_domains_are_refused(
        self, api: Api, database: Database, fake_oidc: FakeOidcProvider
    ) -> None:
        response = await sign_in(api, fake_oidc, "acme-open", Person("s-x", "eve@other.org"))

        assert response.status_code == 403
        assert error_code(response) == "sso_user_not_allowed"
        assert await user_by_email(database, "eve@other.org") is None

    async def test_unverified_email_creates_nobody(
        self, api: Api, database: Database, fake_oidc: FakeOidcProvider
    ) -> None:
        person = Person("s-x", "claimed@example.com", email_verified=False)

        response = await sign_in(api, fake_oidc, "acme-open", person)

        assert response.status_code == 403
        assert await user_by_email(database, "claimed@example.com") is None

    async def test_links_an_existing_user_instead_of_creating(
        self, api: Api, database: Database, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        response = await sign_in(api, fake_oidc, "acme-open", Person("s-1", owner.user.email))

        assert response.json()["user"]["id"] == owner.id


class TestState:
    async def test_unknown_state_is_refused(self, api: Api, fake_oidc: FakeOidcProvider) -> None:
        response = await api.get(f"{SSO}/acme/callback", params={"code": "c", "state": "forged"})

        assert response.status_code == 400
        assert error_code(response) == "sso_state_invalid"
        assert fake_oidc.token_requests == []

    async def test_reused_state_is_refused(
        self, api: Api, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        fake_oidc.next_person = Person("s-1", owner.user.email)
        started = await start(api)
        code = fake_oidc.authorize(started["authorization_url"])
        params = {"code": code, "state": started["state"]}

        first = await api.get(f"{SSO}/acme/callback", params=params)
        second = await api.get(f"{SSO}/acme/callback", params=params)

        assert first.status_code == 200
        assert second.status_code == 400
        assert error_code(second) == "sso_state_invalid"

    async def test_expired_state_is_refused(
        self, api: Api, database: Database, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        started = await start(api)
        code = fake_oidc.authorize(started["authorization_url"], Person("s-1", owner.user.email))
        async with database.sessionmaker() as session:
            await session.execute(
                update(SsoLoginState).values(expires_at=utcnow() - timedelta(seconds=1))
            )
            await session.commit()

        response = await api.get(
            f"{SSO}/acme/callback", params={"code": code, "state": started["state"]}
        )

        assert response.status_code == 400
        assert error_code(response) == "sso_state_invalid"

    async def test_state_of_another_provider_is_refused(
        self, api: Api, fake_oidc: FakeOidcProvider
    ) -> None:
        started = await start(api, "acme")
        code = fake_oidc.authorize(started["authorization_url"])

        response = await api.get(
            f"{SSO}/acme-open/callback", params={"code": code, "state": started["state"]}
        )

        assert response.status_code == 400

    async def test_expired_states_are_purged(
        self, api: Api, database: Database, fake_oidc: FakeOidcProvider
    ) -> None:
        await start(api)
        async with database.sessionmaker() as session:
            await session.execute(
                update(SsoLoginState).values(expires_at=utcnow() - timedelta(seconds=1))
            )
            await session.commit()

        fresh = await start(api)

        async with database.sessionmaker() as session:
            hashes = (await session.execute(select(SsoLoginState.state_hash))).scalars().all()
        assert hashes == [sha256_hex(fresh["state"])]

    async def test_cancelled_at_the_provider_spends_the_state(
        self, api: Api, fake_oidc: FakeOidcProvider
    ) -> None:
        started = await start(api)
        params = {"state": started["state"], "error": "access_denied"}

        response = await api.get(f"{SSO}/acme/callback", params=params)
        again = await api.get(f"{SSO}/acme/callback", params=params)

        assert response.status_code == 400
        assert error_code(response) == "sso_sign_in_denied"
        assert "access_denied" in response.json()["message"]
        assert error_code(again) == "sso_state_invalid"

    async def test_missing_state_is_a_validation_error(self, api: Api) -> None:
        response = await api.get(f"{SSO}/acme/callback", params={"code": "c"})

        assert response.status_code == 400
        assert response.json()["errors"] == {"state": ["Field required"]}

    async def test_unknown_provider_is_not_found(self, api: Api) -> None:
        response = await api.get(f"{SSO}/nobody/callback", params={"code": "c", "state": "s"})

        assert response.status_code == 404
        assert error_code(response) == "sso_provider_not_found"


class TestIdTokenValidation:
    @pytest.mark.parametrize(
        ("overrides", "problem"),
        [
            pytest.param({"nonce": "another-nonce"}, "'nonce'", id="wrong-nonce"),
            pytest.param({"aud": "someone-else"}, "'aud'", id="wrong-audience"),
            pytest.param({"iss": "https://evil.example"}, "'iss'", id="wrong-issuer"),
            pytest.param(
                {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
                "expired",
                id="expired",
            ),
            pytest.param({"iat": int(time.time()) + 3600}, "future", id="issued-in-the-future"),
        ],
    )
    async def test_bad_claims_are_refused(
        self,
        api: Api,
        database: Database,
        fake_oidc: FakeOidcProvider,
        owner: Member,
        overrides: dict[str, Any],
        problem: str,
    ) -> None:
        fake_oidc.claim_overrides = overrides

        response = await sign_in(api, fake_oidc, person=Person("s-1", owner.user.email))

        assert response.status_code == 502
        assert error_code(response) == "sso_provider_error"
        message = response.json()["message"]
        assert "ID token was rejected" in message
        assert problem in message
        assert await identities(database) == []

    async def test_tampered_token_is_refused(
        self, api: Api, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        fake_oidc.tamper_id_token = True

        response = await sign_in(api, fake_oidc, person=Person("s-1", owner.user.email))

        assert response.status_code == 502
        assert "signature" in response.json()["message"]

    async def test_rotated_key_refetches_the_key_set_once(
        self, api: Api, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        person = Person("s-1", owner.user.email)
        await sign_in(api, fake_oidc, person=person)
        fake_oidc.rotate_key(keep_old=False)

        response = await sign_in(api, fake_oidc, person=person)

        assert response.status_code == 200
        assert fake_oidc.jwks_fetches == 2

    async def test_unpublished_key_is_refused_after_one_refetch(
        self, api: Api, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        fake_oidc.sign_with = fake_oidc.new_key()

        response = await sign_in(api, fake_oidc, person=Person("s-1", owner.user.email))

        assert response.status_code == 502
        assert "key" in response.json()["message"]
        assert fake_oidc.jwks_fetches == 2


class TestTokenEndpoint:
    async def test_sends_pkce_verifier_and_redirect_uri_with_basic_auth(
        self, api: Api, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        # The fake checks the verifier against the challenge: a 200 proves it matched.
        response = await sign_in(api, fake_oidc, person=Person("s-1", owner.user.email))

        assert response.status_code == 200
        [request] = fake_oidc.token_requests
        assert request.auth_method == "client_secret_basic"
        assert request.form["redirect_uri"].endswith("/api/v1/auth/sso/acme/callback")
        assert "client_secret" not in request.form

    async def test_uses_client_secret_post_when_basic_is_not_offered(
        self, api: Api, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        fake_oidc.auth_methods = ["client_secret_post"]

        response = await sign_in(api, fake_oidc, person=Person("s-1", owner.user.email))

        assert response.status_code == 200
        assert fake_oidc.token_requests[0].auth_method == "client_secret_post"

    async def test_unreachable_token_endpoint_is_bad_gateway_and_spends_the_state(
        self, api: Api, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        fake_oidc.token_endpoint = dead_url()
        started = await start(api)
        code = fake_oidc.authorize(started["authorization_url"], Person("s-1", owner.user.email))
        params = {"code": code, "state": started["state"]}

        response = await api.get(f"{SSO}/acme/callback", params=params)
        again = await api.get(f"{SSO}/acme/callback", params=params)

        assert response.status_code == 502
        assert error_code(response) == "sso_provider_error"
        assert "could not be reached" in response.json()["message"]
        assert error_code(again) == "sso_state_invalid"

    async def test_token_endpoint_error_is_bad_gateway(
        self, api: Api, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        fake_oidc.token_status = 503

        response = await sign_in(api, fake_oidc, person=Person("s-1", owner.user.email))

        assert response.status_code == 502
        assert "HTTP 503" in response.json()["message"]

    async def test_refused_code_is_bad_gateway(self, api: Api, fake_oidc: FakeOidcProvider) -> None:
        started = await start(api)

        response = await api.get(
            f"{SSO}/acme/callback", params={"code": "never-issued", "state": started["state"]}
        )

        assert response.status_code == 502
        assert "invalid_grant" in response.json()["message"]


class TestBrowserRedirect:
    async def test_provider_redirects_back_with_code_and_state(
        self, api: Api, fake_oidc: FakeOidcProvider, owner: Member
    ) -> None:
        fake_oidc.next_person = Person("s-1", owner.user.email)
        started = await start(api)
        async with httpx.AsyncClient() as browser:
            at_provider = await browser.get(started["authorization_url"])
        assert at_provider.status_code == 302
        back = urlsplit(at_provider.headers["location"])
        assert back.path == "/api/v1/auth/sso/acme/callback"

        response = await api.get(f"{back.path}?{back.query}")

        assert response.status_code == 200
        assert response.json()["user"]["id"] == owner.id
