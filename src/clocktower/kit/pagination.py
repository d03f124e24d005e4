"""Seed 002 pagination: `?page=&per_page=` in, the pagination object out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

T = TypeVar("T")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class PageParams:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


async def _page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number (1-based)")] = 1,
    per_page: Annotated[
        int, Query(ge=1, le=MAX_PER_PAGE, description="Items per page (max 100)")
    ] = DEFAULT_PER_PAGE,
) -> PageParams:
    return PageParams(page=page, per_page=per_page)


Pagination = Annotated[PageParams, Depends(_page_params)]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    params: PageParams


class PaginationRead(BaseModel):
    page: int
    per_page: int
    total: int
    pages: int
    has_next: bool
    has_prev: bool
    next_page: int | None
    prev_page: int | None

    @classmethod
    def of(cls, page: Page[Any]) -> PaginationRead:
        params = page.params
        pages = (page.total + params.per_page - 1) // params.per_page if page.total else 0
        has_next = params.page < pages
        has_prev = params.page > 1
        return cls(
            page=params.page,
            per_page=params.per_page,
            total=page.total,
            pages=pages,
            has_next=has_next,
            has_prev=has_prev,
            next_page=params.page + 1 if has_next else None,
            prev_page=params.page - 1 if has_prev else None,
        )
