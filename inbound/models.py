"""Every email and SMS that reached us, stored once (ESP and gateway retries become no-ops)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSING = "processing", _("Processing")
    REPLY = "reply", _("Added as a reply")
    NOTE = "note", _("Kept as an internal note (unverified sender)")
    HELD = "held", _("Held for the staff (unverified sender)")
    REJECTED = "rejected", _("Rejected by the staff")
    SPAM = "spam", _("Spam")
    TICKET = "ticket", _("New ticket")
    IGNORED = "ignored", _("Ignored")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")


def _state_rules(prefix: str) -> tuple[list[models.Index], list[models.BaseConstraint]]:
    """The index on `state` and its check constraint, for a concrete model's Meta (named `<prefix>_state…`)."""
    index = models.Index(fields=["state"], name=f"{prefix}_state")
    check = models.CheckConstraint(condition=Q(state__in=State.values), name=f"{prefix}_state_valid")
    return [index], [check]


class Verdict(models.TextChoices):
    """`inbound.services.authentication.Verdict`, as stored."""

    PASS = "pass", _("Passed")  # noqa: S105 - a verdict, not a password
    FAIL = "fail", _("Failed")
    NONE = "none", _("No result")


class InboundMessage(models.Model):
    """What every inbound message has: its outcome (state, reason, ticket), when it arrived, and its processing
    (attempts; `lease_until`: until then the row is a worker's, or its task is queued, and the sweep leaves it be)."""

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RECEIVED)
    reason = models.TextField(_("reason"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("processing attempts"), default=0)
    lease_until = models.DateTimeField(_("leased until"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-received_at", "-pk"]


class InboundEmail(InboundMessage):
    """One inbound email, keyed by its Message-ID (or a hash of the raw message when it has none)."""

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    esp_name = models.CharField(_("provider"), max_length=40, blank=True)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    raw = models.TextField(_("raw message"), blank=True)
    # The reply without the quoted text, when the ESP gives it (Postmark, Mailgun); it is not in the raw message.
    stripped_text = models.TextField(_("text without quotes"), blank=True)
    # What the provider said of it when it posted it (anymail's inbound message; not in the raw message).
    spam_detected = models.BooleanField(_("spam according to the provider"), null=True, blank=True)
    spam_score = models.FloatField(_("spam score"), null=True, blank=True)
    # The verdict on the sender (inbound.services.authentication), written when the message is processed.
    sender_verdict = models.CharField(
        _("sender authentication"),
        max_length=4,
        choices=Verdict.choices,
        blank=True,
        help_text=_("Empty: not read yet."),
    )

    class Meta(InboundMessage.Meta):
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        indexes, constraints = _state_rules("inbound_email")

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"


class InboundSms(InboundMessage):
    """One inbound SMS, keyed by Kavenegar's `messageid` (the callback and the polling may both deliver it)."""

    class Source(models.TextChoices):
        CALLBACK = "callback", _("Callback")
        POLL = "poll", _("Polling")

    provider_message_id = models.CharField(_("provider message ID"), max_length=64, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    sender = models.CharField(_("sender"), max_length=32)
    receptor = models.CharField(_("receiving line"), max_length=32, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta(InboundMessage.Meta):
        verbose_name = _("inbound SMS")
        verbose_name_plural = _("inbound SMS")
        indexes, constraints = _state_rules("inbound_sms")

    def __str__(self) -> str:
        return f"{self.sender}: {self.text[:40]}"
