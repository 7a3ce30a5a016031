import ipaddress
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .l10n import join_list

DEFAULT_ALLOWED_TYPES = "pdf,jpg,jpeg,png,gif,webp,txt,csv,zip,docx,xlsx,pptx,doc,xls"

# Types a browser or the desktop would run rather than show; serving them back to other users is a way in.
FORBIDDEN_FILE_TYPES = frozenset(
    {
        # run by the browser when served back
        *("htm", "html", "xhtml", "shtml", "svg", "svgz", "js", "mjs"),
        # run by the server if ever misconfigured, or by Windows on a double click
        *("php", "phtml", "asp", "aspx", "jsp", "cgi", "exe", "msi", "com", "bat", "cmd", "scr", "ps1", "vbs"),
        *("vbe", "hta", "jar", "dll", "lnk", "reg"),
    }
)
_EXTENSION = re.compile(r"^[a-z0-9]{1,10}$")

MSG_EXTENSIONS_EMPTY = _("Enter at least one file extension, e.g. pdf,jpg,png.")
MSG_EXTENSIONS_INVALID = _(
    "These are not valid file extensions: %(items)s. Enter extensions of letters and digits separated by commas, "
    "e.g. pdf,jpg,png."
)
MSG_EXTENSIONS_FORBIDDEN = _("These file types cannot be allowed because they can run code: %(items)s.")
MSG_NETWORK_INVALID = _("Enter a valid IPv4 or IPv6 address or CIDR range, e.g. 203.0.113.7 or 203.0.113.0/24.")


def _file_type_tokens(value: str) -> list[str]:
    # Commas, the Persian comma, semicolons and spaces all separate.
    return [token for token in re.split(r"[,،;\s]+", (value or "").lower()) if token]


def split_file_types(value: str) -> list[str]:
    """`"PDF, .jpg ,png"` → `["pdf", "jpg", "png"]` (order kept, duplicates dropped)."""
    items = (token.removeprefix(".") for token in _file_type_tokens(value))
    return list(dict.fromkeys(item for item in items if item))


def validate_file_types(value: str) -> None:
    tokens = _file_type_tokens(value)
    bad = [token for token in tokens if not _EXTENSION.match(token.removeprefix("."))]
    if bad:  # reported as typed, so the admin recognises them
        raise ValidationError(MSG_EXTENSIONS_INVALID, code="invalid", params={"items": join_list(bad)})
    items = split_file_types(value)
    if not items:
        raise ValidationError(MSG_EXTENSIONS_EMPTY, code="empty")
    forbidden = [item for item in items if item in FORBIDDEN_FILE_TYPES]
    if forbidden:
        raise ValidationError(MSG_EXTENSIONS_FORBIDDEN, code="forbidden", params={"items": join_list(forbidden)})


class SiteSettings(models.Model):
    """The one row of site-wide settings that admins change at run time (F22–F25, F30–F32).

    Read it through `helpdesk.site.get_site_settings()`, which caches it; saving clears the cache.
    """

    title = models.CharField(_("system title"), max_length=100, default="میز خدمت")
    logo = models.ImageField(_("logo"), upload_to="branding/", blank=True)
    records_per_page = models.PositiveSmallIntegerField(
        _("records per page"), default=25, validators=[MinValueValidator(5), MaxValueValidator(200)]
    )
    max_upload_mb = models.PositiveSmallIntegerField(
        _("maximum upload size (MB)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    allowed_file_types = models.CharField(
        _("allowed file types"),
        max_length=300,
        default=DEFAULT_ALLOWED_TYPES,
        help_text=_("File extensions separated by commas, e.g. pdf,jpg,png."),
        validators=[validate_file_types],
    )
    customer_message = models.TextField(_("public message for customers"), blank=True)
    staff_message = models.TextField(_("public message for staff"), blank=True)
    maintenance_mode = models.BooleanField(_("maintenance mode"), default=False)
    maintenance_message = models.TextField(_("maintenance message"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="site_settings_singleton")]

    def __str__(self) -> str:
        return str(_("Site settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self):
        # Store the list in one canonical spelling ("PDF, .Jpg" → "pdf,jpg") once it is known to be valid.
        items = split_file_types(self.allowed_file_types)
        if items and all(_EXTENSION.match(item) for item in items):
            self.allowed_file_types = ",".join(items)

    @property
    def allowed_extensions(self) -> set[str]:
        return set(split_file_types(self.allowed_file_types))

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


class IPBlockQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class IPBlock(models.Model):
    """A blocked address or CIDR range, IPv4 or IPv6 (F33)."""

    network = models.CharField(
        _("address or range"),
        max_length=50,
        unique=True,
        help_text=_("e.g. 203.0.113.7, 203.0.113.0/24 or 2001:db8::/32"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = IPBlockQuerySet.as_manager()

    class Meta:
        verbose_name = _("blocked IP address")
        verbose_name_plural = _("blocked IP addresses")
        ordering = ["network"]

    def __str__(self) -> str:
        return self.network

    def clean(self):
        if not self.network:
            return  # "required" is reported by the field itself
        try:
            # strict=False: "203.0.113.7/24" means the range 203.0.113.0/24; a bare address becomes /32 or /128.
            self.network = str(ipaddress.ip_network(self.network.strip(), strict=False))
        except ValueError:
            raise ValidationError({"network": ValidationError(MSG_NETWORK_INVALID, code="invalid")}) from None

    @property
    def is_active(self) -> bool:
        return self.expires_at is None or self.expires_at > timezone.now()


# --- Notifications: the outbox, preferences per event group, delivery alerts (helpdesk/notifications/) ---------------


class NotificationGroup(models.TextChoices):
    """Event groups a user chooses channels for (the preferences page lists these)."""

    NEW_TICKET = "new_ticket", _("New tickets")
    REPLY = "reply", _("Replies")
    NOTE = "note", _("Internal notes")
    ASSIGNMENT = "assignment", _("Assignments and transfers")
    STATUS = "status", _("Status changes")
    SLA = "sla", _("Deadlines and escalations")
    LIMITS = "limits", _("Sales ceilings")


class Notification(models.Model):
    """One message to one person on one channel: the outbox row (DESIGN "Nothing is lost").

    Written by `helpdesk.notifications.notify` in the same transaction as the change it reports, with its content
    already rendered; delivered after commit by a Celery task that claims the row (pending → sending) with a
    conditional UPDATE, so a row is sent at most once. Panel rows are stored as sent: the panel *is* the delivery.
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

    recipient = models.ForeignKey(
        "accounts.User", verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=40)
    event = models.ForeignKey(
        "tickets.TicketEvent",
        verbose_name=_("ticket event"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    address = models.CharField(_("address"), max_length=254, blank=True, help_text=_("Email address or mobile."))
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("provider message ID"), max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The last time the row moved (written, queued, claimed, released): the sweep re-queues rows pending for long.
    touched_at = models.DateTimeField(_("last activity"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "touched_at"], name="notification_state_touched"),
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox"),
            models.Index(fields=["kind"], name="notification_kind"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient", "channel"], name="notification_once_per_event"),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sending", "sent", "failed", "parked"]),
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
    """A user's channels for one group of events. Without a row, the user's `notify_*` flags apply."""

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="notification_preferences"
    )
    group = models.CharField(_("events"), max_length=20, choices=NotificationGroup.choices)
    email = models.BooleanField(_("email"), default=True)
    sms = models.BooleanField(_("SMS"), default=True)
    panel = models.BooleanField(_("panel"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.group}"


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
        return f"{self.key}: {self.reason[:60]}"
