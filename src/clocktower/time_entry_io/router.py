"""Placeholder router, filled by its issue-3 work item before this commit lands."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.routing import AppRoute

router = APIRouter(route_class=AppRoute)
