"""Errors of the first-run page."""

from __future__ import annotations

from clocktower.errors import Conflict


class SetupAlreadyDone(Conflict):
    error_code = "setup_already_done"
    title = "Setup already done"
