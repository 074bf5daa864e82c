"""Exports for a spreadsheet, as CSV and as XLSX from the same rows. No cell is ever read as a
formula: names come from outside (e-referrals) and a spreadsheet runs what starts with `=`."""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from ipv.core import downloads

XLSX_TYPE = downloads.XLSX

# What makes a spreadsheet read a cell as a formula (full-width forms too), wherever a cell may
# begin: at the start, or after any character that is not a letter or a digit — a spreadsheet
# that splits on ";" (French Excel), "|", a tab or a space makes a new cell there.
FORMULA_START = re.compile(r"(^|[^\w])([=+\-@＝＋－＠])")

MONEY = "#,##0.00"
DAY = "yyyy-mm-dd"
MONTH = "yyyy-mm"
PERCENT = "0.0%"
ONE_DECIMAL = "0.0"


@dataclass(frozen=True)
class Formatted:
    """A value with its own number format, where a column mixes kinds of numbers (a report's
    counts, days, shares and amounts in one column)."""

    value: object
    number_format: str


@dataclass
class Sheet:
    """One table of a workbook: its title, header, rows and column formats (as for
    `xlsx_response`)."""

    title: str
    header: list
    rows: Iterable[list]
    formats: dict[int, str] | None = None


def safe_text(value: str) -> str:
    """`value` with a quote before each character that could start a formula in some cell."""
    return FORMULA_START.sub(r"\1'\2", value)


def _csv_value(value, number_format=None):
    if isinstance(value, Formatted):
        value, number_format = value.value, value.number_format
        if number_format == PERCENT and isinstance(value, int | float | Decimal):
            return f"{round(value * 100, 1)}%"
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, date):
        return value.strftime("%Y-%m" if number_format == MONTH else "%Y-%m-%d")
    return value


def csv_response(
    filename: str, header: list[str], rows: Iterable[list], *, formats: dict[int, str] | None = None
) -> HttpResponse:
    """A CSV download. Every field quoted, so a reader that honours quotes keeps a value whole
    whatever separator it splits on; a UTF-8 mark, so Excel reads accents right. `formats` as
    for `xlsx_response` (a month column shows the year and month only)."""
    content = csv_bytes(header, rows, formats=formats)
    return downloads.file_response(content, filename=filename, content_type=downloads.CSV)


def write_csv(stream, header: list[str], rows: Iterable[list], *, formats=None) -> None:
    """The CSV of `csv_response` written to `stream` (a response, or text kept for later)."""
    formats = formats or {}
    stream.write("\ufeff")
    writer = csv.writer(stream, quoting=csv.QUOTE_ALL)
    writer.writerow([safe_text(str(title)) for title in header])
    for row in rows:
        writer.writerow([_csv_value(value, formats.get(i)) for i, value in enumerate(row)])


def csv_bytes(header: list[str], rows: Iterable[list], *, formats=None) -> bytes:
    content = io.StringIO()
    write_csv(content, header, rows, formats=formats)
    return content.getvalue().encode()


def xlsx_response(
    filename: str,
    header: list[str],
    rows: Iterable[list],
    *,
    title: str,
    formats: dict[int, str] | None = None,
) -> HttpResponse:
    """An XLSX download: numbers and dates as real numbers and dates (any Excel, French or
    English, reads them), text always as text. `formats` gives a column's number format by
    index; amounts default to two decimals and dates to year-month-day."""
    content = xlsx_bytes([Sheet(title, header, rows, formats)])
    return downloads.file_response(content, filename=filename, content_type=XLSX_TYPE)


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """A workbook of one sheet per table, cells as for `xlsx_response`."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    titles = set()
    for table in sheets:
        title = _sheet_title(str(table.title))
        # Excel refuses two sheets of the same name.
        while title.lower() in titles:
            title = f"{title[:28]} {len(titles) + 1}"
        titles.add(title.lower())
        formats = table.formats or {}
        sheet = workbook.create_sheet(title=title)
        sheet.freeze_panes = "A2"
        sheet.append([_xlsx_cell(sheet, str(name), font=bold) for name in table.header])
        for row in table.rows:
            sheet.append(
                [
                    _xlsx_cell(sheet, value, number_format=formats.get(i))
                    for i, value in enumerate(row)
                ]
            )
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def _xlsx_cell(sheet, value, *, number_format=None, font=None) -> WriteOnlyCell:
    if isinstance(value, Formatted):
        value, number_format = value.value, value.number_format
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        # openpyxl makes "=…" a formula; a value from this project is only ever text.
        cell.data_type = "s"
        # And Excel would make it one once the cell is edited, unless it is marked as typed text.
        cell.quotePrefix = bool(FORMULA_START.match(value.lstrip()))
    else:
        cell = WriteOnlyCell(sheet, value=value)
        if number_format:
            cell.number_format = number_format
        elif isinstance(value, Decimal):
            cell.number_format = MONEY
        elif isinstance(value, date):
            cell.number_format = DAY
    if font is not None:
        cell.font = font
    return cell


def _sheet_title(title: str) -> str:
    """A sheet's name: 31 characters at most, none of the ones Excel refuses."""
    return re.sub(r"[\\/*?:\[\]]", " ", title)[:31] or "Sheet"
