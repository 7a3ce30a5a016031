"""Reads for the panel (bell, list), for email-in (what an email we sent, by its Message-ID, was about) and for
the admins (the month's SMS and what they cost)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.utils import timezone

from helpdesk.jalali import month_range
from helpdesk.l10n import TEHRAN, to_jalali_date

from .models import Notification

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def panel_notifications(*, user: User | AnonymousUser) -> QuerySet[Notification]:
    """The user's own panel notifications, newest first. Every panel lookup starts here (others' rows: 404).
    A panel row is delivered when written (`sent`); one whose message could not be rendered is `failed` and only
    shown in the admin."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.PANEL, state=Notification.State.SENT
    ).order_by("-created_at", "-pk")


def unread_count(*, user: User | AnonymousUser) -> int:
    return panel_notifications(user=user).filter(read_at__isnull=True).count()


def target_id_for_message_id(*, message_id: str, model: type[Model]) -> int | None:
    """The id of the `model` instance an email we sent (by its Message-ID) was about — for matching
    `In-Reply-To`/`References` (e.g. `model=Ticket`)."""
    return (
        Notification.objects.filter(
            channel=Notification.Channel.EMAIL,
            provider_message_id=message_id.strip(),
            target_type=ContentType.objects.get_for_model(model),
        )
        .values_list("target_id", flat=True)
        .first()
    )


@dataclass(frozen=True)
class SmsMonth:
    year: int  # Jalali
    month: int
    count: int
    price: int  # rials a message; 0: not set
    cost: int | None  # rials; None when no price is set


def sms_month(*, now: datetime | None = None) -> SmsMonth:
    """The SMS sent in the current Jalali month (Tehran time), and what they cost at `SMS_PRICE_RIALS` each."""
    today = to_jalali_date(now or timezone.now())
    first, last = month_range(today.year, today.month)
    start = datetime.combine(first, time.min, tzinfo=TEHRAN)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=TEHRAN)
    count = Notification.objects.filter(
        channel=Notification.Channel.SMS, state=Notification.State.SENT, sent_at__gte=start, sent_at__lt=end
    ).count()
    price = int(getattr(settings, "SMS_PRICE_RIALS", 0) or 0)
    return SmsMonth(year=today.year, month=today.month, count=count, price=price, cost=count * price if price else None)
