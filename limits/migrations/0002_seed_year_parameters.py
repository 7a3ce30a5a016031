"""Seed the year parameters of docs/article6.md with their sources. Admins correct or complete them later.

1400–1402: the VAT rate (9 %) is known; the Article 101 exemption is not published in our sources, so it is left
empty and any calculation that needs it fails with a message naming the year until an admin enters it.
"""

from decimal import Decimal

from django.db import migrations

VAT_LAW_1400 = "ماده ۷ قانون مالیات بر ارزش افزوده (۱۴۰۰)"
E_MISSING = "در منابع ما منتشر نشده است؛ مدیر سامانه باید آن را وارد کند."

ROWS = [
    (1400, None, E_MISSING, Decimal("9.00"), VAT_LAW_1400),
    (1401, None, E_MISSING, Decimal("9.00"), VAT_LAW_1400),
    (1402, None, E_MISSING, Decimal("9.00"), VAT_LAW_1400),
    (
        1403,
        1_000_000_000,
        "منبع ثانویه، اطمینان کم؛ با قانون بودجه ۱۴۰۳ تطبیق داده شود.",
        Decimal("10.00"),
        "اطلاعیه شماره ۲۷ سازمان امور مالیاتی کشور",
    ),
    (
        1404,
        2_000_000_000,
        "قانون بودجه سال ۱۴۰۴، بند (ث) تبصره ۱",
        Decimal("10.00"),
        "قانون بودجه سال ۱۴۰۴، بند (خ) تبصره ۱",
    ),
]


def seed(apps, schema_editor):
    YearParameters = apps.get_model("limits", "YearParameters")
    for year, exemption, exemption_source, rate, rate_source in ROWS:
        YearParameters.objects.get_or_create(
            year=year,
            defaults={
                "exemption": exemption,
                "exemption_source": exemption_source,
                "vat_rate": rate,
                "vat_rate_source": rate_source,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("limits", "YearParameters").objects.filter(year__in=[row[0] for row in ROWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("limits", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
