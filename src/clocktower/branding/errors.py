"""Logo errors."""

from __future__ import annotations

from clocktower.errors import BadRequest, NotFound, PayloadTooLarge


class LogoNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Logo", "The organisation has no logo")


class InvalidImage(BadRequest):
    error_code = "invalid_image"
    title = "Invalid image"

    def __init__(self, message: str) -> None:
        super().__init__(message, errors={"file": [message]})


class LogoTooLarge(PayloadTooLarge):
    error_code = "logo_too_large"
    title = "Logo too large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"A logo is at most {limit // 1024} KB")
