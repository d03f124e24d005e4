"""Suggestion answers (seed 002 `ai/suggest`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from clocktower.kit.money import JsonNumber


class SuggestionRead(BaseModel):
    project_id: int
    project_name: str
    task_id: int | None
    task_name: str | None
    notes: str | None = Field(description="Notes of the pair's latest entry")
    tags: str | None = Field(description="Tags of the pair's latest entry (comma-separated)")
    billable: bool
    confidence: JsonNumber = Field(
        description="0.01 to 1.00: half recency rank (1/rank), half frequency (uses / most uses)"
    )
    source: Literal["history"]


class SuggestionList(BaseModel):
    ok: Literal[True] = True
    suggestions: list[SuggestionRead]
