"""Logo answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class LogoRead(BaseModel):
    content_type: str
    size: int
    width: int
    height: int
    updated_at: datetime


class LogoSaved(BaseModel):
    message: str
    logo: LogoRead


class LogoDeleted(BaseModel):
    message: str
