"""Client and contact errors."""

from __future__ import annotations

from clocktower.errors import NotFound


class ClientNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Client")


class ContactNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Contact")
