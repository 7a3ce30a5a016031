"""One report table as a file: CSV (UTF-8 with a BOM, so Excel reads Persian) or XLSX (openpyxl). Headers, labels
and Jalali dates (`۱۴۰۴/۰۱/۰۵ ۱۴:۳۰`) are in the viewer's language and digits, as on the page; numbers stay
numbers (numeric cells, shares in percent, hours to two decimals); links become their text."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.http import HttpResponse
from django.utils.text import slugify

from helpdesk.l10n import format_jalali_date, format_jalali_datetime
from helpdesk.persian import to_latin_digits

from .pages import DATETIME, HOURS, PERCENT, Link, Table

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell(value, kind: str):
    """A value as the file holds it."""
    if value is None:
        return ""
    if isinstance(value, Link):
        return value.text
    if isinstance(value, dt.datetime) and kind == DATETIME:
        return format_jalali_datetime(value)
    if isinstance(value, dt.date):
        return format_jalali_date(value)
    if kind == PERCENT:
        return round(value * 100, 1)
    if kind == HOURS:
        return round(value, 2)
    if isinstance(value, float):
        return round(value, 2)
    return value


def _rows(table: Table):
    yield [
        column.label + (" %" if column.kind == PERCENT and "%" not in column.label else "") for column in table.columns
    ]
    for row in table.rows:
        yield [cell(value, column.kind) for value, column in zip(row, table.columns, strict=True)]


def filename(section: str, table: Table, fmt: str, first: dt.date, last: dt.date) -> str:
    start, end = (to_latin_digits(format_jalali_date(day)).replace("/", "") for day in (first, last))
    return f"{section}-{slugify(table.key)}-{start}-{end}.{fmt}"


def export(table: Table, *, fmt: str, name: str) -> HttpResponse:
    if fmt == CSV:
        buffer = io.StringIO()
        buffer.write("\ufeff")
        csv.writer(buffer).writerows(_rows(table))
        response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=table.title[:31] or "report")
        sheet.sheet_view.rightToLeft = True
        for row in _rows(table):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
