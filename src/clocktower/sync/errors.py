"""Delta-sync errors."""

from __future__ import annotations

from clocktower.errors import AppError, BadRequest, Conflict, Forbidden


class SyncInternalOnly(Forbidden):
    """Seed 000: sync is for the organisation's own people, not client-portal users."""

    error_code = "internal_only"
    title = "Internal members only"

    def __init__(self) -> None:
        super().__init__("Only internal members of the organisation can sync")


class InvalidSyncToken(BadRequest):
    error_code = "invalid_sync_token"
    title = "Invalid sync token"

    def __init__(self) -> None:
        super().__init__(
            "This sync token was not issued for this organisation; sync from '*' instead"
        )


class SyncTokenExpired(AppError):
    """The token is older than the kept deletions (or newer than anything here, as after
    a restore): only a fresh snapshot is certain to be right."""

    status_code = 410
    error_code = "sync_token_expired"
    title = "Sync token expired"

    def __init__(self) -> None:
        super().__init__("This sync token can no longer be served; sync from '*' again")


class SyncPushBusy(Conflict):
    """Another request is applying changes with the same client_refs right now."""

    error_code = "sync_push_busy"
    title = "Push in progress"

    def __init__(self) -> None:
        super().__init__(
            "Another push of these changes is being applied; push again to get its results"
        )
