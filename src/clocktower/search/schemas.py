"""Search answers (seed 002 `GET /api/v1/search`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

SearchType = Literal["project", "task", "client", "entry"]


class SearchResult(BaseModel):
    type: SearchType
    # The seed repeats the type as `category` (the web UI groups by it).
    category: SearchType
    id: int
    title: str
    description: str | None
    url: str = Field(description="The object's path in the web application")
    badge: str


class SearchAnswer(BaseModel):
    results: list[SearchResult]
    query: str
    count: int
    partial: bool = Field(description="True when a domain failed and was left out")
    errors: dict[str, str] = Field(
        description="Failed domains (projects, tasks, clients, entries) → a short message"
    )
