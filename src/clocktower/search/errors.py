"""Search errors: the seed 002 400 answers of /search."""

from __future__ import annotations

from clocktower.errors import BadRequest


class SearchQueryTooShort(BadRequest):
    """Seed 002: the 400 body carries the empty search answer next to the error."""

    error_code = "search_query_too_short"
    title = "Query too short"

    def __init__(self, minimum: int) -> None:
        super().__init__(
            f"The search query must be at least {minimum} characters",
            errors={},
            results=[],
            partial=False,
        )


class SearchTypeUnknown(BadRequest):
    error_code = "search_type_unknown"
    title = "Unknown search type"

    def __init__(self, unknown: list[str], known: tuple[str, ...]) -> None:
        message = (
            f"Unknown search type {', '.join(repr(t) for t in unknown)}; "
            f"use any of {', '.join(known)}"
        )
        super().__init__(message, errors={"types": [message]})
