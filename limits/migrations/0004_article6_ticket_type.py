"""The ticket type «سامانه مودیان / حد مجاز ماده ۶» in its own department, for increase requests.

Both are public (the tickets service lets a customer file only public types, and the seller files the request
ticket himself), and the type requires an attachment: the signed request form. Admins may rename them; the code
finds the type by `code` and the department through the type's `default_department`.
"""

from django.db import migrations

TYPE_CODE = "article6-increase"
TYPE_NAME = "سامانه مودیان / حد مجاز ماده ۶"
DEPARTMENT_NAME = "حد مجاز فروش ماده ۶"
DEPARTMENT_DESCRIPTION = (
    "درخواست‌های افزایش حد مجاز فروش موضوع ماده ۶ قانون پایانه‌های فروشگاهی و سامانه مودیان "
    "و اخطارهای پر شدن حد مجاز."
)
DESCRIPTION_TEMPLATE = (
    "درخواست افزایش حد مجاز فروش را از صفحه «حد مجاز فروش» ثبت کنید تا دوره، مبلغ و مالیات ارزش افزوده آن "
    "همراه درخواست ثبت شود. فرم امضاشده درخواست را پیوست کنید."
)


def create(apps, schema_editor):
    Department = apps.get_model("tickets", "Department")
    TicketType = apps.get_model("tickets", "TicketType")
    department, _ = Department.objects.get_or_create(
        name=DEPARTMENT_NAME, defaults={"description": DEPARTMENT_DESCRIPTION, "is_public": True}
    )
    TicketType.objects.get_or_create(
        code=TYPE_CODE,
        defaults={
            "name": TYPE_NAME,
            "default_department": department,
            "attachment_required": True,
            "description_template": DESCRIPTION_TEMPLATE,
            "is_public": True,
        },
    )


def remove(apps, schema_editor):
    apps.get_model("tickets", "TicketType").objects.filter(code=TYPE_CODE, tickets__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("limits", "0003_increase_request"),
        ("tickets", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, remove)]
