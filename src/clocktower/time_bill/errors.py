"""Time bill errors."""

from __future__ import annotations

from clocktower.errors import BadRequest, Conflict, NotFound


class TimeBillNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Time bill")


class TimeBillInvoiced(Conflict):
    """An invoice holds the bill (drafted from it, or finalised): it no longer changes."""

    error_code = "time_bill_invoiced"
    title = "Time bill invoiced"

    def __init__(self, bill_id: int, invoice_id: int | None) -> None:
        on = f" on invoice {invoice_id}" if invoice_id is not None else ""
        super().__init__(
            f"Time bill {bill_id} is invoiced{on}: it can no longer change",
            invoice_id=invoice_id,
        )


class InvalidStatusTransition(Conflict):
    error_code = "invalid_status_transition"
    title = "Invalid status transition"

    def __init__(self, current: str, wanted: str, hint: str = "") -> None:
        message = f"A {current} time bill cannot become {wanted}"
        super().__init__(f"{message}{': ' + hint if hint else ''}", status=current)


class TooManyTimeBills(BadRequest):
    error_code = "too_many_time_bills"
    title = "Too many time bills"

    def __init__(self, found: int, limit: int) -> None:
        super().__init__(
            f"{found} time bills match; an export holds at most {limit}: narrow the filters "
            "(start_date, end_date, user_id, client_id)",
            limit=limit,
        )
