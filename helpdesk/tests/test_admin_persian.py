"""The admin in Persian (#13): an admin whose language is Persian walks every registered model's changelist (with
rows), change form, add form and history page, and the index; what the page shows (text outside tags, scripts and
styles, attributes left out) has no Latin-letter word and no Latin digit, except for the few names and data below.

The rows come from the demo data (`<app>.demo.load()`), plus one row for each model the demo leaves empty. A model
registered later without a row here fails `test_every_registered_model_has_a_row`, so the walk cannot skip it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from importlib import import_module

import pytest
import time_machine
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from helpdesk.management.commands.load_demo import demo_modules

pytestmark = pytest.mark.django_db


# What may stay in Latin letters, and why.
ALLOWED_WORDS = {
    "SMS",  # written so in Persian text too («پیامک» is used where it reads better)
    "SLA",  # likewise, beside «توافق سطح خدمت»
    "sla",  # the slug of the demo tag «SLA» (a slug is Latin by nature)
    "Kavenegar",  # the SMS provider's brand (docs/integrations.md)
    *("PNG", "JPEG", "GIF", "WebP", "PDF", "HTML", "pdf", "jpg", "png"),  # file formats, as their users know them
    *("IP", "HTTP", "GET", "POST", "ID", "Message", "Reply", "To", "In", "User", "Agent"),  # protocol and header
    # names, beside their Persian description: «نشانی IP»، «شناسه پیام (Message-ID)»، «عامل کاربر (User Agent)»
    "SMS_PRICE_RIALS",  # a setting's name, in the outbox's note on SMS costs
    "HP",
    "LaserJet",
    "Pro",
    "M",
    "dn",
    "Paper",
    "Jam",  # a printer's model and its message, quoted in a demo ticket (a customer's words: data)
    "md",  # the test settings' password hasher (MD5), in the password summary
    *("Control", "Command", "Mac"),  # keys, in Django's Persian help for multiple choice
    "db",  # IPv6's documentation prefix, 2001:db8::/32, in the IP block list's example
}
# Data that is Latin by nature: email addresses, web addresses, IP ranges, file names and Message-IDs in the rows.
DATA = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # email address
    r"|<[^<>\s]+@[^<>\s]+>"  # Message-ID
    r"|https?://\S+"  # URL
    r"|\b\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?\b"  # IPv4 address or range
    r"|[\w.-]+\.(?:png|pdf|txt|jpg)\b"  # file name
    r"|(?<![\w/])/[\w/.\u06f0-\u06f9-]*"  # a path on the site: /accounts/login/
    r"|<unknown>"  # django-axes' word for a path it did not see
    r"|\b(?:image|application|text)/[\w.+-]+"  # a file's type (MIME)
    r"|\w+\*{4,}"  # a password's masked salt and hash
    r"|\{\w+\}"  # a placeholder of canned replies, as they are typed
    r"|#[0-9A-Fa-f\u06f0-\u06f9]{6}\b"  # a colour code
    r"|\b[a-z\u06f0-\u06f9]+(?:-[a-z\u06f0-\u06f9]+)+\b"  # a code (slug) an admin typed: article6-increase
)
# Django's own date and time inputs (Gregorian, with its calendar) and number inputs (which refuse Persian digits).
GREGORIAN_INPUTS = re.compile(r'class="v(?:Date|Time)Field[^"]*"|type="number"')
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_]*")
LATIN_DIGIT = re.compile(r"[0-9]+")
# A Gregorian date that slipped through in Persian digits («۲۰۲۶-۱۲-۰۲»), or a Gregorian month's name.
GREGORIAN = re.compile(
    "(?<![0-9\u06f0-\u06f9])(?:۱۹|۲۰)[۰-۹]{2}[-/][۰-۹]{1,2}[-/]"
    "|(?<![\u0600-\u06ff])(?:ژانویه|فوریه|مارس|آوریل|ژوئن|ژوئیه|اوت|سپتامبر|اکتبر|نوامبر|دسامبر)(?![\u0600-\u06ff])"
)


class _Text(HTMLParser):
    """The text a reader sees: everything outside tags, except in <script>, <style> and <template>, and the contents
    of a <textarea>, which are a form's value as typed (like an input's value attribute)."""

    SKIP = {"script", "style", "template", "textarea"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def foreign(html: str) -> list[str]:
    """The pieces of visible text with a Latin word outside the allow-list, a Latin digit or a Gregorian date."""
    found = []
    for part in visible_text(html):
        bare = DATA.sub(" ", part)
        words = {w for w in LATIN_WORD.findall(bare) if w not in ALLOWED_WORDS}
        if words or LATIN_DIGIT.search(bare) or GREGORIAN.search(part):
            found.append(part)
    return found


def _fill_the_empty_models(site_admin):
    """One row for each registered model that the demo data leaves empty."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from automation.models import AgentStatus, DepartmentRouting, Rule
    from helpdesk.models import IPBlock
    from inbound.models import InboundEmail, InboundSms, State
    from knowledgebase import services as kb_services
    from knowledgebase.models import Article, ArticleFeedback
    from limits.models import Taxpayer
    from limits.tests.test_queries import filed
    from notifications.models import DeliveryAlert
    from tickets.models import Department, Ticket
    from tickets.sla_models import BusinessHours, Holiday
    from tickets.tests.views_support import png

    now = timezone.now()
    ticket = Ticket.objects.order_by("pk").first()
    department = Department.objects.order_by("pk").first()
    agent = department.members.order_by("pk").first()
    AccessAttempt.objects.create(username="09121234567", ip_address="203.0.113.5", failures_since_start=2)
    AccessLog.objects.create(username="admin@example.com", ip_address="203.0.113.5", path_info="/accounts/login/")
    AccessFailureLog.objects.create(username="09121234567", ip_address="203.0.113.5")
    IPBlock.objects.create(network="203.0.113.0/24", reason="هرزنامه", expires_at=now + dt.timedelta(days=3))
    DeliveryAlert.objects.create(key="sms", reason="اعتبار پیامک تمام شده است.", cleared_at=now)
    DeliveryAlert.objects.create(key="email.failed", reason="سرویس ایمیل پاسخ نمی‌دهد.")
    from tickets import services as ticket_services

    ticket_services.reply_add(ticket=ticket, author=agent, body="پیوست", attachments=[png()])
    BusinessHours.objects.create(weekday=0)
    Holiday.objects.create(date=dt.date(2026, 3, 21), name="نوروز")
    Rule.objects.create(name="ارجاع فنی", department=department, set_department=department, set_assignee=agent)
    DepartmentRouting.objects.create(department=department, round_robin=True, last_assigned=agent)
    AgentStatus.objects.create(user=agent, is_away=True, away_until=now + dt.timedelta(days=1))
    InboundEmail.objects.create(
        message_id="<m1@example.com>", sender="a@example.com", subject="سلام", state=State.REPLY, ticket=ticket
    )
    InboundSms.objects.create(
        provider_message_id="1001",
        source=InboundSms.Source.CALLBACK,
        sender="09121110000",
        text="سلام",
        state=State.REPLY,
        ticket=ticket,
    )
    article = Article.objects.order_by("pk").first()
    ArticleFeedback.objects.create(article=article, helpful=False, session_key="1001", comment="مفید نبود")
    kb_services.suggestion_open_record(session_key="1002", article=article)
    with time_machine.travel(dt.datetime(2025, 7, 15, 9, tzinfo=dt.UTC)):  # within the period `filed` is for
        filed(Taxpayer.objects.order_by("pk").first())


@pytest.fixture
def walked(site_admin):
    for name in demo_modules():
        import_module(name).load()
    _fill_the_empty_models(site_admin)
    for model, model_admin in admin.site._registry.items():  # a change history to show (and recent actions)
        obj = model._default_manager.order_by("pk").first()
        model_admin.log_change(_Request(site_admin), obj, [{"changed": {"fields": ["name"]}}])
    return site_admin


def test_every_registered_model_has_a_row(walked):
    empty = [m._meta.label for m in admin.site._registry if not m._default_manager.exists()]
    assert empty == []


def _pages(request_user):
    yield reverse("admin:index")
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        name = f"admin:{meta.app_label}_{meta.model_name}"
        obj = model._default_manager.order_by("pk").first()
        yield reverse(f"{name}_changelist")
        yield reverse(f"{name}_change", args=[obj.pk])
        yield reverse(f"{name}_history", args=[obj.pk])
        if model_admin.has_add_permission(_Request(request_user)):
            yield reverse(f"{name}_add")


class _Request:
    def __init__(self, user):
        self.user = user
        self.method = "GET"


def test_every_admin_page_is_in_persian(client, walked):
    client.force_login(walked)
    client.get(reverse("admin:index"))
    problems = {}
    for url in _pages(walked):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        if bad := foreign(html):
            problems[url] = bad
        if gregorian_inputs := GREGORIAN_INPUTS.findall(html):  # Django's calendar and number inputs
            problems.setdefault(url, []).extend(gregorian_inputs)
    listing = "\n".join(f"{url}: {part!r}" for url, parts in problems.items() for part in parts)
    assert not problems, f"Latin words or digits on the Persian admin:\n{listing}"


# --- inputs, filters, catalogues ------------------------------------------------------------------------------------


def test_a_jalali_date_typed_in_the_admin_is_stored_as_its_gregorian_day(client, site_admin):
    from tickets.sla_models import Holiday

    client.force_login(site_admin)
    page = client.get(reverse("admin:tickets_holiday_add")).content.decode()
    assert 'data-jdp=""' in page and "jalalidatepicker.min.js" in page and "js/admin.js" in page
    response = client.post(reverse("admin:tickets_holiday_add"), {"date": "۱۴۰۵/۰۱/۰۱", "name": "نوروز"})
    assert response.status_code == 302
    assert Holiday.objects.get().date == dt.date(2026, 3, 21)
    client.post(reverse("admin:tickets_holiday_add"), {"date": "١٤٠٥/٠١/٠٢", "name": "نوروز"})  # Arabic digits
    assert Holiday.objects.filter(date=dt.date(2026, 3, 22)).exists()
    listing = client.get(reverse("admin:tickets_holiday_changelist")).content.decode()
    assert "۱۴۰۵/۰۱/۰۱" in listing and "2026" not in visible_text(listing)


def test_a_bad_jalali_date_gets_a_persian_message_and_saves_nothing(client, site_admin):
    from tickets.sla_models import Holiday

    client.force_login(site_admin)
    response = client.post(reverse("admin:tickets_holiday_add"), {"date": "۱۴۰۴/۱۲/۳۰", "name": "نوروز"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "اسفند ۱۴۰۴ ۲۹ روز دارد؛ روز ۳۰ وجود ندارد." in page
    assert "لطفاً خطای زیر را برطرف کنید." in page
    assert not Holiday.objects.exists()


def test_a_jalali_date_and_time_is_stored_in_tehran_time(client, site_admin):
    from helpdesk.models import IPBlock

    client.force_login(site_admin)
    data = {"network": "198.51.100.0/24", "reason": "هرزنامه", "expires_at": "۱۴۰۵/۰۱/۰۱ ۰۸:۳۰"}
    assert client.post(reverse("admin:helpdesk_ipblock_add"), data).status_code == 302
    assert IPBlock.objects.get().expires_at == dt.datetime(2026, 3, 21, 5, 0, tzinfo=dt.UTC)


def test_validator_messages_have_persian_digits(client, site_admin):
    """«…no less than ۵»: the limits of a model's validators, in Persian digits (Django would write «مساوی 5»)."""
    from helpdesk.models import SiteSettings

    settings_row = SiteSettings.objects.create(pk=1)
    client.force_login(site_admin)
    data = {
        "title": "میز خدمت",
        "records_per_page": "۲",
        "max_upload_mb": "10",
        "allowed_file_types": "pdf",
        "office_contact": "",
        "customer_message": "",
        "staff_message": "",
        "maintenance_message": "",
    }
    response = client.post(reverse("admin:helpdesk_sitesettings_change", args=[settings_row.pk]), data)
    assert response.status_code == 200
    errors = [part for part in visible_text(response.content.decode()) if "۵" in part]
    assert errors, "the message names the limit, in Persian digits"
    assert not LATIN_DIGIT.search("\n".join(visible_text(response.content.decode())))
    settings_row.refresh_from_db()
    assert settings_row.records_per_page == 25  # nothing saved
    data["records_per_page"] = "٣٠"  # Arabic digits are read too
    assert client.post(reverse("admin:helpdesk_sitesettings_change", args=[settings_row.pk]), data).status_code == 302
    settings_row.refresh_from_db()
    assert settings_row.records_per_page == 30


def test_english_keeps_django_s_gregorian_admin(client, site_admin):
    from tickets.sla_models import Holiday

    site_admin.language = "en"
    site_admin.save(update_fields=["language"])
    Holiday.objects.create(date=dt.date(2026, 3, 21), name="Nowruz")
    client.force_login(site_admin)
    client.cookies["django_language"] = "en"
    listing = client.get(reverse("admin:tickets_holiday_changelist")).content.decode()
    assert "2026" in listing and "۱۴۰۵" not in listing
    assert 'class="vDateField' in client.get(reverse("admin:helpdesk_ipblock_add")).content.decode()


def test_this_month_in_the_date_filter_is_the_jalali_month(client, site_admin):
    from notifications.models import Notification

    client.force_login(site_admin)
    with time_machine.travel(dt.datetime(2026, 3, 25, 9, tzinfo=dt.UTC)):  # 1405/01/05
        page = client.get(reverse("admin:notifications_notification_changelist")).content.decode()
    assert Notification._meta.get_field("created_at")
    assert "created_at__gte=2026-03-21" in page  # Farvardin 1405 begins on 21 March


def test_the_admin_s_javascript_catalogue_has_the_pickers_strings(client, site_admin):
    client.force_login(site_admin)
    script = client.get(reverse("admin:jsi18n")).content.decode()
    catalogue = json.loads(re.search(r"const newcatalog = (\{.*?\});\n", script, re.DOTALL).group(1))
    assert catalogue["Choose all %s"] == "انتخاب همهٔ %s"
    assert catalogue["Choose selected %s"] == "انتخاب %s برگزیده"
    assert catalogue["Remove all %s"] == "حذف همهٔ %s"
    assert catalogue["Remove selected %s"] == "حذف %s برگزیده"
    assert catalogue["Choose"] == "انتخاب" and catalogue["Remove"] == "حذف"  # Django's own Persian, kept


def test_the_strings_django_leaves_in_english_are_translated():
    from django.utils import translation

    from helpdesk.django_catalogue import UNTRANSLATED

    with translation.override("fa"):
        assert [str(s) for s in UNTRANSLATED if not re.search("[\u0600-\u06ff]", str(s))] == []


def test_the_outbox_shows_a_kind_by_its_label(client, site_admin, customer):
    from notifications.models import Notification
    from notifications.registry import kind_label

    Notification.objects.create(recipient=customer, channel="email", kind="limits_applied", address="a@example.com")
    client.force_login(site_admin)
    page = client.get(reverse("admin:notifications_notification_changelist")).content.decode()
    assert kind_label("limits_applied") != "limits_applied"
    assert kind_label("limits_applied") in page and ">limits_applied<" not in page


def test_times_and_decimals_are_typed_in_any_digits(client, site_admin):
    from decimal import Decimal

    from helpdesk.forms import LocalizedDecimalField, LocalizedTimeField
    from tickets.sla_models import BusinessHours

    assert LocalizedTimeField().clean("۰۸:۳۰") == dt.time(8, 30)
    assert LocalizedDecimalField(max_digits=5, decimal_places=2).clean("٩٫٥") == Decimal("9.5")
    client.force_login(site_admin)
    data = {"weekday": "0", "is_working": "on", "opens_at": "۰۸:۳۰", "closes_at": "١٦:٠٠"}
    assert client.post(reverse("admin:tickets_businesshours_add"), data).status_code == 302
    hours = BusinessHours.objects.get()
    assert (hours.opens_at, hours.closes_at) == (dt.time(8, 30), dt.time(16, 0))
    page = client.get(reverse("admin:tickets_businesshours_change", args=[hours.pk])).content.decode()
    assert 'value="۰۸:۳۰"' in page  # shown as typed, in Persian digits
    response = client.post(
        reverse("admin:tickets_businesshours_change", args=[hours.pk]), {**data, "opens_at": "۲۵:۰۰"}
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    hours.refresh_from_db()
    assert hours.opens_at == dt.time(8, 30)


def test_role_groups_are_shown_by_their_role_s_label_and_stored_by_their_english_name(client, site_admin):
    from django.contrib.auth.models import Group

    from accounts.roles import ROLE_GROUPS

    customers = Group.objects.get(name=ROLE_GROUPS["customer"])  # looked up by the stored name, as services do
    Group.objects.create(name="پشتیبانی شب")  # a group an admin made: shown as named
    client.force_login(site_admin)
    listing = visible_text(client.get(reverse("admin:auth_group_changelist")).content.decode())
    assert {"مشتری", "کارشناس", "سرپرست", "مدیر", "مدیر سامانه", "پشتیبانی شب"} <= set(listing)
    assert not {"Customer", "Agent", "Supervisor", "Manager", "Admin"} & set(listing)
    page = client.get(reverse("admin:auth_group_change", args=[customers.pk])).content.decode()
    assert "› مشتری" in visible_text(page) and 'value="Customer"' in page  # the name itself is not changed
    client.cookies["django_language"] = "en"
    site_admin.language = "en"
    site_admin.save(update_fields=["language"])
    assert "Customer" in visible_text(client.get(reverse("admin:auth_group_changelist")).content.decode())


def test_login_attempt_rows_are_named_in_persian_with_jalali_moments(client, site_admin):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    client.force_login(site_admin)  # (a sign-in clears expired attempts: the rows come after it)
    moment = dt.datetime(2026, 3, 21, 5, 0, tzinfo=dt.UTC)  # 1405/01/01 08:30 in Tehran
    with time_machine.travel(moment, tick=False):
        attempt = AccessAttempt.objects.create(username="09121234567", ip_address="203.0.113.5", failures_since_start=9)
        log = AccessLog.objects.create(username="a@example.com", ip_address="203.0.113.5")
        failure = AccessFailureLog.objects.create(username="09121234567", ip_address="203.0.113.5", locked_out=True)
    titles = {
        "admin:axes_accessattempt_change": (attempt, "تلاش‌های ورود 09121234567، آخرین بار ۱۴۰۵/۰۱/۰۱ ۰۸:۳۰"),
        "admin:axes_accesslog_change": (log, "ورود a@example.com در ۱۴۰۵/۰۱/۰۱ ۰۸:۳۰"),
        "admin:axes_accessfailurelog_change": (
            failure,
            "ورود ناموفق 09121234567 در ۱۴۰۵/۰۱/۰۱ ۰۸:۳۰ از 203.0.113.5 (قفل شد)",
        ),
    }
    for name, (row, title) in titles.items():
        assert str(row) == title
        page = client.get(reverse(name, args=[row.pk]), follow=True).content.decode()
        assert title.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in "\n".join(visible_text(page))
    listing = visible_text(client.get(reverse("admin:axes_accessattempt_changelist")).content.decode())
    assert "وضعیت" in listing and "Status" not in listing
