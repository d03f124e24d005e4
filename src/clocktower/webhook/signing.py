"""Standard Webhooks signing: `whsec_` secrets and the `v1,` HMAC-SHA256 signature.

The signed content is `{webhook-id}.{webhook-timestamp}.{body}`; the HMAC key is the
secret's base64 part, decoded. A receiver verifies with any Standard Webhooks library.
Secrets are stored encrypted under a key derived from the master key, bound to their
organisation; the API shows one only when it is made (create, rotate).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from clocktower.config import Settings
from clocktower.kit.crypto import decode_master_key, decrypt, derive_key, encrypt

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
_PURPOSE = "webhook-secret"


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_<base64>` secret."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one attempt."""
    content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _key(settings: Settings) -> bytes:
    return derive_key(decode_master_key(settings.master_key.get_secret_value()), _PURPOSE)


def _associated_data(organization_id: int) -> bytes:
    return f"webhook_endpoints.secret:{organization_id}".encode()


def encrypt_secret(settings: Settings, organization_id: int, secret: str) -> bytes:
    return encrypt(_key(settings), secret.encode(), _associated_data(organization_id))


def decrypt_secret(settings: Settings, organization_id: int, ciphertext: bytes) -> str:
    """Raises kit.crypto.DecryptionFailed when the master key changed without a rotation."""
    return decrypt(_key(settings), ciphertext, _associated_data(organization_id)).decode()
