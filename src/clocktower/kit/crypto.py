"""Secrets at rest: AES-256-GCM under keys derived from the master key.

Associated data binds each ciphertext to where it lives (organisation, table, row), so a
ciphertext copied to another row does not decrypt. Ciphertext layout:
version byte (1) | nonce (12) | AES-GCM ciphertext+tag.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"


class DecryptionFailed(Exception):
    pass


def decode_master_key(value: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except ValueError as error:
        raise ValueError("the master key must be base64") from error
    if len(key) != 32:
        raise ValueError("the master key must decode to 32 bytes")
    return key


def derive_key(master_key: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        master_key
    )


def encrypt(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    nonce = os.urandom(12)
    return _VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)


def decrypt(key: bytes, ciphertext: bytes, associated_data: bytes) -> bytes:
    if len(ciphertext) < 29 or ciphertext[:1] != _VERSION:
        raise DecryptionFailed("unknown ciphertext format")
    try:
        return AESGCM(key).decrypt(ciphertext[1:13], ciphertext[13:], associated_data)
    except Exception as error:  # InvalidTag: wrong key, row or tampering
        raise DecryptionFailed("ciphertext does not verify") from error
