"""The printed invoice or quote: one renderer for both, on `kit.pdf` (fpdf2, DejaVu).

The page: the organisation's logo (when uploaded) and name and address at the top; the
document's kind and number (or "Draft"); the client it is addressed to and the
document's dates; the lines in a table whose descriptions wrap; subtotal, tax and total
in the document's currency; the notes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import structlog
from fpdf.enums import TableBordersLayout
from fpdf.fonts import FontFace

from clocktower.kit import pdf as pdf_kit

log = structlog.get_logger("clocktower.invoice.pdf")

LOGO_BOX = (60.0, 22.0)
COLUMNS = ("Description", "Quantity", "Unit", "Unit price", "Amount")
COLUMN_WIDTHS = (86, 22, 18, 27, 27)


@dataclass(frozen=True)
class Party:
    name: str
    details: Sequence[str] = ()


@dataclass(frozen=True)
class PrintedLine:
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class PrintedDocument:
    kind: str
    # The number, or None for a draft.
    number: str | None
    seller: Party
    buyer: Party
    currency: str
    subtotal: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    lines: Sequence[PrintedLine] = ()
    # (label, value) shown beside the client: dates, period, status.
    facts: Sequence[tuple[str, str]] = ()
    title: str | None = None
    description: str | None = None
    notes: str | None = None
    logo: bytes | None = field(default=None, repr=False)

    @property
    def heading(self) -> str:
        return f"{self.kind} {self.number or 'Draft'}"


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def quantity_text(quantity: Decimal) -> str:
    text = f"{quantity:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def render(document: PrintedDocument) -> bytes:
    pdf = pdf_kit.new_pdf(document.heading, footer=document.heading)
    _header(pdf, document)
    _addressee(pdf, document)
    _lines(pdf, document)
    _totals(pdf, document)
    if document.notes:
        pdf.ln(6)
        pdf.set_font(pdf_kit.FONT, "B", 10)
        pdf.cell(0, 6, "Notes", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(pdf_kit.FONT, size=9)
        pdf.multi_cell(0, 5, document.notes, new_x="LMARGIN", new_y="NEXT")
    return pdf_kit.to_bytes(pdf)


def _header(pdf: pdf_kit.ClocktowerPdf, document: PrintedDocument) -> None:
    top = pdf.get_y()
    logo_bottom = top
    if document.logo:
        try:
            info = pdf.image(
                io.BytesIO(document.logo),
                x=pdf.l_margin,
                y=top,
                w=LOGO_BOX[0],
                h=LOGO_BOX[1],
                keep_aspect_ratio=True,
            )
            logo_bottom = top + float(info.rendered_height)
        except Exception:
            # A logo fpdf2 cannot embed must not cost the client their invoice.
            log.warning("logo not embedded", exc_info=True)
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_xy(pdf.l_margin, top)
    pdf.set_font(pdf_kit.FONT, "B", 12)
    pdf.multi_cell(usable, 6, document.seller.name, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf_kit.FONT, size=9)
    for detail in document.seller.details:
        pdf.multi_cell(usable, 4.5, detail, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), logo_bottom) + 8)
    pdf.set_font(pdf_kit.FONT, "B", 18)
    pdf.multi_cell(usable, 9, document.heading, new_x="LMARGIN", new_y="NEXT")
    if document.title:
        pdf.set_font(pdf_kit.FONT, "B", 12)
        pdf.multi_cell(usable, 7, document.title, new_x="LMARGIN", new_y="NEXT")
    if document.description:
        pdf.set_font(pdf_kit.FONT, size=10)
        pdf.multi_cell(usable, 5, document.description, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _addressee(pdf: pdf_kit.ClocktowerPdf, document: PrintedDocument) -> None:
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    half = usable / 2
    top = pdf.get_y()
    pdf.set_font(pdf_kit.FONT, "B", 9)
    pdf.cell(half, 5, "To", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf_kit.FONT, "B", 10)
    pdf.multi_cell(half, 5, document.buyer.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf_kit.FONT, size=9)
    for detail in document.buyer.details:
        pdf.multi_cell(half, 4.5, detail, new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    pdf.set_y(top)
    for label, value in document.facts:
        pdf.set_x(pdf.l_margin + half)
        pdf.set_font(pdf_kit.FONT, "B", 9)
        pdf.cell(half / 2, 5, label)
        pdf.set_font(pdf_kit.FONT, size=9)
        pdf.cell(half / 2, 5, value, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)


def _lines(pdf: pdf_kit.ClocktowerPdf, document: PrintedDocument) -> None:
    pdf.set_font(pdf_kit.FONT, size=9)
    right = ("LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT")
    with pdf.table(
        col_widths=COLUMN_WIDTHS,
        text_align=right,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        line_height=5,
        padding=1.2,
    ) as table:
        table.row(COLUMNS)
        for line in document.lines:
            table.row(
                (
                    line.description,
                    quantity_text(line.quantity),
                    line.unit,
                    money(line.unit_price, document.currency),
                    money(line.amount, document.currency),
                )
            )


def _totals(pdf: pdf_kit.ClocktowerPdf, document: PrintedDocument) -> None:
    pdf.ln(4)
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    label_width, value_width = 50.0, 40.0
    rows = (
        ("Subtotal", money(document.subtotal, document.currency), ""),
        (f"Tax ({quantity_text(document.tax_rate)} %)", money(document.tax, document.currency), ""),
        ("Total", money(document.total, document.currency), "B"),
    )
    for label, value, style in rows:
        if pdf.get_y() + 6 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.set_x(pdf.l_margin + usable - label_width - value_width)
        pdf.set_font(pdf_kit.FONT, style, 10)
        border = "T" if style else ""
        pdf.cell(label_width, 6, label, border=border)
        pdf.cell(value_width, 6, value, border=border, align="R", new_x="LMARGIN", new_y="NEXT")
