"""Demo data for the tickets app (`manage.py load_demo`): departments, priorities, types, canned responses and a
handful of realistic Persian tickets with replies, notes and tags, made through the real services (so the
timeline has its events). Uses the demo users of `accounts.demo`; creates nothing if they don't exist.
Idempotent: configuration is get_or_create by name, tickets are skipped when the requester already has one
with the same subject.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import User

from . import services
from .models import CannedResponse, Channel, Department, Priority, SLAPolicy, Status, Ticket, TicketType

CUSTOMER = "customer@example.com"
CUSTOMER2 = "customer2@example.com"
AGENT = "agent@example.com"
SUPERVISOR = "supervisor@example.com"
MANAGER = "manager@example.com"

TECH = "پشتیبانی فنی"
FINANCE = "مالی و حسابداری"
SALES = "فروش"


def _users() -> dict[str, User] | None:
    emails = (CUSTOMER, CUSTOMER2, AGENT, SUPERVISOR, MANAGER)
    found = {(u.email or "").lower(): u for u in User.objects.filter(email__in=emails)}
    if len(found) != len(emails):
        return None
    return found


def _configuration(users: dict[str, User]):
    departments = {}
    for name, description, email in (
        (TECH, "مشکلات نرم‌افزار، سخت‌افزار، شبکه و دسترسی به سامانه.", "support@example.com"),
        (FINANCE, "فاکتور، پرداخت، بازپرداخت و امور مالیاتی.", "finance@example.com"),
        (SALES, "استعلام قیمت، خرید و تمدید اشتراک.", "sales@example.com"),
    ):
        dept, _ = Department.objects.get_or_create(
            name=name, defaults={"description": description, "inbound_email": email}
        )
        departments[name] = dept
    departments[TECH].members.add(users[AGENT])
    departments[TECH].supervisors.add(users[SUPERVISOR])
    departments[FINANCE].members.add(users[SUPERVISOR])
    departments[FINANCE].supervisors.add(users[SUPERVISOR])
    departments[SALES].members.add(users[AGENT])

    priorities = {}
    for name, order, colour in (
        ("کم", 1, "#6C757D"),
        ("عادی", 2, "#0D6EFD"),
        ("زیاد", 3, "#FD7E14"),
        ("فوری", 4, "#DC3545"),
    ):
        priorities[name], _ = Priority.objects.get_or_create(name=name, defaults={"order": order, "colour": colour})
    if not Priority.objects.filter(is_default=True).exists():
        Priority.objects.filter(pk=priorities["عادی"].pk).update(is_default=True)
    # SLA targets in business minutes (first response, resolution), so demo tickets show due times.
    for name, first_response, resolution in (
        ("کم", 8 * 60, 5 * 8 * 60),
        ("عادی", 4 * 60, 3 * 8 * 60),
        ("زیاد", 2 * 60, 8 * 60),
        ("فوری", 30, 4 * 60),
    ):
        SLAPolicy.objects.get_or_create(
            priority=priorities[name],
            department=None,
            type=None,
            defaults={
                "name": f"SLA {name}",
                "first_response_minutes": first_response,
                "resolution_minutes": resolution,
            },
        )

    types = {}
    for name, dept, prio, template in (
        ("مشکل فنی", TECH, "عادی", "شرح مشکل:\n\nاز چه زمانی رخ داده است؟\n\nپیام خطا (در صورت وجود):"),
        ("درخواست فاکتور", FINANCE, "عادی", "شماره سفارش:\n\nمشخصات خریدار برای درج در فاکتور:"),
        ("استعلام قیمت", SALES, "کم", ""),
        ("پیشنهاد و انتقاد", SALES, "کم", ""),
    ):
        types[name], _ = TicketType.objects.get_or_create(
            name=name,
            defaults={
                "default_department": departments[dept],
                "default_priority": priorities[prio],
                "description_template": template,
            },
        )

    for title, body, scope, dept, owner in (
        (
            "سلام و پیگیری",
            "سلام {customer_name} گرامی،\n\nدرخواست شما با شماره {ticket_reference} دریافت شد و در حال بررسی است.\n\n"
            "با احترام،\n{agent_name}\n{department}",
            CannedResponse.Scope.GLOBAL,
            None,
            None,
        ),
        (
            "راه‌اندازی مجدد چاپگر",
            "لطفاً چاپگر را خاموش کنید، ۳۰ ثانیه صبر کنید و دوباره روشن کنید. "
            "اگر مشکل ادامه داشت، عکسی از صفحه نمایش چاپگر پیوست کنید.",
            CannedResponse.Scope.DEPARTMENT,
            departments[TECH],
            None,
        ),
        (
            "امضای شخصی",
            "با سپاس از شکیبایی شما،\n{agent_name}",
            CannedResponse.Scope.PERSONAL,
            None,
            users[AGENT],
        ),
    ):
        CannedResponse.objects.get_or_create(
            title=title, defaults={"body": body, "scope": scope, "department": dept, "owner": owner}
        )
    return departments, priorities, types


def _ticket(requester: User | None, subject: str, **kwargs) -> Ticket | None:
    """File a ticket unless the requester (or, for internal tickets, the creator) already has one so named."""
    lookup: dict[str, object] = {"subject": subject}
    # mypy reads the second dict with the first one's value type (User)
    lookup.update({"requester": requester} if requester else {"created_by": kwargs["created_by"], "is_internal": True})  # type: ignore[dict-item]
    if Ticket.objects.filter(**lookup).exists():
        return None
    kwargs.setdefault("created_by", requester)
    kwargs.setdefault("channel", Channel.WEB)
    return services.ticket_create(requester=requester, subject=subject, **kwargs)


def _age(ticket: Ticket, *, days: float) -> None:
    """Spread the demo over the past days (demo only: a direct update of the timestamps)."""
    then = timezone.now() - timedelta(days=days)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=then)
    ticket.messages.filter(pk__in=ticket.messages.order_by("pk").values("pk")[:1]).update(created_at=then)
    ticket.events.filter(kind="created").update(created_at=then)


def load() -> list[tuple[str, str, str]]:
    users = _users()
    if users is None:
        return []
    departments, priorities, types = _configuration(users)
    customer, customer2 = users[CUSTOMER], users[CUSTOMER2]
    agent, supervisor, manager = users[AGENT], users[SUPERVISOR], users[MANAGER]

    t = _ticket(
        customer,
        "چاپگر شبکه طبقه دوم چاپ نمی‌کند",
        department=departments[TECH],
        type=types["مشکل فنی"],
        priority=priorities["زیاد"],
        body="از صبح امروز هیچ‌کدام از همکاران نمی‌توانند با چاپگر HP طبقه دوم چاپ بگیرند. "
        "چراغ خطای چاپگر چشمک می‌زند و روی صفحه نوشته **Paper Jam**، ولی کاغذی گیر نکرده است.",
    )
    if t:
        _age(t, days=3)
        services.ticket_assign(ticket=t, agent=agent, actor=agent)
        services.ticket_set_tags(ticket=t, tags=["چاپگر", "شبکه"], actor=agent)
        services.reply_add(
            ticket=t,
            author=agent,
            body="سلام، لطفاً چاپگر را یک بار خاموش و روشن کنید و مدل دقیق آن را از برچسب پشت دستگاه برایمان بفرستید.",
            status=Status.WAITING,
        )
        services.reply_add(
            ticket=t, author=customer, body="خاموش و روشن کردیم ولی فرقی نکرد. مدل: HP LaserJet Pro M404dn"
        )
        services.note_add(ticket=t, author=agent, body="احتمالاً سنسور کاغذ خراب است؛ فردا تکنسین به محل اعزام شود.")

    t = _ticket(
        customer2,
        "درخواست صدور فاکتور رسمی خرید اسفند ۱۴۰۳",
        department=departments[FINANCE],
        type=types["درخواست فاکتور"],
        body="برای خرید شماره ۴۵۸۲ لطفاً فاکتور رسمی به نام «شرکت نمونه پارس» "
        "با شناسه ملی درج شده در پروفایل صادر کنید.",
    )
    if t:
        _age(t, days=6)
        services.ticket_assign(ticket=t, agent=supervisor, actor=supervisor)
        services.reply_add(
            ticket=t,
            author=supervisor,
            body="فاکتور رسمی صادر و به پیوست ایمیل شما ارسال شد. در صورت نیاز به اصلاح، همین‌جا اطلاع دهید.",
            status=Status.RESOLVED,
        )

    t = _ticket(
        customer,
        "استعلام قیمت تمدید اشتراک سالانه برای ۲۵ کاربر",
        department=departments[SALES],
        type=types["استعلام قیمت"],
        body="اشتراک فعلی ما تا پایان فروردین اعتبار دارد. هزینه تمدید یک‌ساله برای ۲۵ کاربر چقدر است؟",
    )
    if t:
        _age(t, days=1)
        services.ticket_set_pinned(ticket=t, pinned=True, actor=manager)

    t = _ticket(
        customer2,
        "عدم دسترسی به پنل پس از تغییر رمز عبور",
        department=departments[TECH],
        type=types["مشکل فنی"],
        priority=priorities["فوری"],
        body="بعد از تغییر رمز عبور، هنگام ورود پیام «نام کاربری یا رمز عبور نادرست است» می‌گیرم. کار ما متوقف شده است.",
    )
    if t:
        services.ticket_set_tags(ticket=t, tags=["ورود", "رمز عبور"], actor=agent)
        services.ticket_set_due(
            ticket=t,
            actor=supervisor,
            first_response_due=timezone.now() + timedelta(hours=1),
            resolution_due=timezone.now() + timedelta(hours=4),
        )
        services.reply_add(ticket=t, author=agent, body="در حال بررسی هستیم؛ لطفاً تا اطلاع بعدی دوباره تلاش نکنید.")

    t = _ticket(
        None,
        "هماهنگی بازپرداخت وجه اشتراک لغوشده",
        department=departments[FINANCE],
        body="مشتری «شرکت نمونه پارس» اشتراک یکی از کاربران را لغو کرده است. لطفاً بازپرداخت را بررسی و تأیید کنید.",
        channel=Channel.STAFF,
        created_by=agent,
        is_internal=True,
    )
    if t:
        services.note_add(ticket=t, author=supervisor, body="مبلغ بازپرداخت: ۱۲٬۵۰۰٬۰۰۰ ریال — تأیید شد.")

    t = _ticket(
        customer,
        "تغییر نشانی ایمیل حساب کاربری",
        department=departments[TECH],
        body="لطفاً ایمیل حساب من را به maryam.ahmadi@example.com تغییر دهید.",
    )
    if t:
        _age(t, days=10)
        services.reply_add(ticket=t, author=agent, body="ایمیل حساب شما تغییر کرد.", status=Status.RESOLVED)
        services.ticket_close(ticket=t, actor=customer)
    return []
