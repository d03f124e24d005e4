"""Invoice errors."""

from __future__ import annotations

from clocktower.errors import BadRequest, Conflict, NotFound


class InvoiceNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Invoice")


class InvoiceLineNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Invoice line")


class NothingToInvoice(BadRequest):
    error_code = "nothing_to_invoice"
    title = "Nothing to invoice"

    def __init__(self, what: str) -> None:
        super().__init__(f"There are no {what} of this client in the period to invoice")


class CurrencyMismatch(BadRequest):
    error_code = "currency_mismatch"
    title = "Currency mismatch"

    def __init__(self, message: str) -> None:
        super().__init__(message, errors={"currency": [message]})


class InvoiceNotDraft(Conflict):
    error_code = "invoice_not_draft"
    title = "Invoice not a draft"

    def __init__(self, status: str) -> None:
        super().__init__(
            f"The invoice is {status}; only drafts can be changed or deleted", status=status
        )


class InvalidTransition(Conflict):
    error_code = "invalid_transition"
    title = "Invalid transition"

    def __init__(self, status: str, action: str) -> None:
        super().__init__(f"A {status} invoice cannot be {action}", status=status)


class InvoiceEmpty(Conflict):
    error_code = "invoice_empty"
    title = "Invoice empty"

    def __init__(self) -> None:
        super().__init__("An invoice without lines cannot be finalised")


class InvoiceNumberTaken(Conflict):
    """The number pattern changed into one that repeats an earlier invoice's number."""

    error_code = "invoice_number_taken"
    title = "Invoice number taken"

    def __init__(self, number: str) -> None:
        super().__init__(
            f"The invoice number {number!r} is already used; change the number pattern",
            number=number,
        )


class ExportTooLarge(BadRequest):
    error_code = "export_too_large"
    title = "Export too large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"At most {limit} invoices per export; narrow the filters")
