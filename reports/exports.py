"""One report table as a file: CSV (UTF-8 with a BOM, so Excel reads Persian) or XLSX (openpyxl). Headers are in
the viewer's language; numbers stay numbers; dates are Jalali (`1404/01/05 14:30`, Latin digits so a spreadsheet
sorts them); links become their text."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.http import HttpResponse
from django.utils.text import slugify

from helpdesk.l10n import to_jalali_date, to_jalali_datetime

from .pages import DATE, DATETIME, HOURS, PERCENT, Link, Table

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
    if isinstance(value, dt.datetime) and kind in (DATE, DATETIME):
        local = to_jalali_datetime(value)
        if kind == DATE:
            return f"{local.year:04d}/{local.month:02d}/{local.day:02d}"
        return f"{local.year:04d}/{local.month:02d}/{local.day:02d} {local.hour:02d}:{local.minute:02d}"
    if isinstance(value, dt.date):
        day = to_jalali_date(value)
        return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"
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
    start, end = cell(first, DATE).replace("/", ""), cell(last, DATE).replace("/", "")
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
