"""The outbox (one row per message, recipient and channel), preferences per group of events, delivery alerts.

Generic: a row names what caused it (`source`, e.g. a ticket event) and what it is about (`target`, e.g. the
ticket) by content type and id, never by a foreign key to another app. The tables were `helpdesk_*` until the app
was extracted from `helpdesk/` (see `migrations/0001_move_from_helpdesk.py`).
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


class Notification(models.Model):
    """One message to one person on one channel: the outbox row (DESIGN "Nothing is lost").

    Written by `notifications.outbox.notify` in the same transaction as the change it reports, with its content
    already rendered (and, for email, its Reply-To and thread), so delivery needs nothing but the row; delivered
    after commit by a Celery task that claims the row (pending → sending, with a lease) with a conditional UPDATE, so
    only one worker ever sends it. Panel rows are stored as sent: the panel *is* the delivery. An email that may or
    may not have reached the provider (its worker died, the answer was lost) is `uncertain`: never sent again but by
    an admin's «send again».
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        PANEL = "panel", _("Panel")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        PARKED = "parked", _("Parked")
        UNCERTAIN = "uncertain", _("Uncertain")

    # None only for a message to an address that has no account yet (the sign-up code, `account_sms_queue`).
    recipient = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=40)
    # What caused the row (the event given to `notify`): one row per source, recipient and channel.
    source_type = models.ForeignKey(
        ContentType,
        verbose_name=_("source type"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    source_id = models.PositiveBigIntegerField(_("source ID"), null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    # What the row is about (a ticket): emails are threaded on it, email-in finds it again by Message-ID.
    target_type = models.ForeignKey(
        ContentType,
        verbose_name=_("target type"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    target_id = models.PositiveBigIntegerField(_("target ID"), null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    address = models.CharField(_("address"), max_length=254, blank=True, help_text=_("Email address or mobile."))
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    # The text holds a one-time code or link (a sign-up or password-reset code, a reset link): the outbox admin
    # shows it with the code masked (`notifications.admin.mask_secrets`).
    confidential = models.BooleanField(_("holds a one-time code"), default=False)
    reply_to = models.CharField(_("Reply-To"), max_length=254, blank=True)
    thread_id = models.CharField(
        _("thread"), max_length=255, blank=True, help_text=_("Message-ID this email answers (In-Reply-To).")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # pending: from when the sweep queues the row again if no task took it; sending: when the claimer's lease ends.
    due_at = models.DateTimeField(
        _("due"),
        default=timezone.now,
        help_text=_(
            "Pending: when the next attempt is due at the latest. Sending: when the lease of the worker sending "
            "it ends."
        ),
    )
    first_attempt_at = models.DateTimeField(_("first attempt"), null=True, blank=True)
    handed_over_at = models.DateTimeField(
        _("handed to the provider"),
        null=True,
        blank=True,
        help_text=_("When the current attempt handed the message to the email or SMS provider."),
    )
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("provider message ID"), max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The last time the row moved (written, queued, claimed, released, settled).
    touched_at = models.DateTimeField(_("last activity"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="notification_state_due"),
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox"),
            models.Index(fields=["kind"], name="notification_kind"),
            models.Index(fields=["target_type", "target_id"], name="notification_target"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "recipient", "channel"], name="notification_once_per_event"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sending", "sent", "failed", "parked", "uncertain"]),
                name="notification_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["email", "sms", "panel"]), name="notification_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_id}: {self.subject}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """A user's own channels for one group of events (a code of `registry.groups()`). Without a row, their
    access level's `NotificationDefault` applies, narrowed by their `notify_*` flags."""

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="notification_preferences"
    )
    group = models.CharField(_("events"), max_length=20)
    email = models.BooleanField(_("email"), default=True)
    sms = models.BooleanField(_("SMS"), default=True)
    panel = models.BooleanField(_("panel"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.group}"


class NotificationDefault(models.Model):
    """The channels people of one access level get for one group of events until they choose their own (the
    admins' table «پیش‌فرض‌های اعلان»). `migrate` writes a row for every access level and group the apps
    registered, with the group's defaults (`preferences.default_rows`); admins then change them. A person's
    general switches (`notify_*` on their profile) still narrow what is on here."""

    role = models.CharField(_("access level"), max_length=12, choices=Role.choices)
    group = models.CharField(_("events"), max_length=20)
    email = models.BooleanField(_("email"), default=True)
    sms = models.BooleanField(_("SMS"), default=True)
    panel = models.BooleanField(_("panel"), default=True)

    class Meta:
        verbose_name = _("notification default")
        verbose_name_plural = _("notification defaults")
        ordering = ["pk"]  # as written: access levels by rank, groups in registration order
        constraints = [models.UniqueConstraint(fields=["role", "group"], name="notification_default_unique")]

    def __str__(self) -> str:
        from .registry import group_label  # the registry reads these models' choices

        return f"{self.get_role_display()}: {group_label(self.group)}"


class DeliveryAlert(models.Model):
    """An open problem with a channel (e.g. no SMS credit) that admins were told about once.

    At most one open alert per key (a partial unique constraint), so parking a hundred rows alerts once;
    it is cleared when the channel works again or an admin sends the parked rows again.
    """

    key = models.CharField(_("channel"), max_length=20)
    reason = models.TextField(_("reason"))
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery alert")
        verbose_name_plural = _("delivery alerts")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(cleared_at__isnull=True), name="delivery_alert_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.reason[:60]}"

    @property
    def label(self) -> str:
        """The key as people read it: «پیامک» (on hold), «پیامک (ناموفق)» (`outbox.alert_key`: `channel[.state]`)."""
        channel, _dot, state = self.key.partition(".")
        text = str(Notification.Channel(channel).label) if channel in Notification.Channel.values else channel
        if state:
            state_text = str(Notification.State(state).label) if state in Notification.State.values else state
            text = f"{text} ({state_text})"
        return text
