"""The outbox: notifications are rows written in the caller's transaction, delivered by Celery after commit.

Life of a row:

    pending ──claim (a conditional UPDATE, with a lease)──▶ sending ──hand over──▶ the provider's call ──▶
        sent | pending again (retry later, with back-off) | failed | parked | uncertain (email only)

Panel rows are written as `sent`: showing them in the panel is the delivery.

- **Acknowledged = stored.** `notify` writes in the caller's transaction and never catches: if the rows cannot be
  written, the change that caused them fails too (and the request answers "not saved, try again").
- **Only the claimer sends.** A worker sends a row only after its UPDATE moved it to `sending` and, right before the
  provider's call, its second UPDATE marked it handed over (`handed_over_at`), both conditional on the claim still
  being its own. A row whose worker died before that mark provably went nowhere.
- **Nothing is lost.** If the broker is down at commit time the row stays pending; `sweep()` (beat, every minute)
  queues what is due. A worker that dies mid-delivery leaves its row `sending` until its lease
  (`NOTIFICATIONS_LEASE_SECONDS`) ends; the sweep then takes it back: an SMS goes back to pending (its next attempt
  asks the gateway by `localid` whether the first one landed), an email handed over becomes `uncertain`.
- **Nothing is sent twice by itself.** When the database fails after a send, the outcome travels in the task's retry
  (`record`), never another send; an `uncertain` email is only sent again by an admin («send again»).
- **Back-off that rides out an outage.** Retries wait a random delay up to 30 s, 60 s, 120 s … 10 min (full
  jitter) for an hour after the first attempt; a row that still cannot go is `failed`, and the admins get one alert
  per channel and outage, cleared by the next success.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import make_msgid
from django.db import Error as DatabaseFailure  # DatabaseError and InterfaceError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from helpdesk.site import settings_read_once
from helpdesk.transactions import optional_step

from . import preferences, registry, render
from .channels import SENDERS, DeliveryError, Park, RetryLater, Uncertain, Undeliverable, describe
from .models import DeliveryAlert, Notification

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("notifications")

State = Notification.State
Channel = Notification.Channel

ALERT_KIND = "delivery_parked"  # the admins' panel and email rows about a parked channel …
GAVE_UP_KIND = "delivery_failed"  # … and about notifications given up after an outage


def _seconds(name: str, default: float) -> timedelta:
    return timedelta(seconds=float(getattr(settings, name, default)))


def _stale_after() -> timedelta:
    return _seconds("NOTIFICATIONS_STALE_SECONDS", 300)


def lease() -> timedelta:
    return _seconds("NOTIFICATIONS_LEASE_SECONDS", 45)


def retry_for() -> timedelta:
    return _seconds("NOTIFICATIONS_RETRY_FOR_SECONDS", 3600)


def retry_delay(attempt: int) -> float:
    """Seconds to wait after failed attempt number `attempt` (1, 2, …): full jitter, a random delay up to
    BASE × 2^(attempt-1), capped."""
    base = float(getattr(settings, "NOTIFICATIONS_RETRY_BASE_SECONDS", 30))
    cap = float(getattr(settings, "NOTIFICATIONS_RETRY_CAP_SECONDS", 600))
    return random.uniform(0, min(cap, base * 2 ** min(max(attempt, 1) - 1, 32)))


# --- writing rows ---------------------------------------------------------------------------------------------


def notify(event: Any) -> None:
    """Write the notifications `event` causes. Call inside the transaction that recorded `event`.

    `event` is any object with `kind`, `actor_id` and `pk` (a ticket event, …); the registration of its kind
    (`registry.register_kind`) says who hears of it and what they read. A model instance is stored as the rows'
    source, so an event notifies each person once per channel.

    Nothing here is caught: a row that cannot be written fails the caller's change with it (the change is not
    acknowledged). A message that cannot be *rendered* for someone (a bug in a template or a registration) is
    written as a `failed` row with the reason, so an admin sees who was not told and why.
    """
    notify_many([event])


def notify_many(events: Iterable[Any]) -> None:
    """`notify` for many events at once (e.g. a batch of the SLA scan): the same rows, but the recipients'
    channel choices are read once per group and all rows are written in one bulk insert."""
    by_group: dict[str, list[tuple[Any, registry.Kind, list]]] = {}
    for event in events:
        logger.info(
            "event %s (%s) by %s",
            event.pk,
            event.kind,
            event.actor_id or "system",
            extra={"event_id": event.pk, "event_kind": event.kind},
        )
        kind = registry.kind_for(event.kind)
        if kind is not None:
            by_group.setdefault(kind.group_for(event), []).append((event, kind, registry.recipients_for(event, kind)))
    rows: list[Notification] = []
    with settings_read_once():  # the messages name the site: read its settings once for the whole batch
        for group, entries in by_group.items():
            people = {user.pk: user for _event, _kind, recipients in entries for user, _audience in recipients}
            wanted = preferences.channels_for_users(people.values(), group) if people else {}
            for event, kind, recipients in entries:
                rows += _event_rows(event, kind, recipients, wanted)
    _write(rows)


def _event_rows(
    event: Any, kind: registry.Kind, people: list[tuple[User, str]], wanted: dict[int, list[str]]
) -> list[Notification]:
    if not people:
        return []
    source = event if isinstance(event, models.Model) else None
    what = f"the {event.kind} notification of event {event.pk}"
    with optional_step(f"preparing {what}", savepoint=False, log=logger) as prepared:
        content_for = kind.content(event)
    rows = []
    for user, audience in people:
        channels = wanted.get(user.pk) or []
        if not channels:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            content, error = None, prepared.error
            if error is None:
                with optional_step(f"rendering {what} for user {user.pk}", savepoint=False, log=logger) as step:
                    content = content_for(user, audience)
                error = step.error
            for channel in channels:
                rows.append(_event_row(user, channel, content, error, kind=event.kind, source=source, what=what))
    return rows


def _event_row(
    user: User,
    channel: str,
    content: render.Content | None,
    error: Exception | None,
    *,
    kind: str,
    source: models.Model | None,
    what: str,
) -> Notification:
    """One recipient's row on one channel; a `failed` row with the reason when its message cannot be rendered (so an
    admin sees who was not told, and why). A database error is never contained: it fails the caller's change."""
    if content is not None:
        with optional_step(f"rendering {what} for user {user.pk} by {channel}", savepoint=False, log=logger) as step:
            return _rows_for(user, [channel], content, kind=kind, source=source)[0]
        error = step.error
    now = timezone.now()
    return Notification(
        recipient=user,
        channel=channel,
        kind=kind,
        source=source,
        address={Channel.EMAIL.value: user.email, Channel.SMS.value: user.mobile}.get(channel) or "",
        state=State.FAILED,
        last_error=f"the message could not be rendered: {describe(error) if error else 'unknown error'}"[:2000],
        created_at=now,
        touched_at=now,
        due_at=now,
    )


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
            due_at=now + _stale_after(),
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
    if len(queued) > FAN_OUT_ABOVE:
        transaction.on_commit(partial(enqueue_many, queued), robust=True)
    elif queued:
        transaction.on_commit(partial(enqueue, queued), robust=True)
    return rows


# More pending rows than this from one write (a batch of the SLA scan) are handed to a worker in one task, which
# queues their deliveries; fewer are queued one by one at once.
FAN_OUT_ABOVE = 20
FAN_OUT_CHUNK = 1000


def enqueue_many(ids: list[int]) -> int:
    """Queue one `fan_out` task per FAN_OUT_CHUNK rows (a worker queues their deliveries): a batch costs its
    committer a few broker calls, not one per row. Returns how many rows were handed over. A lost message loses
    nothing: the rows stay pending and the sweep queues them when due."""
    from .tasks import fan_out

    chunks = [ids[start : start + FAN_OUT_CHUNK] for start in range(0, len(ids), FAN_OUT_CHUNK)]
    return _publish(fan_out, chunks, rows=len)


def notify_users(
    *,
    users: Iterable[User],
    kind: str,
    title: object,
    text: object,
    link: str = "",
    channels: Iterable[str] = (Channel.PANEL, Channel.EMAIL),
    group: str | None = None,
) -> list[Notification]:
    """Notify people of something that is no registered event (e.g. an alert to admins), on the given channels,
    regardless of their preferences — or, with `group`, on the channels each person chose for that group (e.g. the
    SLA scan's digest; two queries). `title`/`text` may be lazy translations: rendered in each user's language."""
    active = [user for user in users if user.is_active]
    wanted = preferences.channels_for_users(active, group) if group and active else {}
    rows = []
    for user in active:
        usable = wanted[user.pk] if group else [c for c in channels if preferences.reachable(user, c)]
        with translation.override(user.language or settings.LANGUAGE_CODE):
            content = render.Content(title=str(title), text=str(text), link=link)
            rows += _rows_for(user, usable, content, kind=kind)
    with transaction.atomic(savepoint=False):  # a transaction of its own, or the caller's (no savepoint)
        return _write(rows)


# --- queueing -------------------------------------------------------------------------------------------------


# Publishing gives up quickly when the broker is down: the row is safe in the database and the sweep re-queues it.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def enqueue(ids: Iterable[int]) -> int:
    """Queue delivery tasks; returns how many were queued. Stops at the first broker error (logged, not raised).
    Runs after commit (or in the sweep), never inside a transaction, and touches no database."""
    from .tasks import deliver_notification

    return _publish(deliver_notification, list(ids), rows=lambda _pk: 1)


def _publish(task: Any, payloads: list[Any], *, rows: Callable[[Any], int]) -> int:
    """Publish `task(payload)` for each payload (after commit or in the sweep; no database). Stops at the first
    broker error, logged, not raised: the rows not handed over stay pending and the sweep queues them when due.
    Returns how many rows (`rows(payload)` each) were handed over."""
    handed = 0
    for done, payload in enumerate(payloads):
        try:
            task.apply_async((payload,), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        except Exception as exc:
            left = sum(rows(p) for p in payloads[done:])
            logger.warning("Broker unavailable, %s notifications stay pending for the sweep: %s", left, exc)
            break
        handed += rows(payload)
    return handed


# --- delivering -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to, recorded on the row by `record` (and carried by the task's retry when the
    database could not take it at once). `attempt` is the claim it belongs to (the row's attempt count)."""

    state: str
    attempt: int
    channel: str
    error: str = ""
    message_id: str = ""
    countdown: float = 0.0  # pending: seconds until the next attempt
    gave_up: bool = False  # failed: the retries lasted their whole duration (an outage, not a bad address)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class NotRecorded(Exception):
    """The attempt is over (the message was sent, or refused) but the database did not take its outcome: record it
    later (the task retries `record`), never send again."""

    def __init__(self, outcome: Outcome):
        self.outcome = outcome
        super().__init__(f"outcome {outcome.state} of notification attempt {outcome.attempt} not recorded")


def claim(notification_id: int, *, now: datetime | None = None) -> Notification | None:
    """pending → sending with a lease, counting the attempt. The claimed row for the one caller whose UPDATE changed
    it, None for everyone else."""
    now = now or timezone.now()
    won = Notification.objects.filter(pk=notification_id, state=State.PENDING).update(
        state=State.SENDING,
        attempts=F("attempts") + 1,
        touched_at=now,
        due_at=now + lease(),
        handed_over_at=None,
        first_attempt_at=Coalesce(F("first_attempt_at"), now),
    )
    return Notification.objects.get(pk=notification_id) if won else None


def _hand_over(notification: Notification) -> bool:
    """Mark the claimed row handed to the provider, right before the call. False when the claim is not ours any more
    (our lease ended and the sweep took the row back): then we must not send."""
    return bool(
        Notification.objects.filter(pk=notification.pk, state=State.SENDING, attempts=notification.attempts).update(
            handed_over_at=timezone.now()
        )
    )


def _attempt(notification: Notification) -> Outcome | None:
    """Prepare, hand over and send one claimed row. None when the claim was lost before the hand-over (nothing
    sent, nothing to record). A database error before the hand-over is raised: nothing was sent."""
    outcome = partial(Outcome, attempt=notification.attempts, channel=notification.channel)
    try:
        prepare = SENDERS.get(notification.channel)
        if prepare is None:
            raise Undeliverable(f"No sender for channel {notification.channel!r}")
        transmit = prepare(notification)
        if not _hand_over(notification):
            logger.warning("Notification %s was taken back before it was sent; not sending it", notification.pk)
            return None
        message_id = transmit()
    except DatabaseFailure:
        raise
    except DeliveryError as exc:
        return _outcome_of(notification, exc, outcome)
    except Exception as exc:  # a bug or an unforeseen error before the provider's answer: retried, said why
        logger.exception("Delivering notification %s failed unexpectedly", notification.pk)
        return _outcome_of(notification, RetryLater(describe(exc)), outcome)
    return outcome(state=State.SENT, message_id=message_id or "")


def _outcome_of(notification: Notification, exc: DeliveryError, outcome: Callable[..., Outcome]) -> Outcome:
    if isinstance(exc, Undeliverable):
        return outcome(state=State.FAILED, error=exc.reason)
    if isinstance(exc, Park):
        return outcome(state=State.PARKED, error=exc.reason)
    if isinstance(exc, Uncertain):
        return outcome(state=State.UNCERTAIN, error=f"it may or may not have been delivered: {exc.reason}")
    started = notification.first_attempt_at or timezone.now()
    if timezone.now() - started >= retry_for():
        minutes = int((timezone.now() - started).total_seconds() // 60)
        reason = f"gave up after {notification.attempts} attempts in {minutes} min: {exc.reason}"
        return outcome(state=State.FAILED, error=reason, gave_up=True)
    return outcome(state=State.PENDING, error=exc.reason, countdown=retry_delay(notification.attempts))


def record(*, notification_id: int, outcome: Outcome) -> str:
    """Write an attempt's outcome on its row, with the channel's alert, in one transaction; returns the new state
    ("" when the row had moved on: the claim was taken back, or an earlier run of this recorded it already).
    Raises `RetryLater` (with its countdown) after putting the row back to pending.

    Only the claim the outcome belongs to is settled (state `sending`, same attempt), except that a `sent` outcome
    also settles a row the sweep marked `uncertain` meanwhile: now we know."""
    now = timezone.now()
    values: dict[str, Any] = {"state": outcome.state, "touched_at": now, "last_error": outcome.error[:2000]}
    if outcome.state == State.SENT:
        values.update(sent_at=now, due_at=now)
        if outcome.message_id:
            values["provider_message_id"] = outcome.message_id[:255]
    elif outcome.state == State.PENDING:
        values["due_at"] = now + timedelta(seconds=outcome.countdown) + _stale_after()
    else:
        values["due_at"] = now
    settles = [State.SENDING, State.UNCERTAIN] if outcome.state == State.SENT else [State.SENDING]
    with transaction.atomic():
        mine = Notification.objects.filter(pk=notification_id, attempts=outcome.attempt, state__in=settles)
        if not mine.update(**values):
            return ""
        if outcome.state == State.SENT:
            alert_clear(channel=outcome.channel)
        elif outcome.state == State.PARKED or outcome.gave_up:
            with optional_step(f"the delivery alert of notification {notification_id}", log=logger):
                alert_raise(channel=outcome.channel, state=outcome.state, reason=outcome.error)
    if outcome.state == State.PENDING:
        raise RetryLater(outcome.error, countdown=outcome.countdown)
    return outcome.state


def deliver(*, notification_id: int) -> str:
    """Send one row if it is pending; returns the new state ("" when the row wasn't ours to send).

    Raises `RetryLater` (with its countdown) after putting the row back to pending, so the task retries it with
    back-off; `NotRecorded` when the message went (or was refused) but the database did not take the outcome; a
    database error (`django.db.Error`) raised before the hand-over (nothing was sent)."""
    notification = claim(notification_id)
    if notification is None:
        return ""
    outcome = _attempt(notification)
    if outcome is None:
        return ""
    try:
        return record(notification_id=notification.pk, outcome=outcome)
    except DatabaseFailure as exc:
        logger.warning("Notification %s: the outcome %s is not recorded yet: %s", notification.pk, outcome.state, exc)
        raise NotRecorded(outcome) from exc


# --- the sweep ------------------------------------------------------------------------------------------------


def sweep(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Beat, every minute: take back the rows whose worker's lease ended (it died or hung) and queue the pending
    rows that are due (the broker was down or lost the task). Returns how many rows were queued."""
    now = now or timezone.now()
    expired = Notification.objects.filter(state=State.SENDING, due_at__lt=now)
    # Interrupted before the hand-over (or the claim's answer was lost): provably not sent.
    expired.filter(handed_over_at__isnull=True).update(
        state=State.PENDING, touched_at=now, due_at=now, last_error="interrupted before it was sent"
    )
    # An SMS is looked up by its localid before it is sent again, so it can safely go back to pending.
    expired.filter(channel=Channel.SMS).update(
        state=State.PENDING,
        touched_at=now,
        due_at=now,
        last_error="interrupted while sending; the gateway is asked by its localid before any new attempt",
    )
    # An email that was handed over when its worker died may have gone out; sending it again could send it twice.
    expired.filter(channel=Channel.EMAIL).update(
        state=State.UNCERTAIN,
        touched_at=now,
        due_at=now,
        last_error="interrupted while sending; it may or may not have been delivered (use «send again» to resend)",
    )
    due = Notification.objects.filter(state=State.PENDING, due_at__lte=now)
    ids = list(due.order_by("due_at").values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids, state=State.PENDING).update(due_at=now + _stale_after())
    return enqueue(ids)


# --- admin: send again, alerts --------------------------------------------------------------------------------

SENT_AGAIN = (State.FAILED, State.PARKED, State.UNCERTAIN)


def notifications_send_again(*, notifications: Iterable[Notification], actor: User) -> int:
    """Put failed, parked or uncertain rows back to pending and queue them (admin action), with a new hour of
    retries; an uncertain email goes again with the same Message-ID. Clears the channels' alerts."""
    ids = [n.pk for n in notifications]
    now = timezone.now()
    with transaction.atomic():
        rows = Notification.objects.filter(pk__in=ids, state__in=SENT_AGAIN)
        channels = set(rows.values_list("channel", flat=True))
        picked = list(rows.values_list("pk", flat=True))
        rows.update(
            state=State.PENDING, touched_at=now, due_at=now + _stale_after(), first_attempt_at=None, last_error=""
        )
        for channel in channels:
            alert_clear(channel=channel)
        logger.info("%s queued %s notifications again", getattr(actor, "pk", None), len(picked))
        transaction.on_commit(partial(enqueue, picked), robust=True)
    return len(picked)


def alert_key(channel: str, state: str) -> str:
    """One open alert per channel and cause: `sms` (parked: the account needs a person), `sms.failed` (given up
    after an outage)."""
    return channel if state == State.PARKED else f"{channel}.{state}"


def alert_raise(*, channel: str, state: str, reason: str) -> bool:
    """Tell the admins (panel + email) that a channel needs them — once while the alert is open."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from accounts.models import Role, User

    key = alert_key(channel, state)
    try:
        with transaction.atomic():
            DeliveryAlert.objects.create(key=key, reason=reason[:2000])
    except IntegrityError:
        return False  # already open: the admins know
    admins = User.objects.filter(is_active=True).filter(Q(role=Role.ADMIN) | Q(is_superuser=True))
    channel_label = Channel(channel).label if channel in Channel.values else channel
    link = reverse("admin:notifications_notification_changelist") + f"?state__exact={state}&channel__exact={channel}"
    channels = [Channel.PANEL] if channel == Channel.EMAIL else [Channel.PANEL, Channel.EMAIL]
    if state == State.PARKED:
        kind, title = ALERT_KIND, _("Notifications are on hold")
    else:
        kind, title = GAVE_UP_KIND, _("Notifications could not be delivered")
    text = _AlertText(channel_label, reason, state)
    notify_users(users=admins, kind=kind, title=title, text=text, link=link, channels=channels)
    logger.error("Delivery alert for %s: %s", key, reason)
    return True


class _AlertText:
    """The alert sentence, translated when rendered (in each admin's language)."""

    def __init__(self, channel_label: object, reason: str, state: str) -> None:
        self.channel_label = channel_label
        self.reason = reason
        self.state = state

    def __str__(self) -> str:
        from django.utils.translation import gettext

        if self.state == State.PARKED:
            text = gettext(
                "%(channel)s notifications are parked and will not be sent until someone fixes the cause: "
                "%(reason)s. Then choose «send again» for the parked notifications."
            )
        else:
            text = gettext(
                "%(channel)s notifications could not be delivered for an hour and were given up: %(reason)s. "
                "They are listed as failed; once the cause is fixed, choose «send again» for them."
            )
        return text % {"channel": str(self.channel_label), "reason": self.reason}


def alert_clear(*, channel: str) -> int:
    """Close the channel's open alerts (it works again, or its rows were sent again)."""
    keys = [alert_key(channel, State.PARKED), alert_key(channel, State.FAILED)]
    return DeliveryAlert.objects.filter(key__in=keys, cleared_at__isnull=True).update(cleared_at=timezone.now())


def delivery_alerts_clear(*, alerts: Iterable[DeliveryAlert]) -> int:
    """Close the given alerts (an admin dealt with them); returns how many were open."""
    ids = [alert.pk for alert in alerts]
    return DeliveryAlert.objects.filter(pk__in=ids, cleared_at__isnull=True).update(cleared_at=timezone.now())


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
