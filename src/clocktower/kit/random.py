"""Short random suffixes for human-facing identifiers."""

from __future__ import annotations

import secrets
import string


def short_suffix(length: int = 6) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))
