import io

import pytest
import time_machine
from django.utils import translation

from limits import services
from limits.models import Ceiling, FigureSource, PriorPeriodFigures, Usage

from .conftest import tehran
from .factories import FiguresFactory, TaxpayerFactory

pytestmark = pytest.mark.django_db


def csv_file(text: str, encoding="utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


@pytest.fixture
def taxpayers(db):
    return TaxpayerFactory(economic_code="41000000000001"), TaxpayerFactory(economic_code="41000000000002")


def test_figures_good_file(taxpayers, officer):
    FiguresFactory(taxpayer=taxpayers[1], year=1403, quarter=2, sales=1)
    content = (
        "\ufeffeconomic_code,year,quarter,sales,vat_due,vat_paid,source_note\n"
        '41000000000001,1403,2,"10,000,000,000",1000000000,500000000,اظهارنامه ۱۲\n'
        "۴۱۰۰۰۰۰۰۰۰۰۰۰۲,۱۴۰۳,۲,۱۵۰۰۰۰۰۰۰۰,۱۵۰۰۰۰۰۰۰,۱۵۰۰۰۰۰۰۰,\n"
        "\n"
    )
    report = services.figures_import_csv(file=csv_file(content), actor=officer, filename="q2.csv")
    assert report.ok and (report.created, report.updated) == (1, 1)
    first = PriorPeriodFigures.objects.get(taxpayer=taxpayers[0])
    assert (first.sales, first.vat_due, first.vat_paid) == (10_000_000_000, 1_000_000_000, 500_000_000)
    assert (first.source, first.source_note, first.created_by) == (FigureSource.IMPORTED, "اظهارنامه ۱۲", officer)
    second = PriorPeriodFigures.objects.get(taxpayer=taxpayers[1])
    assert second.sales == 1_500_000_000 and second.source_note == "q2.csv:3"


def test_figures_find_a_taxpayer_whose_code_is_typed_with_dashes(taxpayers, officer):
    # The code is validated and looked up after the same cleaning (it was once looked up with spaces removed only).
    content = "economic_code,year,quarter,sales,vat_due,vat_paid\n۴۱۰-۰۰۰۰-۰۰۰۰-۰۰۱,1403,2,100,10,10\n"
    report = services.figures_import_csv(file=csv_file(content), actor=officer)
    assert report.ok, report.errors
    assert PriorPeriodFigures.objects.get().taxpayer == taxpayers[0]


def test_figures_bad_file_imports_nothing_and_reports_every_row(taxpayers, officer):
    content = (
        "economic_code,year,quarter,sales,vat_due,vat_paid\n"
        "41000000000001,1403,2,100,10,10\n"  # fine
        "41000000000009,1403,2,100,10,10\n"  # unknown taxpayer
        "12345,1403,5,-1,abc,\n"  # bad code, quarter, amounts
        "41000000000001,1403,2,1,1,1\n"  # duplicate of line 2
    )
    report = services.figures_import_csv(file=csv_file(content), actor=officer)
    assert not report.ok
    problems = {(e.line, e.column) for e in report.errors}
    assert problems == {
        (3, "economic_code"),
        (4, "economic_code"),
        (4, "quarter"),
        (4, "sales"),
        (4, "vat_due"),
        (4, "vat_paid"),
        (5, "economic_code"),
    }
    assert all(e.message for e in report.errors)
    assert not PriorPeriodFigures.objects.exists()


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("economic_code,year,sales\n1,2,3\n", "quarter"),
        ("economic_code,year,quarter,sales,vat_due,vat_paid,colour\n", "colour"),
        ("economic_code,year,quarter,sales,vat_due,vat_paid\n", ""),
    ],
)
def test_figures_file_level_errors(officer, content, needle):
    report = services.figures_import_csv(file=csv_file(content), actor=officer)
    assert len(report.errors) == 1 and needle in report.errors[0].message


def test_a_year_out_of_range_is_reported_in_the_page_digits(taxpayers, officer):
    content = "economic_code,year,quarter,sales,vat_due,vat_paid\n41000000000001,2025,2,100,10,10\n"
    with translation.override("fa"):
        report = services.figures_import_csv(file=csv_file(content), actor=officer)
    [error] = report.errors
    assert error.column == "year"
    assert "۱۳۰۰" in error.message and "۱۵۰۰" in error.message


def test_not_utf8(officer):
    report = services.figures_import_csv(file=csv_file("economic_code,year\nفروش", encoding="utf-16"), actor=officer)
    assert not report.ok and report.errors[0].line == 0


def test_usage_import_good_and_bad(taxpayers, officer):
    with time_machine.travel(tehran(1404, 5, 1), tick=False), translation.override("fa"):
        good = "economic_code,year,quarter,amount,reference\n41000000000001,1404,2,۱٬۰۰۰,A\n41000000000002,1404,2,5,\n"
        report = services.usage_import_csv(file=csv_file(good), actor=officer)
        assert report.ok and report.created == 2
        assert Ceiling.objects.get(taxpayer=taxpayers[0]).used == 1_000
        # a duplicate reference on the second row, and a year without parameters on the third: nothing is kept
        bad = (
            "economic_code,year,quarter,amount,reference\n"
            "41000000000002,1404,2,7,B\n"
            "41000000000001,1404,2,9,A\n"
            "41000000000001,1402,2,9,\n"
        )
        report = services.usage_import_csv(file=csv_file(bad), actor=officer)
    assert not report.ok and report.created == 0
    assert {(e.line, e.column) for e in report.errors} == {(3, "reference"), (4, "")}
    assert report.errors[-1].message == "معافیت سالانه (ماده ۱۰۱) برای سال ۱۴۰۲ تعریف نشده است."
    assert Usage.objects.count() == 2
    assert Ceiling.objects.get(taxpayer=taxpayers[1]).used == 5
