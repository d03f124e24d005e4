"""OpenID Connect relying party: discovery, signing keys, the code exchange, ID token checks.

Protocol pieces come from Authlib (authorisation URL, PKCE, token request, client
authentication, the ID token claim rules) and joserfc (signatures); HTTP goes through
`kit.http`. Discovery documents and key sets are cached per process; an ID token signed
with a key id the cached set lacks refetches the set once, because providers rotate keys
without notice. Tokens never reach a log or an error message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import httpx
import structlog
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jws, jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from clocktower.config import OidcProvider
from clocktower.integrations.oidc.errors import SsoProviderError
from clocktower.kit.http import http_client
from clocktower.kit.logging import redact
from clocktower.kit.tokens import random_token

log = structlog.get_logger("clocktower.sso")

# Asymmetric algorithms only: "none" and the HMAC family (keyed with the client secret)
# are refused whatever a discovery document offers.
SIGNING_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
# Clock skew tolerated on exp / iat / nbf.
LEEWAY_SECONDS = 60
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

T = TypeVar("T")


@dataclass(frozen=True)
class ProviderMetadata:
    """What we use of a discovery document, checked."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_endpoint_auth_method: str
    signing_algorithms: tuple[str, ...]


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class TokenResponse:
    id_token: str
    access_token: str | None


@dataclass
class _Cached(Generic[T]):
    value: T
    fetched_at: float


_metadata_cache: dict[str, _Cached[ProviderMetadata]] = {}
_key_cache: dict[str, _Cached[KeySet]] = {}


def clear_caches() -> None:
    """Forget every discovery document and key set (tests; a provider reconfigured)."""
    _metadata_cache.clear()
    _key_cache.clear()


def _fresh(entry: _Cached[T] | None, ttl_seconds: int) -> T | None:
    if entry is None or time.monotonic() - entry.fetched_at > ttl_seconds:
        return None
    return entry.value


def _secure_url(value: object) -> bool:
    """https, or plain http to this machine (a provider in development or tests)."""
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    if not parts.netloc:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS)


class OidcClient:
    """One configured provider, as seen from Clocktower (the relying party)."""

    def __init__(self, provider: OidcProvider, *, ttl_seconds: int) -> None:
        self.provider = provider
        self.ttl_seconds = ttl_seconds

    # --- discovery and keys -----------------------------------------------------------------

    async def metadata(self) -> ProviderMetadata:
        issuer = self.provider.issuer
        cached = _fresh(_metadata_cache.get(issuer), self.ttl_seconds)
        if cached is not None:
            return cached
        document = await self._get_json(
            issuer.rstrip("/") + "/.well-known/openid-configuration", "discovery document"
        )
        metadata = self._parse_metadata(document)
        _metadata_cache[issuer] = _Cached(metadata, time.monotonic())
        return metadata

    def _parse_metadata(self, document: dict[str, Any]) -> ProviderMetadata:
        issuer = document.get("issuer")
        # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer we asked.
        if not isinstance(issuer, str) or issuer.rstrip("/") != self.provider.issuer.rstrip("/"):
            raise self._error(
                f"its discovery document names the issuer {str(issuer)[:200]!r}, "
                f"not {self.provider.issuer!r}"
            )
        endpoints = {}
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            value = document.get(name)
            if not _secure_url(value):
                raise self._error(f"its discovery document has no usable {name}")
            endpoints[name] = str(value)
        return ProviderMetadata(
            issuer=issuer,
            token_endpoint_auth_method=self._auth_method(document),
            signing_algorithms=self._algorithms(document),
            **endpoints,
        )

    def _auth_method(self, document: dict[str, Any]) -> str:
        # RFC 8414: absent means client_secret_basic.
        supported = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        for method in ("client_secret_basic", "client_secret_post"):
            if method in supported:
                return method
        raise self._error("its token endpoint accepts neither client_secret_basic nor _post")

    def _algorithms(self, document: dict[str, Any]) -> tuple[str, ...]:
        offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
        usable = tuple(alg for alg in SIGNING_ALGORITHMS if alg in offered)
        if not usable:
            raise self._error("it signs ID tokens with no algorithm Clocktower accepts")
        return usable

    async def _keys(self, metadata: ProviderMetadata, *, refresh: bool = False) -> KeySet:
        cached = None if refresh else _fresh(_key_cache.get(metadata.jwks_uri), self.ttl_seconds)
        if cached is not None:
            return cached
        document = await self._get_json(metadata.jwks_uri, "signing keys")
        try:
            keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as error:
            raise self._error("its signing keys (JWKS) could not be read") from error
        _key_cache[metadata.jwks_uri] = _Cached(keys, time.monotonic())
        return keys

    # --- the authorisation code flow -----------------------------------------------------------

    def authorization_request(
        self, metadata: ProviderMetadata, *, redirect_uri: str
    ) -> AuthorizationRequest:
        """A fresh state, nonce and PKCE verifier, and the URL carrying them (S256)."""
        state = random_token(48)
        nonce = random_token(48)
        code_verifier = random_token(64)
        url = prepare_grant_uri(
            metadata.authorization_endpoint,
            self.provider.client_id,
            "code",
            redirect_uri=redirect_uri,
            scope=self.provider.scopes,
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(code_verifier),
            code_challenge_method="S256",
        )
        return AuthorizationRequest(url=url, state=state, nonce=nonce, code_verifier=code_verifier)

    async def exchange_code(
        self, metadata: ProviderMetadata, *, code: str, redirect_uri: str, code_verifier: str
    ) -> TokenResponse:
        body = prepare_token_request(
            "authorization_code",
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier,
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        auth = ClientAuth(
            self.provider.client_id,
            self.provider.client_secret.get_secret_value(),
            metadata.token_endpoint_auth_method,
        )
        url, headers, body = auth.prepare("POST", metadata.token_endpoint, headers, body)
        response = await self._send("POST", url, "token endpoint", headers=headers, content=body)
        if response.status_code != 200:
            answer = _json_or_empty(response)
            # RFC 6749 5.2: `error` is a short code (invalid_grant, invalid_client...).
            code_name = answer.get("error") if isinstance(answer.get("error"), str) else None
            log.warning(
                "sso token exchange refused",
                provider=self.provider.key,
                status=response.status_code,
                error=code_name,
                description=redact(str(answer.get("error_description", ""))[:300]),
            )
            raise self._error(
                f"its token endpoint refused the code (HTTP {response.status_code}"
                + (f", {code_name[:60]}" if code_name else "")
                + ")"
            )
        answer = self._json(response, "token endpoint")
        id_token = answer.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise self._error("its token endpoint returned no ID token (is `openid` a scope?)")
        access_token = answer.get("access_token")
        return TokenResponse(
            id_token=id_token,
            access_token=access_token if isinstance(access_token, str) else None,
        )

    async def verify_id_token(
        self,
        metadata: ProviderMetadata,
        id_token: str,
        *,
        nonce: str,
        access_token: str | None = None,
    ) -> dict[str, Any]:
        """The ID token's claims once signature, iss, aud, azp, exp/iat and nonce hold."""
        try:
            header = jws.extract_compact(id_token.encode()).headers()
        except (JoseError, ValueError) as error:
            raise self._error("its ID token is not a signed JWT") from error
        algorithm = header.get("alg")
        if algorithm not in metadata.signing_algorithms:
            raise self._error(f"its ID token is signed with {str(algorithm)[:20]!r}")
        keys = await self._keys(metadata)
        if not _has_key(keys, header.get("kid")):
            # A key we have not seen: the provider may have rotated since we cached.
            keys = await self._keys(metadata, refresh=True)
            if not _has_key(keys, header.get("kid")):
                raise self._error("its ID token is signed with a key it does not publish")
        try:
            token = jwt.decode(id_token, keys, algorithms=[algorithm])
        except JoseError as error:
            raise self._error("its ID token signature does not verify") from error
        claims = CodeIDToken(
            token.claims,
            token.header,
            options={
                "iss": {"essential": True, "value": metadata.issuer},
                "aud": {"essential": True, "value": self.provider.client_id},
                "sub": {"essential": True},
            },
            params={
                "nonce": nonce,
                "client_id": self.provider.client_id,
                "access_token": access_token,
            },
        )
        try:
            claims.validate(leeway=LEEWAY_SECONDS)
        except JoseError as error:
            raise self._error(f"its ID token was rejected ({_describe(error)})") from error
        return dict(claims)

    # --- HTTP ----------------------------------------------------------------------------------

    async def _get_json(self, url: str, what: str) -> dict[str, Any]:
        response = await self._send("GET", url, what, headers={"Accept": "application/json"})
        if response.status_code != 200:
            raise self._error(f"its {what} answered HTTP {response.status_code}")
        return self._json(response, what)

    async def _send(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        try:
            async with http_client() as client:
                return await client.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            log.warning(
                "sso provider unreachable",
                provider=self.provider.key,
                what=what,
                error=type(error).__name__,
            )
            raise self._error(f"its {what} could not be reached ({type(error).__name__})") from (
                error
            )

    def _json(self, response: httpx.Response, what: str) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as error:
            raise self._error(f"its {what} did not answer JSON") from error
        if not isinstance(data, dict):
            raise self._error(f"its {what} did not answer a JSON object")
        return data

    def _error(self, problem: str) -> SsoProviderError:
        return SsoProviderError(f"Signing in with {self.provider.name} failed: {problem}")


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    """An error answer's JSON body, if it has one (a proxy's 502 page has not)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _has_key(keys: KeySet, kid: object) -> bool:
    if kid is not None and not isinstance(kid, str):
        return False
    try:
        keys.get_by_kid(kid)
    except InvalidKeyIdError:
        return False
    return True


def _describe(error: JoseError) -> str:
    """The claim problem, never the token: `expired_token`, `invalid_claim: aud`..."""
    description = getattr(error, "description", None)
    return f"{error.error}: {description}" if description else str(error.error)
