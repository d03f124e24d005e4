"""Import errors: a file is refused whole, with every bad row named."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clocktower.errors import BadRequest, PayloadTooLarge

# A file of nothing but bad rows would otherwise answer with megabytes of errors.
MAX_REPORTED_PROBLEMS = 200


@dataclass(frozen=True, order=True)
class RowProblem:
    """`row` is the 1-based line of the file where the record starts (the header is 1);
    `field` the file's own column name, or `header` / `file` for the whole file."""

    row: int
    field: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


class ImportRowsInvalid(BadRequest):
    """Some rows break the ledger's rules: nothing of the file was written."""

    error_code = "import_invalid_rows"
    title = "Import failed"

    def __init__(self, problems: list[RowProblem], message: str | None = None) -> None:
        self.problems = sorted(problems)
        rows = len({problem.row for problem in self.problems})
        super().__init__(
            message
            or f"{rows} row(s) of the file are invalid; nothing was imported. "
            "Fix them and send the whole file again."
        )

    def body(self) -> dict[str, Any]:
        body = super().body()
        body["errors"] = [problem.as_json() for problem in self.problems[:MAX_REPORTED_PROBLEMS]]
        body["error_count"] = len(self.problems)
        return body


class ImportFormatUnknown(ImportRowsInvalid):
    error_code = "import_format_unknown"
    title = "Unknown file format"

    def __init__(self, message: str) -> None:
        super().__init__([RowProblem(1, "header", message)], message=message)


class ImportUnreadable(BadRequest):
    """The request carries no CSV text we can read (no file, wrong JSON, not text)."""

    error_code = "import_unreadable"
    title = "Unreadable import"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, errors={field: [message]})


class ImportTooLarge(PayloadTooLarge):
    def __init__(self, limit: int) -> None:
        super().__init__(f"An import file is limited to {limit // (1024 * 1024)} MB")
