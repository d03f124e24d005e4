"""Object ids in paths, queries and bodies: positive and within BIGINT.

An id past BIGINT would reach the database as an overflow error (a 500); refused as input
it is a 400 like any other bad value.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

MAX_ID = 2**62

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
IdField = Annotated[int, Field(ge=1, le=MAX_ID)]
