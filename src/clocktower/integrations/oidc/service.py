"""Single sign-on use cases: list the providers, start a sign-in, finish it.

A sign-in is the authorisation code flow with PKCE (S256) and a nonce. The state is kept
server side (SHA-256 only) with its nonce and encrypted code verifier, and is spent by
the callback exactly once. The callback then trusts a user only through a verified ID
token: an identity already linked by (provider, subject); else a user with the same
email, when the provider vouches for that email; else a new user, when the provider
allows it. Whatever the provider answers, the outcome is a 4xx or 502, never a 500.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.account import service as account_service
from clocktower.account import sessions
from clocktower.account.service import ClientInfo, normalize_email
from clocktower.config import OidcProvider, Settings
from clocktower.integrations.oidc.client import AuthorizationRequest, OidcClient
from clocktower.integrations.oidc.errors import (
    SsoProviderError,
    SsoProviderNotFound,
    SsoSignInDenied,
    SsoStateInvalid,
    SsoUserNotAllowed,
)
from clocktower.integrations.oidc.repository import (
    SsoIdentityRepository,
    SsoLoginStateRepository,
)
from clocktower.kit.crypto import DecryptionFailed, decode_master_key, decrypt, derive_key, encrypt
from clocktower.kit.time import utcnow
from clocktower.kit.tokens import sha256_hex
from clocktower.models import SsoIdentity, SsoLoginState, User

KEY_PURPOSE = "sso-state"


@dataclass(frozen=True)
class SsoSignIn:
    user: User
    tokens: sessions.TokenPair


def list_providers(settings: Settings) -> list[OidcProvider]:
    return list(settings.oidc_providers)


def _provider(settings: Settings, key: str) -> OidcProvider:
    provider = settings.oidc_provider(key)
    if provider is None:
        raise SsoProviderNotFound(key)
    return provider


def _client(settings: Settings, provider: OidcProvider) -> OidcClient:
    return OidcClient(provider, ttl_seconds=settings.oidc_metadata_ttl_seconds)


def redirect_uri_for(settings: Settings, provider: OidcProvider) -> str:
    if provider.redirect_uri:
        return provider.redirect_uri
    return f"{settings.base_url.rstrip('/')}/api/v1/auth/sso/{provider.key}/callback"


def _state_key(settings: Settings) -> bytes:
    return derive_key(decode_master_key(settings.master_key.get_secret_value()), KEY_PURPOSE)


def _associated_data(state_hash: str) -> bytes:
    # Binds a ciphertext to its own state row: copied to another row, it does not decrypt.
    return f"sso_login_states:{state_hash}".encode()


async def start_sign_in(
    session: AsyncSession, settings: Settings, provider_key: str
) -> AuthorizationRequest:
    """A fresh authorisation request, its state stored for the callback to spend."""
    provider = _provider(settings, provider_key)
    client = _client(settings, provider)
    # Network first: no statement has run, so no database lock is held while we wait.
    metadata = await client.metadata()
    redirect_uri = redirect_uri_for(settings, provider)
    request = client.authorization_request(metadata, redirect_uri=redirect_uri)
    now = utcnow()
    states = SsoLoginStateRepository(session)
    await states.purge_expired(now)
    state_hash = sha256_hex(request.state)
    session.add(
        SsoLoginState(
            provider=provider.key,
            state_hash=state_hash,
            nonce=request.nonce,
            code_verifier_encrypted=encrypt(
                _state_key(settings), request.code_verifier.encode(), _associated_data(state_hash)
            ),
            redirect_uri=redirect_uri,
            created_at=now,
            expires_at=now + timedelta(minutes=settings.sso_state_ttl_minutes),
        )
    )
    await session.flush()
    return request


async def finish_sign_in(
    session: AsyncSession,
    settings: Settings,
    provider_key: str,
    *,
    state: str,
    code: str | None,
    error: str | None,
    client: ClientInfo,
) -> SsoSignIn:
    """Spend the state, redeem the code, verify the ID token, sign the user in."""
    provider = _provider(settings, provider_key)
    oidc = _client(settings, provider)
    # Usually cached; fetched before the state's UPDATE so no lock waits on it.
    metadata = await oidc.metadata()
    now = utcnow()
    state_hash = sha256_hex(state)
    # Spent first, so the state is single use whatever follows. From here the request holds
    # its write lock (database-wide on SQLite) while the provider answers: bounded by the
    # client's 10 s timeouts, and reading first would risk a failed lock upgrade instead.
    spent = await SsoLoginStateRepository(session).spend(provider.key, state_hash, now)
    if spent is None:
        raise SsoStateInvalid()
    if error is not None or not code:
        raise SsoSignInDenied(provider.name, error)
    try:
        code_verifier = decrypt(
            _state_key(settings), spent.code_verifier_encrypted, _associated_data(state_hash)
        ).decode()
    except DecryptionFailed as failure:
        # The master key changed since the sign-in started.
        raise SsoStateInvalid() from failure
    tokens = await oidc.exchange_code(
        metadata, code=code, redirect_uri=spent.redirect_uri, code_verifier=code_verifier
    )
    claims = await oidc.verify_id_token(
        metadata, tokens.id_token, nonce=spent.nonce, access_token=tokens.access_token
    )
    user = await _resolve_user(session, provider, claims, now)
    pair = await account_service.sign_in(
        session, settings, user, client, details={"method": "sso", "provider": provider.key}
    )
    return SsoSignIn(user=user, tokens=pair)


# --- who the ID token is ------------------------------------------------------------------------


async def _resolve_user(
    session: AsyncSession, provider: OidcProvider, claims: dict[str, Any], now: datetime
) -> User:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= 255:
        raise SsoProviderError(
            f"Signing in with {provider.name} failed: its ID token has no usable subject"
        )
    email = _verified_email(provider, claims)
    identities = SsoIdentityRepository(session)
    # Twice at most: a first sign-in racing another one for the same person loses on a
    # unique constraint, and the second look finds what the winner created.
    for attempt in range(2):
        found = await identities.with_user(provider.key, subject)
        if found is not None:
            identity, user = found
            _ensure_active(user)
            identity.last_login_at = now
            if email is not None and identity.email != email:
                identity.email = email
            _attribute_to(session, user)
            return user
        try:
            async with session.begin_nested():
                return await _link_or_create(session, provider, claims, subject, email, now)
        except IntegrityError:
            if attempt == 1:
                raise
    raise AssertionError("unreachable")


async def _link_or_create(
    session: AsyncSession,
    provider: OidcProvider,
    claims: dict[str, Any],
    subject: str,
    email: str | None,
    now: datetime,
) -> User:
    if email is None:
        raise SsoUserNotAllowed(
            f"{provider.name} did not confirm an email address for this account, and it is "
            "not linked to a Clocktower user yet"
        )
    if provider.allowed_email_domains and _domain(email) not in provider.allowed_email_domains:
        raise SsoUserNotAllowed(
            f"Signing in with {provider.name} is limited to addresses at "
            + ", ".join(provider.allowed_email_domains)
        )
    user = await SsoIdentityRepository(session).user_by_email(email)
    if user is None:
        if not provider.auto_create_users:
            raise SsoUserNotAllowed(
                f"No Clocktower account uses {email}; ask your administrator for an invitation"
            )
        # No password and no organisation: they create one or accept an invitation.
        user = User(name=_display_name(claims, email), email=email, password_hash=None)
        session.add(user)
        await session.flush()
    _ensure_active(user)
    _attribute_to(session, user)
    session.add(
        SsoIdentity(
            user_id=user.id,
            provider=provider.key,
            subject=subject,
            email=email,
            created_at=now,
            last_login_at=now,
        )
    )
    await session.flush()
    return user


def _verified_email(provider: OidcProvider, claims: dict[str, Any]) -> str | None:
    """The email the provider vouches for, normalised; None when it does not."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 320:
        return None
    # Some providers (older Cognito pools) send the flag as a string.
    verified = claims.get("email_verified") in (True, "true")
    if not (verified or provider.trust_email_claim):
        return None
    return normalize_email(email)


def _domain(email: str) -> str:
    return email.rsplit("@", 1)[1]


def _display_name(claims: dict[str, Any], email: str) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return (name.strip() or email.split("@", 1)[0])[:200]


def _ensure_active(user: User) -> None:
    if not user.is_active:
        raise SsoUserNotAllowed("This Clocktower account is deactivated")


def _attribute_to(session: AsyncSession, user: User) -> None:
    """From here on the request acts as this user (the audit log of the linked identity)."""
    actor = session.info.get("audit_actor")
    if actor is not None:
        session.info["audit_actor"] = dataclasses.replace(
            actor, user_id=user.id, organization_id=user.current_organization_id
        )
