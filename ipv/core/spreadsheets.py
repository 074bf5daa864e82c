"""Exports for a spreadsheet, as CSV and as XLSX from the same rows. No cell is ever read as a
formula: names come from outside (e-referrals) and a spreadsheet runs what starts with `=`."""

import csv
import io
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What makes a spreadsheet read a cell as a formula (full-width forms too), wherever a cell may
# begin: at the start, or after any character that is not a letter or a digit — a spreadsheet
# that splits on ";" (French Excel), "|", a tab or a space makes a new cell there.
FORMULA_START = re.compile(r"(^|[^\w])([=+\-@＝＋－＠])")

MONEY = "#,##0.00"
DAY = "yyyy-mm-dd"
MONTH = "yyyy-mm"


def safe_text(value: str) -> str:
    """`value` with a quote before each character that could start a formula in some cell."""
    return FORMULA_START.sub(r"\1'\2", value)


def _csv_value(value, number_format=None):
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
    formats = formats or {}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, quoting=csv.QUOTE_ALL)
    writer.writerow([safe_text(title) for title in header])
    for row in rows:
        writer.writerow([_csv_value(value, formats.get(i)) for i, value in enumerate(row)])
    return response


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
    formats = formats or {}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, title, font=bold) for title in header])
    for row in rows:
        sheet.append(
            [_xlsx_cell(sheet, value, number_format=formats.get(i)) for i, value in enumerate(row)]
        )
    content = io.BytesIO()
    workbook.save(content)
    response = HttpResponse(content.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_cell(sheet, value, *, number_format=None, font=None) -> WriteOnlyCell:
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
