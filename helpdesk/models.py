import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .l10n import join_list
from .net import parse_network

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
MSG_NETWORK_EVERYONE = _(
    "This range contains every IPv%(version)s address: it would block everyone using IPv%(version)s. "
    "To close the site for everyone, use maintenance mode."
)


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
    office_contact = models.CharField(
        _("office contact"),
        max_length=300,
        blank=True,
        help_text=_("How customers reach the office (phone, hours, address); shown where a page asks them to."),
    )
    customer_message = models.TextField(_("public message for customers"), blank=True)
    staff_message = models.TextField(_("public message for staff"), blank=True)
    self_registration = models.BooleanField(
        _("customers may sign up"),
        default=False,
        help_text=_(
            "Show «Sign up» on the login page: a new customer registers with a mobile number verified by an SMS code."
        ),
    )
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
    def logo_url(self) -> str:
        """The logo's public address (`helpdesk.branding`), never its place under MEDIA_URL; "" without a logo."""
        if not self.logo:
            return ""
        return reverse("branding", kwargs={"name": self.logo.name.rpartition("/")[2]})

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
        # "203.0.113.7/24" means the range 203.0.113.0/24; a bare address becomes /32 or /128; the IPv4-mapped
        # form (::ffff:203.0.113.7) is stored as the IPv4 address it is, as `net.contains` matches it.
        network = parse_network(self.network)
        if network is None:
            raise ValidationError({"network": ValidationError(MSG_NETWORK_INVALID, code="invalid")})
        self.network = str(network)
        if network.prefixlen == 0:
            raise ValidationError(
                {"network": ValidationError(MSG_NETWORK_EVERYONE, code="everyone", params={"version": network.version})}
            )

    @property
    def is_active(self) -> bool:
        return self.expires_at is None or self.expires_at > timezone.now()


class AuditAction(models.TextChoices):
    """What the audit trail records (`helpdesk.audit.record`). Every app names its actions here, on the ground
    floor, so the admin can filter by them; the app that does the action writes the entry."""

    LOGIN = "login", _("sign-in")
    LOGIN_FAILED = "login_failed", _("failed sign-in")
    LOGOUT = "logout", _("sign-out")
    LOCKOUT = "lockout", _("lockout after failed sign-ins")
    ROLE_CHANGE = "role_change", _("access level change")
    DEPARTMENTS_CHANGE = "departments_change", _("department change")
    SUSPENSION = "suspension", _("suspension")
    REACTIVATION = "reactivation", _("reactivation")
    EXPIRY_CHANGE = "expiry_change", _("expiry date change")
    ACTIVE_CHANGE = "active_change", _("account enabled or disabled")
    TWO_FACTOR_REMOVED = "two_factor_removed", _("two-factor devices removed")
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("two-factor sign-in turned on")
    TWO_FACTOR_REQUIREMENT_CHANGE = "two_factor_requirement_change", _("two-factor requirement change")
    IP_BLOCK_ADD = "ip_block_add", _("IP block added")
    IP_BLOCK_CHANGE = "ip_block_change", _("IP block changed")
    IP_BLOCK_REMOVE = "ip_block_remove", _("IP block removed")
    MAINTENANCE_CHANGE = "maintenance_change", _("maintenance mode change")
    SITE_SETTINGS_CHANGE = "site_settings_change", _("site settings change")
    REPORT_EXPORT = "report_export", _("report export")
    ARTICLE6_PARAMETERS_CHANGE = "article6_parameters_change", _("Article 6 year parameters change")
    ARTICLE6_FIGURES_CHANGE = "article6_figures_change", _("Article 6 prior-period figures change")
    ARTICLE6_CEILING_CHANGE = "article6_ceiling_change", _("Article 6 ceiling change")


class AuditTrailIsAppendOnly(RuntimeError):
    """An audit entry was to be changed or deleted: the trail only grows."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly("audit entries are never changed")

    def delete(self):
        raise AuditTrailIsAppendOnly("audit entries are never deleted")


class AuditEntry(models.Model):
    """One security-relevant action (#14.6): who, when, from which address, what, before → after. Append-only:
    written by `helpdesk.audit.record` in the transaction of the change it describes; never changed or deleted.

    The actor and the target are kept as text as well as by reference, so an entry still says who and what after
    the user or the object is gone (the actor's reference is not a database constraint, and stays as it was)."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True, editable=False)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        editable=False,
    )
    actor_label = models.CharField(_("by (as it was)"), max_length=300, blank=True, editable=False)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True, editable=False)
    target_type = models.CharField(_("object type"), max_length=100, blank=True, editable=False)
    target_id = models.CharField(_("object id"), max_length=64, blank=True, editable=False)
    target_label = models.CharField(_("object"), max_length=300, blank=True, editable=False)
    before = models.JSONField(_("before"), default=dict, blank=True, encoder=DjangoJSONEncoder, editable=False)
    after = models.JSONField(_("after"), default=dict, blank=True, encoder=DjangoJSONEncoder, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)  # nobody can be given the right to add, change or delete one
        indexes = [
            models.Index(fields=["action", "-at"], name="audit_action_at"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.actor_label or '—'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("audit entries are never deleted")
