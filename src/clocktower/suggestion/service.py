"""Time entry suggestions (S3.8): what the caller is likely to track next.

Deterministic, from the caller's own history only: the most recently used (project,
task) pairs on active projects, each with the notes, tags and billable flag of its
latest entry. There is no language model; `rich` requests get the same answer.

confidence = ½ · (1 / rank) + ½ · (uses / most uses among the suggestions), rounded half
up to two decimals, where rank is the 1-based position by recency and uses counts the
pair's entries (those matching `q` when one is given). The freshest, most used pair
scores 1.00.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.suggestion.repository import RecentPair, SuggestionRepository

MAX_SUGGESTIONS = 5
_HALF = Decimal("0.5")
_HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Suggestion:
    pair: RecentPair
    confidence: Decimal


def confidence(rank: int, uses: int, most_uses: int) -> Decimal:
    recency = Decimal(1) / Decimal(rank)
    frequency = Decimal(uses) / Decimal(max(most_uses, 1))
    return (_HALF * recency + _HALF * frequency).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


async def suggest_entries(
    session: AsyncSession, auth: AuthContext, *, q: str | None = None
) -> list[Suggestion]:
    """Up to five suggestions; `q` keeps pairs whose project name or notes contain it."""
    search = (q or "").strip() or None
    pairs = await SuggestionRepository(session).recent_pairs(
        auth.org_id, auth.user_id, search=search, limit=MAX_SUGGESTIONS
    )
    most_uses = max((pair.uses for pair in pairs), default=1)
    return [
        Suggestion(pair, confidence(rank, pair.uses, most_uses))
        for rank, pair in enumerate(pairs, start=1)
    ]
