"""A fake OpenID Connect provider on 127.0.0.1, for the single sign-on tests.

It speaks the documented protocol over real HTTP (uvicorn in a background thread):
discovery, JWKS, /authorize (redirects back with a code for the person set in
`next_person`), and /token, which checks the client credentials and auth method, the
code, its redirect_uri and the PKCE verifier against the S256 challenge it was given, and
issues an RS256 ID token carrying the nonce. Tests change its behaviour through its
attributes (overrides, key rotation, a failing token endpoint) and read what it saw.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route


@dataclass
class Person:
    """Who signs in at the provider next."""

    sub: str
    email: str | None
    email_verified: Any = True
    name: str | None = "Sam Single"


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    code_challenge_method: str
    nonce: str | None
    person: Person
    used: bool = False


@dataclass
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    def public_jwk(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}


@dataclass
class TokenRequest:
    """What /token received (for assertions), credentials already checked."""

    client_id: str
    auth_method: str
    form: dict[str, str]


@dataclass
class FakeOidcProvider:
    clients: dict[str, str] = field(default_factory=dict)  # client_id -> secret
    auth_methods: list[str] = field(
        default_factory=lambda: ["client_secret_basic", "client_secret_post"]
    )
    next_person: Person = field(default_factory=lambda: Person("sub-1", "sam@example.com"))
    # Merged into every ID token's claims (e.g. {"aud": "someone-else"}).
    claim_overrides: dict[str, Any] = field(default_factory=dict)
    tamper_id_token: bool = False
    sign_with: SigningKey | None = None  # sign ID tokens with a key the JWKS does not publish
    token_status: int | None = None  # answer /token with this status and an HTML page
    token_endpoint: str | None = None  # advertise another token endpoint (a dead port)
    keys: list[SigningKey] = field(default_factory=list)
    grants: dict[str, Grant] = field(default_factory=dict)
    token_requests: list[TokenRequest] = field(default_factory=list)
    discovery_fetches: int = 0
    jwks_fetches: int = 0
    issuer: str = ""

    def reset(self) -> None:
        self.auth_methods = ["client_secret_basic", "client_secret_post"]
        self.next_person = Person("sub-1", "sam@example.com")
        self.claim_overrides = {}
        self.tamper_id_token = False
        self.sign_with = None
        self.token_status = None
        self.token_endpoint = None
        self.grants.clear()
        self.token_requests.clear()
        self.discovery_fetches = 0
        self.jwks_fetches = 0
        if not self.keys:
            self.rotate_key(keep_old=False)

    # --- keys ------------------------------------------------------------------------------

    @property
    def signing_key(self) -> SigningKey:
        return self.keys[-1]

    def rotate_key(self, *, keep_old: bool = True) -> str:
        """A new signing key (published, used from now on); the old one stays if asked."""
        key = self.new_key()
        self.keys = [*self.keys, key] if keep_old else [key]
        return key.kid

    @staticmethod
    def new_key() -> SigningKey:
        return SigningKey(
            kid=f"key-{secrets.token_hex(4)}",
            private_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        )

    def sign(self, claims: dict[str, Any], *, key: SigningKey | None = None) -> str:
        key = key or self.signing_key
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})

    # --- the user at the provider --------------------------------------------------------

    def authorize(self, authorization_url: str, person: Person | None = None) -> str:
        """What a browser at /authorize does: the person signs in, a code comes back."""
        query = dict(parse_qsl(urlsplit(authorization_url).query))
        return self._grant(query, person or self.next_person)

    def _grant(self, query: dict[str, str], person: Person) -> str:
        if query.get("response_type") != "code" or query.get("client_id") not in self.clients:
            raise ValueError("bad authorization request")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            raise ValueError("PKCE S256 required")
        code = secrets.token_urlsafe(24)
        self.grants[code] = Grant(
            client_id=query["client_id"],
            redirect_uri=query["redirect_uri"],
            code_challenge=query["code_challenge"],
            code_challenge_method=query["code_challenge_method"],
            nonce=query.get("nonce"),
            person=person,
        )
        return code

    # --- HTTP ----------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery),
                Route("/jwks", self._jwks),
                Route("/authorize", self._authorize_endpoint),
                Route("/token", self._token, methods=["POST"]),
            ]
        )

    async def _discovery(self, _request: Request) -> Response:
        self.discovery_fetches += 1
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": self.token_endpoint or f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": self.auth_methods,
                "code_challenge_methods_supported": ["S256"],
            }
        )

    async def _jwks(self, _request: Request) -> Response:
        self.jwks_fetches += 1
        return JSONResponse({"keys": [key.public_jwk() for key in self.keys]})

    async def _authorize_endpoint(self, request: Request) -> Response:
        query = dict(request.query_params)
        try:
            code = self._grant(query, self.next_person)
        except (ValueError, KeyError):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
        return RedirectResponse(target, status_code=302)

    async def _token(self, request: Request) -> Response:
        if self.token_status is not None:
            # What a load balancer in front of a failing provider answers: not JSON.
            return Response("<html>unavailable</html>", self.token_status, media_type="text/html")
        form = dict(parse_qsl((await request.body()).decode()))
        client = self._client(request, form)
        if client is None:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        client_id, method = client
        self.token_requests.append(TokenRequest(client_id, method, form))
        grant = self.grants.get(form.get("code", ""))
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or grant.used
            or grant.client_id != client_id
            or grant.redirect_uri != form.get("redirect_uri")
            or _s256(form.get("code_verifier", "")) != grant.code_challenge
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        grant.used = True
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(32),
                "token_type": "Bearer",
                "expires_in": 3600,
                "id_token": self._id_token(grant),
            }
        )

    def _client(self, request: Request, form: dict[str, str]) -> tuple[str, str] | None:
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            method = "client_secret_basic"
        elif "client_secret" in form:
            client_id, secret = form.get("client_id", ""), form["client_secret"]
            method = "client_secret_post"
        else:
            return None
        if method not in self.auth_methods or self.clients.get(client_id) != secret:
            return None
        return client_id, method

    def _id_token(self, grant: Grant) -> str:
        now = int(time.time())
        person = grant.person
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": person.sub,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        if person.email is not None:
            claims["email"] = person.email
            claims["email_verified"] = person.email_verified
        if person.name is not None:
            claims["name"] = person.name
        claims.update(self.claim_overrides)
        token = self.sign(claims, key=self.sign_with)
        if self.tamper_id_token:
            header, _payload, signature = token.split(".")
            forged = {**claims, "email": "admin@example.com"}
            payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
            token = f"{header}.{payload}.{signature}"
        return token


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class FakeOidcServer:
    """Serves a FakeOidcProvider on a free port of 127.0.0.1 until stopped."""

    def __init__(self, provider: FakeOidcProvider) -> None:
        self.provider = provider
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        provider.issuer = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(provider.app(), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake OpenID provider did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


def dead_url() -> str:
    """A loopback URL nothing listens on (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/token"
