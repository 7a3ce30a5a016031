"""The outbox: notifications are rows written in the caller's transaction, delivered by Celery after commit.

Life of a row: `pending` → (claimed by a conditional UPDATE) `sending` → `sent`, or back to `pending` for a retry
(network, 5xx, "try later"), or `failed` (can never go, or retries used up) or `parked` (the account needs a
person; admins get one alert). Panel rows are written as `sent`: showing them in the panel is the delivery.

Nothing is lost: if the broker is down at commit time the row stays pending and `sweep()` (beat, every minute)
queues it again. Nothing is sent twice: only the worker whose UPDATE moved the row to `sending` sends it; an SMS
that may have reached the gateway before a failure is looked up by its `localid` before any new attempt.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import make_msgid
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from . import preferences, registry, render
from .channels import SENDERS, Park, RetryLater, Undeliverable, describe
from .models import DeliveryAlert, Notification

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("notifications")

State = Notification.State
Channel = Notification.Channel

ALERT_KIND = "delivery_parked"


def _max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", 6))


def _stale_after() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "NOTIFICATIONS_STALE_SECONDS", 300)))


def _sending_timeout() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "NOTIFICATIONS_SENDING_TIMEOUT", 900)))


# --- writing rows ---------------------------------------------------------------------------------------------


def notify(event: Any) -> None:
    """Write the notifications `event` causes. Call inside the transaction that recorded `event`.

    `event` is any object with `kind`, `actor_id` and `pk` (a ticket event, …); the registration of its kind
    (`registry.register_kind`) says who hears of it and what they read. A model instance is stored as the rows'
    source, so an event notifies each person once per channel.

    Rows are written in a savepoint: a fault here is logged and never costs the caller its change.
    """
    logger.info(
        "event %s (%s) by %s",
        event.pk,
        event.kind,
        event.actor_id or "system",
        extra={"event_id": event.pk, "event_kind": event.kind},
    )
    kind = registry.kind_for(event.kind)
    if kind is None:
        return
    try:
        with transaction.atomic():
            rows = _event_rows(event, kind)
            _write(rows)
    except Exception:
        logger.exception("Writing the notifications of event %s (%s) failed", event.pk, event.kind)


def _event_rows(event: Any, kind: registry.Kind) -> list[Notification]:
    people = registry.recipients_for(event, kind)
    if not people:
        return []
    wanted = preferences.channels_for_users([user for user, _ in people], kind.group)
    content_for = kind.content(event)
    source = event if isinstance(event, models.Model) else None
    rows = []
    for user, audience in people:
        channels = wanted.get(user.pk) or []
        if not channels:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            content = content_for(user, audience)
            rows += _rows_for(user, channels, content, kind=event.kind, source=source)
    return rows


def _rows_for(
    user: User, channels: Iterable[str], content: render.Content, *, kind: str, source: models.Model | None = None
) -> list[Notification]:
    """One row per channel with its rendered content (call inside the recipient's language)."""
    now = timezone.now()
    rows = []
    for channel in channels:
        row = Notification(
            recipient=user,
            channel=channel,
            kind=kind,
            source=source,
            target=content.target,
            link=content.link,
            created_at=now,
            touched_at=now,
        )
        if channel == Channel.EMAIL:
            row.address = user.email or ""  # reachable(): the channel is only used with an address
            row.subject, row.body, row.html = render.email_parts(content)
            row.reply_to = content.reply_to
            row.thread_id = content.thread_id
            domain = getattr(settings, "MAIL_ID_DOMAIN", "") or "helpdesk.localhost"
            row.provider_message_id = make_msgid(idstring=f"t{content.reference or 'n'}", domain=domain)
        elif channel == Channel.SMS:
            row.address = user.mobile or ""
            row.subject = content.title[:255]
            row.body = render.sms_text(content)
        else:
            row.subject, row.body = render.panel_parts(content)
            row.state = State.SENT
            row.sent_at = now
        rows.append(row)
    return rows


def _write(rows: list[Notification]) -> list[Notification]:
    if not rows:
        return []
    Notification.objects.bulk_create(rows)
    queued = [row.pk for row in rows if row.state == State.PENDING]
    if queued:
        transaction.on_commit(partial(enqueue, queued), robust=True)
    return rows


def notify_users(
    *,
    users: Iterable[User],
    kind: str,
    title: object,
    text: object,
    link: str = "",
    channels: Iterable[str] = (Channel.PANEL, Channel.EMAIL),
) -> list[Notification]:
    """Notify people of something that is no registered event (e.g. an alert to admins), on the given channels,
    regardless of their preferences. `title`/`text` may be lazy translations: rendered in each user's language."""
    rows = []
    for user in users:
        if not user.is_active:
            continue
        usable = [c for c in channels if preferences.reachable(user, c)]
        with translation.override(user.language or settings.LANGUAGE_CODE):
            content = render.Content(title=str(title), text=str(text), link=link)
            rows += _rows_for(user, usable, content, kind=kind)
    with transaction.atomic():
        return _write(rows)


# --- queueing -------------------------------------------------------------------------------------------------


# Publishing gives up quickly when the broker is down: the row is safe in the database and the sweep re-queues it.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def enqueue(ids: Iterable[int]) -> int:
    """Queue delivery tasks; returns how many were queued. Stops at the first broker error (logged, not raised)."""
    from .tasks import deliver_notification

    count = 0
    for pk in ids:
        try:
            deliver_notification.apply_async((pk,), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        except Exception as exc:
            logger.warning("Broker unavailable, notification %s stays pending for the sweep: %s", pk, exc)
            break
        count += 1
    return count


# --- delivering -----------------------------------------------------------------------------------------------


def claim(notification_id: int, *, now: datetime | None = None) -> bool:
    """pending → sending, counting the attempt. True only for the one caller whose UPDATE changed the row."""
    now = now or timezone.now()
    return bool(
        Notification.objects.filter(pk=notification_id, state=State.PENDING).update(
            state=State.SENDING, attempts=F("attempts") + 1, touched_at=now
        )
    )


def _finish(notification: Notification, state: str, *, error: str = "", message_id: str | None = None) -> bool:
    now = timezone.now()
    values = {"state": state, "touched_at": now, "last_error": error[:2000]}
    if state == State.SENT:
        values["sent_at"] = now
    if message_id is not None:
        values["provider_message_id"] = message_id[:255]
    return bool(Notification.objects.filter(pk=notification.pk, state=State.SENDING).update(**values))


def deliver(*, notification_id: int) -> str:
    """Send one row if it is pending; returns the new state ("" when the row wasn't ours to send).

    Raises `RetryLater` after putting the row back to pending, so the task retries it with back-off.
    """
    if not claim(notification_id):
        return ""
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    sender = SENDERS.get(notification.channel)
    try:
        if sender is None:
            raise Undeliverable(f"No sender for channel {notification.channel!r}")
        message_id = sender(notification)
    except RetryLater as exc:
        if notification.attempts >= _max_attempts():
            _finish(notification, State.FAILED, error=f"gave up after {notification.attempts} attempts: {exc.reason}")
            return State.FAILED
        Notification.objects.filter(pk=notification.pk, state=State.SENDING).update(
            state=State.PENDING, touched_at=timezone.now(), last_error=exc.reason
        )
        raise
    except Undeliverable as exc:
        _finish(notification, State.FAILED, error=exc.reason)
        return State.FAILED
    except Park as exc:
        _finish(notification, State.PARKED, error=exc.reason)
        alert_raise(key=notification.channel, reason=exc.reason)
        return State.PARKED
    except Exception as exc:  # a bug or an unforeseen error: keep the row, retry later, say why
        logger.exception("Delivering notification %s failed unexpectedly", notification.pk)
        reason = describe(exc)
        Notification.objects.filter(pk=notification.pk, state=State.SENDING).update(
            state=State.PENDING, touched_at=timezone.now(), last_error=reason[:2000]
        )
        raise RetryLater(reason) from exc
    _finish(notification, State.SENT, message_id=message_id or "")
    alert_clear(key=notification.channel)
    return State.SENT


# --- the sweep ------------------------------------------------------------------------------------------------


def sweep(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Queue again what is still pending after `NOTIFICATIONS_STALE_SECONDS` (the broker was down, a worker died)
    and recover rows stuck in `sending` longer than a task may run. Returns how many rows were queued."""
    now = now or timezone.now()
    stuck = Notification.objects.filter(state=State.SENDING, touched_at__lt=now - _sending_timeout())
    # An SMS is looked up by its localid before it is sent again, so it can safely go back to pending.
    stuck.filter(channel=Channel.SMS).update(
        state=State.PENDING, touched_at=now - _stale_after(), last_error="interrupted while sending"
    )
    # An email that was being sent when its worker died may have gone out; sending it again could send it twice.
    stuck.filter(channel=Channel.EMAIL).update(
        state=State.FAILED,
        touched_at=now,
        last_error="interrupted while sending; it may or may not have been delivered (use «send again» to resend)",
    )
    ids = list(
        Notification.objects.filter(state=State.PENDING, touched_at__lte=now - _stale_after())
        .order_by("touched_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids, state=State.PENDING).update(touched_at=now)
    return enqueue(ids)


# --- admin: send again, alerts --------------------------------------------------------------------------------


def notifications_send_again(*, notifications: Iterable[Notification], actor: User) -> int:
    """Put failed or parked rows back to pending and queue them (admin action). Clears the channels' alerts."""
    ids = [n.pk for n in notifications]
    with transaction.atomic():
        rows = Notification.objects.filter(pk__in=ids, state__in=[State.FAILED, State.PARKED])
        channels = set(rows.values_list("channel", flat=True))
        picked = list(rows.values_list("pk", flat=True))
        rows.update(state=State.PENDING, touched_at=timezone.now(), last_error="")
        for channel in channels:
            alert_clear(key=channel)
        logger.info("%s queued %s notifications again", getattr(actor, "pk", None), len(picked))
        transaction.on_commit(partial(enqueue, picked), robust=True)
    return len(picked)


def alert_raise(*, key: str, reason: str) -> bool:
    """Tell the admins (panel + email) that a channel needs them — once while the alert is open."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from accounts.models import Role, User

    try:
        with transaction.atomic():
            DeliveryAlert.objects.create(key=key, reason=reason[:2000])
    except IntegrityError:
        return False  # already open: the admins know
    admins = User.objects.filter(is_active=True).filter(Q(role=Role.ADMIN) | Q(is_superuser=True))
    channel_label = Channel(key).label if key in Channel.values else key
    link = reverse("admin:notifications_notification_changelist") + f"?state__exact={State.PARKED}&channel__exact={key}"
    channels = [Channel.PANEL] if key == Channel.EMAIL else [Channel.PANEL, Channel.EMAIL]
    title = _("Notifications are on hold")
    text = _AlertText(channel_label, reason)
    notify_users(users=admins, kind=ALERT_KIND, title=title, text=text, link=link, channels=channels)
    logger.error("Delivery alert for %s: %s", key, reason)
    return True


class _AlertText:
    """The alert sentence, translated when rendered (in each admin's language)."""

    def __init__(self, channel_label: object, reason: str) -> None:
        self.channel_label = channel_label
        self.reason = reason

    def __str__(self) -> str:
        from django.utils.translation import gettext

        return gettext(
            "%(channel)s notifications are parked and will not be sent until someone fixes the cause: %(reason)s. "
            "Then choose «send again» for the parked notifications."
        ) % {"channel": str(self.channel_label), "reason": self.reason}


def alert_clear(*, key: str) -> int:
    return DeliveryAlert.objects.filter(key=key, cleared_at__isnull=True).update(cleared_at=timezone.now())


# --- the panel ------------------------------------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, user: User) -> Notification:
    """Mark one of the user's panel notifications read (the caller looked it up in the user's own rows)."""
    if notification.recipient_id != user.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, channel=Channel.PANEL, read_at__isnull=True).update(
        read_at=timezone.now()
    )
