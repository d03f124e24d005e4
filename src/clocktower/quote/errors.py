"""Quote errors."""

from __future__ import annotations

from clocktower.errors import Conflict, NotFound


class QuoteNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Quote")


class QuoteNotDraft(Conflict):
    error_code = "quote_not_draft"
    title = "Quote not a draft"

    def __init__(self, status: str, what: str = "The quote") -> None:
        super().__init__(f"{what} can change only while the quote is a draft; it is {status}")


class QuoteNotDeletable(Conflict):
    error_code = "quote_not_deletable"
    title = "Quote not deletable"

    def __init__(self, status: str) -> None:
        super().__init__(
            f"A {status} quote cannot be deleted; only drafts, rejected and expired quotes can",
            status=status,
        )


class QuoteInvalidTransition(Conflict):
    error_code = "invalid_transition"
    title = "Invalid transition"

    def __init__(self, status: str, action: str) -> None:
        super().__init__(f"A {status} quote cannot be {action}", status=status)


class QuoteExpired(Conflict):
    error_code = "quote_expired"
    title = "Quote expired"

    def __init__(self, valid_until: str) -> None:
        super().__init__(
            f"The quote was valid until {valid_until}; extend valid_until first",
            valid_until=valid_until,
        )


class QuoteEmpty(Conflict):
    error_code = "quote_empty"
    title = "Quote empty"

    def __init__(self) -> None:
        super().__init__("A quote without items cannot be sent")
