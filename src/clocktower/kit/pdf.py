"""PDF documents with fpdf2 (pure Python) and the bundled DejaVu Sans, so any name in
any script renders without system fonts.

`new_pdf()` gives a page-numbered A4 document with the fonts registered as `body`
(regular and bold); `table()` draws a header row and rows, repeating the header on each
new page. Invoices, quotes and report exports build on these two.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import Literal

from fpdf import FPDF

FONT = "body"
Align = Literal["L", "R", "C"]


class ClocktowerPdf(FPDF):
    footer_text: str = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(120, 120, 120)
        left = self.footer_text
        self.cell(0, 5, left, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"{self.page_no()} / {{nb}}", align="R")
        self.set_text_color(0, 0, 0)


def new_pdf(title: str, footer: str = "", landscape: bool = False) -> ClocktowerPdf:
    pdf = ClocktowerPdf(orientation="L" if landscape else "P", unit="mm", format="A4")
    fonts = resources.files("clocktower.kit") / "fonts"
    with resources.as_file(fonts / "DejaVuSans.ttf") as regular:
        pdf.add_font(FONT, "", str(regular))
    with resources.as_file(fonts / "DejaVuSans-Bold.ttf") as bold:
        pdf.add_font(FONT, "B", str(bold))
    pdf.set_title(title)
    pdf.set_creator("Clocktower")
    pdf.footer_text = footer
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.set_font(FONT, size=10)
    return pdf


def table(
    pdf: ClocktowerPdf,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float] | None = None,
    align: Sequence[Align] | None = None,
    bold_last_row: bool = False,
) -> None:
    """A simple grid: header in bold on grey, rows below; cells are cut to fit."""
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    widths = list(widths or [usable / len(columns)] * len(columns))
    align = list(align or ["L"] * len(columns))
    line = 6.0

    def header() -> None:
        pdf.set_font(FONT, "B", 9)
        pdf.set_fill_color(235, 235, 235)
        for text, width, where in zip(columns, widths, align, strict=True):
            pdf.cell(width, line, _fit(pdf, text, width), border="B", align=where, fill=True)
        pdf.ln(line)
        pdf.set_font(FONT, size=9)

    header()
    for index, row in enumerate(rows):
        if pdf.get_y() + line > pdf.page_break_trigger:
            pdf.add_page()
            header()
        last = bold_last_row and index == len(rows) - 1
        pdf.set_font(FONT, "B" if last else "", 9)
        for text, width, where in zip(row, widths, align, strict=True):
            pdf.cell(width, line, _fit(pdf, text, width), border="T" if last else 0, align=where)
        pdf.ln(line)
    pdf.set_font(FONT, size=10)


def _fit(pdf: ClocktowerPdf, text: str, width: float) -> str:
    """Cut text with an ellipsis so it never spills into the next column."""
    room = width - 2 * pdf.c_margin
    if pdf.get_string_width(text) <= room:
        return text
    while text and pdf.get_string_width(text + "…") > room:
        text = text[:-1]
    return text + "…"


def to_bytes(pdf: ClocktowerPdf) -> bytes:
    return bytes(pdf.output())
