"""CSV imports of prior-period figures and of usage. All or nothing: one bad row and nothing is imported, and the
report lists every problem with its line number and column.

Files are UTF-8 (a BOM from Excel is fine), comma-separated, with a header row. Amounts may use Persian or Arabic
digits and thousands separators (quote them when the separator is a comma). The columns: README, «CSV imports».
"""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from helpdesk.l10n import format_number
from helpdesk.persian import clean_digits, parse_int
from helpdesk.validators import normalize_economic_code

from ..models import FigureSource, PriorPeriodFigures, Taxpayer
from ..periods import MAX_YEAR, MIN_YEAR, Period

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from accounts.models import User

FIGURE_COLUMNS = ("economic_code", "year", "quarter", "sales", "vat_due", "vat_paid")
FIGURE_OPTIONAL = ("source_note",)
USAGE_COLUMNS = ("economic_code", "year", "quarter", "amount")
USAGE_OPTIONAL = ("reference",)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

MSG_ENCODING = _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
MSG_TOO_BIG = _("The file is larger than 5 MB; split it into smaller files.")
MSG_TOO_MANY_ROWS = _("The file has more than %(max)s rows; split it into smaller files.")
MSG_EMPTY = _("The file has no rows to import.")
MSG_COLUMNS = _("Missing columns: %(columns)s. The first row must name the columns.")
MSG_UNKNOWN_COLUMNS = _("Unknown columns: %(columns)s.")
MSG_REQUIRED = _("This value is required.")
MSG_AMOUNT = _("Enter a whole number of rials, zero or more.")
MSG_POSITIVE = _("Enter a whole number of rials greater than zero.")
MSG_YEAR = _("Enter a Jalali year between %(min)s and %(max)s.")
MSG_QUARTER = _("Enter a quarter from 1 to 4.")
MSG_UNKNOWN_TAXPAYER = _("No taxpayer has this economic code.")
MSG_DUPLICATE_ROW = _("The same taxpayer and period appear on line %(line)s too.")


@dataclass
class RowError:
    line: int  # 1 = the header
    column: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, line: int, column: str, message: str | Promise) -> None:
        self.errors.append(RowError(line, column, str(message)))


def _read(
    file: IO[Any], required: tuple[str, ...], optional: tuple[str, ...], report: ImportReport
) -> list[tuple[int, dict]]:
    raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        report.add(0, "", MSG_TOO_BIG)
        return []
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        report.add(0, "", MSG_ENCODING)
        return []
    reader = csv.DictReader(io.StringIO(text))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c and c not in required + optional]
    if missing:
        report.add(1, "", ValidationError(MSG_COLUMNS, params={"columns": ", ".join(missing)}).messages[0])
    if unknown:
        report.add(1, "", ValidationError(MSG_UNKNOWN_COLUMNS, params={"columns": ", ".join(unknown)}).messages[0])
    if missing or unknown:
        return []
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, str]]] = []
    for number, row in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            report.add(number, "", ValidationError(MSG_TOO_MANY_ROWS, params={"max": MAX_ROWS}).messages[0])
            return []
        values = {k: (v or "").strip() for k, v in row.items() if k}
        if any(values.values()):
            rows.append((number, values))
    if not rows:
        report.add(2, "", MSG_EMPTY)
    return rows


def _amount(report: ImportReport, line: int, column: str, value: str, *, positive: bool = False) -> int | None:
    if value == "":
        report.add(line, column, MSG_REQUIRED)
        return None
    try:
        number = parse_int(value)
    except ValueError:
        number = None
    if number is None or number < (1 if positive else 0) or number >= 10**18:
        report.add(line, column, MSG_POSITIVE if positive else MSG_AMOUNT)
        return None
    return number


def _period(report: ImportReport, line: int, values: dict[str, str]) -> Period | None:
    year = quarter = None
    with contextlib.suppress(ValueError):
        year = parse_int(values["year"])
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        bounds = {"min": format_number(MIN_YEAR, grouping=False), "max": format_number(MAX_YEAR, grouping=False)}
        report.add(line, "year", ValidationError(MSG_YEAR, params=bounds).messages[0])
        year = None
    with contextlib.suppress(ValueError):
        quarter = parse_int(values["quarter"])
    if quarter not in (1, 2, 3, 4):
        report.add(line, "quarter", MSG_QUARTER)
        quarter = None
    return Period(year, quarter) if year and quarter else None


def _taxpayer(report: ImportReport, line: int, value: str, taxpayers: dict[str, Taxpayer]) -> Taxpayer | None:
    try:
        code = normalize_economic_code(value)
    except ValidationError as exc:
        report.add(line, "economic_code", exc.messages[0])
        return None
    taxpayer = taxpayers.get(code)
    if taxpayer is None:
        report.add(line, "economic_code", MSG_UNKNOWN_TAXPAYER)
    return taxpayer


def _taxpayers_for(rows: list[tuple[int, dict[str, str]]]) -> dict[str, Taxpayer]:
    codes = {clean_digits(values.get("economic_code", "")) for _line, values in rows}
    return {t.economic_code: t for t in Taxpayer.objects.filter(economic_code__in=codes)}


def figures_import_csv(*, file: IO[Any], actor: User, filename: str = "") -> ImportReport:
    """Create or replace prior-period figures from a CSV file. Nothing is written unless every row is valid."""
    report = ImportReport()
    rows = _read(file, FIGURE_COLUMNS, FIGURE_OPTIONAL, report)
    taxpayers = _taxpayers_for(rows)
    seen: dict[tuple[int, Period], int]
    parsed, seen = [], {}
    for line, values in rows:
        taxpayer = _taxpayer(report, line, values["economic_code"], taxpayers)
        period = _period(report, line, values)
        amounts = {name: _amount(report, line, name, values[name]) for name in ("sales", "vat_due", "vat_paid")}
        if taxpayer and period:
            key = (taxpayer.pk, period)
            if key in seen:
                report.add(
                    line, "economic_code", ValidationError(MSG_DUPLICATE_ROW, params={"line": seen[key]}).messages[0]
                )
            seen.setdefault(key, line)
        parsed.append((line, taxpayer, period, amounts, values.get("source_note", "")))
    if not report.ok:
        return report
    from .ceilings import figures_save

    with transaction.atomic():
        for line, taxpayer, period, amounts, note in parsed:
            assert taxpayer is not None and period is not None  # report.ok: every row was valid
            figures = PriorPeriodFigures.objects.select_for_update().filter(
                taxpayer=taxpayer, year=period.year, quarter=period.quarter
            ).first() or PriorPeriodFigures(taxpayer=taxpayer, year=period.year, quarter=period.quarter)
            created = figures.pk is None
            for name, value in amounts.items():
                setattr(figures, name, value)
            figures.source = FigureSource.IMPORTED
            figures.source_note = (note or f"{filename}:{line}")[:300]
            figures.created_by = actor
            figures_save(figures=figures, actor=actor)  # with its audit entry
            report.created += created
            report.updated += not created
    return report


def usage_import_csv(*, file: IO[Any], actor: User) -> ImportReport:
    """Record invoice totals from a CSV file through `usage_record` (warnings included). All rows or none."""
    from .ceilings import usage_record

    report = ImportReport()
    rows = _read(file, USAGE_COLUMNS, USAGE_OPTIONAL, report)
    taxpayers = _taxpayers_for(rows)
    parsed = []
    for line, values in rows:
        taxpayer = _taxpayer(report, line, values["economic_code"], taxpayers)
        period = _period(report, line, values)
        amount = _amount(report, line, "amount", values["amount"], positive=True)
        parsed.append((line, taxpayer, period, amount, values.get("reference", "")))
    if not report.ok:
        return report
    with transaction.atomic():
        for line, taxpayer, period, amount, reference in parsed:
            assert taxpayer is not None and period is not None and amount is not None  # report.ok: every row was valid
            try:
                with transaction.atomic():
                    usage_record(
                        taxpayer=taxpayer,
                        period=period,
                        amount=amount,
                        reference=reference,
                        source=FigureSource.IMPORTED,
                        actor=actor,
                    )
            except ValidationError as exc:
                for column, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
                    for message in messages:
                        report.add(line, "" if column == "__all__" else column, message)
            else:
                report.created += 1
        if not report.ok:
            report.created = 0
            transaction.set_rollback(True)
    return report
