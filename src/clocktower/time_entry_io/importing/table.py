"""The text of an import file as a header and records, each with the line it starts on."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from clocktower.time_entry_io.errors import ImportRowsInvalid, ImportUnreadable, RowProblem

_DELIMITERS = (",", ";", "\t")


def decode(content: bytes | str) -> str:
    """UTF-8 (with or without a BOM), UTF-16 with a BOM, or Windows-1252 (Excel's CSV)."""
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise ImportUnreadable("file", "The file is not text in UTF-8, UTF-16 or Windows-1252")


@dataclass
class Record:
    """One data row: values by lower-cased header, and where it sits in the file."""

    line: int
    values: dict[str, str]
    headers: dict[str, str] = field(repr=False)

    def get(self, *names: str) -> str | None:
        """The first non-empty value among these columns (lower-cased names), stripped."""
        for name in names:
            value = self.values.get(name)
            if value is not None and value.strip():
                return value.strip()
        return None

    def column(self, *names: str) -> str:
        """The file's own spelling of the first of these columns it has (for errors)."""
        for name in names:
            if name in self.headers:
                return self.headers[name]
        return names[0]


@dataclass
class Table:
    headers: dict[str, str]
    """Lower-cased, stripped header → the file's spelling."""
    records: list[Record]


def read_table(text: str) -> Table:
    if not text.strip():
        raise ImportRowsInvalid([RowProblem(1, "file", "The file is empty")])
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[RowProblem] = []
    header_row: list[str] | None = None
    records: list[Record] = []
    headers: dict[str, str] = {}
    order: list[str] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(RowProblem(start, "file", f"Unreadable CSV: {error}"))
            break
        if not any(cell.strip() for cell in row):
            continue
        if header_row is None:
            header_row = row
            for cell in row:
                key = cell.strip().lstrip("\ufeff").strip().lower()
                order.append(key)
                headers.setdefault(key, cell.strip().lstrip("\ufeff").strip())
            continue
        if len(row) > len(order) and any(cell.strip() for cell in row[len(order) :]):
            problems.append(
                RowProblem(
                    start, "file", f"The row has {len(row)} values but the header {len(order)}"
                )
            )
            continue
        values: dict[str, str] = {}
        for key, cell in zip(order, row, strict=False):
            values.setdefault(key, cell)
        records.append(Record(start, values, headers))
    if problems:
        raise ImportRowsInvalid(problems)
    if header_row is None:
        raise ImportRowsInvalid([RowProblem(1, "file", "The file is empty")])
    return Table(headers, records)
