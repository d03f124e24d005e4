"""Where dashboard answers live in the application cache (`kit.cache`).

Keys are `clocktower:dashboard:<organisation>:<user>:<name>:<details>`, so one user's
answers never reach another, and a whole organisation's can be found by prefix.
"""

from __future__ import annotations

from clocktower.kit.cache import cache_key as _cache_key

PREFIX = _cache_key("dashboard")


def cache_key(organization_id: int, user_id: int, name: str, *details: object) -> str:
    return _cache_key("dashboard", organization_id, user_id, name, *details)
