"""Shared request-validation pieces."""

from __future__ import annotations

from typing import Any

from pydantic import field_validator


def _reject_null(cls: type, value: Any) -> Any:
    if value is None:
        raise ValueError("may not be null")
    return value


def non_nullable(*fields: str) -> Any:
    """A validator refusing an explicit null for `fields`.

    Partial updates make every field optional; validators run only on sent values, so
    omitting a field keeps it, while sending null for a required column is a 400.
    """
    return field_validator(*fields, mode="before")(_reject_null)
