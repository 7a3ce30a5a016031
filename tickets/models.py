"""Tickets: departments, types, priorities, tickets, the thread, attachments, the typed timeline,
canned responses and saved queue filters.

State changes go through `tickets.services`; who sees what is `tickets.permissions`. Models hold data,
invariants (constraints) and small read helpers only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from tickets import sla

from .uploads import attachment_upload_to

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

validate_hex_colour = RegexValidator(
    r"^#[0-9A-Fa-f]{6}$", _("Enter a colour as # followed by six hexadecimal digits, e.g. #1E88E5.")
)


class Department(models.Model):
    """An organisational group that receives tickets (F16). Public departments are offered to customers (G3)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Customers may choose this department when filing a ticket.")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="departments", blank=True
    )
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("supervisors"), related_name="supervised_departments", blank=True
    )
    inbound_email = models.EmailField(
        _("inbound email address"), blank=True, help_text=_("Mail sent to this address becomes a ticket here.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    csat_enabled = models.BooleanField(
        _("ask for satisfaction ratings"),
        default=True,
        help_text=_("When a ticket is resolved, its customer is asked to rate the answer from 1 to 5."),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["inbound_email"], condition=~Q(inbound_email=""), name="department_inbound_email_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PriorityQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def default(self) -> Priority | None:
        """The priority a ticket gets when neither the caller nor its type names one."""
        return self.active().filter(is_default=True).first() or self.active().order_by("order").first()


class Priority(models.Model):
    """A ticket priority (F10). `order`: smaller is less urgent. SLA targets attach here later."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0, help_text=_("Higher numbers are more urgent."))
    colour = models.CharField(_("colour"), max_length=7, default="#6C757D", validators=[validate_hex_colour])
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = PriorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="priority_one_default"),
        ]

    def __str__(self) -> str:
        return self.name


class TicketType(models.Model):
    """A kind of ticket (F09) with its defaults. `code` is a stable handle for code (e.g. the limits app's type)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.SlugField(
        _("code"), max_length=50, blank=True, help_text=_("Optional fixed identifier used by the software.")
    )
    default_department = models.ForeignKey(
        Department,
        verbose_name=_("default department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    default_priority = models.ForeignKey(
        Priority,
        verbose_name=_("default priority"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attachment_required = models.BooleanField(_("attachment required"), default=False)
    description_template = models.TextField(
        _("description template"), blank=True, help_text=_("Shown to the customer as a starting text for the ticket.")
    )
    is_public = models.BooleanField(_("public"), default=True, help_text=_("Customers may choose this type."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="tickettype_code_unique")]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for customer")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# The workflow (F12). Closed is final; a resolved ticket is reopened to "open".
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.WAITING, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED}),
    Status.OPEN: frozenset({Status.WAITING, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED}),
    Status.WAITING: frozenset({Status.OPEN, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED}),
    Status.ON_HOLD: frozenset({Status.OPEN, Status.WAITING, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
# Statuses in which a ticket still needs work (the queue's default view).
ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING, Status.ON_HOLD)
# Statuses in which the SLA clock runs; waiting for the customer, on hold and resolved pause it (tickets.sla).
SLA_RUNNING = (Status.NEW.value, Status.OPEN.value)
SLA_PAUSED = (Status.WAITING.value, Status.ON_HOLD.value, Status.RESOLVED.value)


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    STAFF = "staff", _("Staff")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class TaggedTicket(TaggedItemBase):
    """Tag links with a real foreign key (faster joins than taggit's generic relation)."""

    content_object = models.ForeignKey("Ticket", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("ticket tag")
        verbose_name_plural = _("ticket tags")
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="taggedticket_unique")]


class TicketQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser | None) -> models.QuerySet[Ticket]:
        """The tickets `user` may see (see `tickets.permissions.visible_tickets`)."""
        from .permissions import visible_tickets

        return visible_tickets(user, queryset=self)

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)


class Ticket(models.Model):
    Status = Status
    Channel = Channel

    reference = models.CharField(_("reference"), max_length=12, unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requested_tickets",
        help_text=_("Empty for internal tickets between staff."),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="tickets"
    )
    type = models.ForeignKey(
        TicketType, verbose_name=_("type"), on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    priority = models.ForeignKey(
        Priority, verbose_name=_("priority"), on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    tags = TaggableManager(verbose_name=_("tags"), through=TaggedTicket, blank=True)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # SLA bookkeeping (tickets.sla, tickets.services.sla). The moments are derived from created_at, the policy
    # and the business time spent paused; the *_warned_at / *_breached_at marks are set once by the scan.
    sla_policy = models.ForeignKey(
        "tickets.SLAPolicy",
        verbose_name=_("SLA policy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sla_paused_at = models.DateTimeField(_("SLA clock paused at"), null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(_("SLA business seconds paused"), default=0)
    first_response_warn_at = models.DateTimeField(_("first response warning at"), null=True, blank=True)
    first_response_warned_at = models.DateTimeField(_("first response warned"), null=True, blank=True)
    first_response_breached_at = models.DateTimeField(_("first response breached"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(_("resolution warning at"), null=True, blank=True)
    resolution_warned_at = models.DateTimeField(_("resolution warned"), null=True, blank=True)
    resolution_breached_at = models.DateTimeField(_("resolution breached"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalate_at = models.DateTimeField(_("next escalation at"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    is_internal = models.BooleanField(
        _("internal"), default=False, help_text=_("Between staff only; never shown to customers.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_tickets",
    )
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("followers"), related_name="followed_tickets", blank=True
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    # How long the first response and the resolution took, written by the ticket services when they happen
    # (tickets.services.sla.sla_times_*): wall-clock seconds, and business seconds on the SLA calendar without
    # the time the clock was paused (waiting for the customer, on hold). Reports aggregate these plain numbers.
    first_response_seconds = models.PositiveIntegerField(_("first response time (seconds)"), null=True, blank=True)
    first_response_business_seconds = models.PositiveIntegerField(
        _("first response time (business seconds)"), null=True, blank=True
    )
    resolution_seconds = models.PositiveIntegerField(_("resolution time (seconds)"), null=True, blank=True)
    resolution_business_seconds = models.PositiveIntegerField(
        _("resolution time (business seconds)"), null=True, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    # Normalised (helpdesk.persian.normalize) reference, subject, public message bodies and the requester's
    # name, email and mobile. Maintained by the services; indexed by `tickets.search` (a stored tsvector column with
    # a GIN index on PostgreSQL, an FTS5 table kept in step by triggers on SQLite; migration 0007_search_index).
    search_document = models.TextField(_("search text"), blank=True, editable=False)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-is_pinned", "-last_activity_at"]
        indexes = [
            models.Index(fields=["status"], name="ticket_status"),
            models.Index(fields=["channel"], name="ticket_channel"),
            models.Index(fields=["is_pinned"], name="ticket_pinned"),
            models.Index(fields=["created_at"], name="ticket_created"),
            models.Index(fields=["resolved_at"], name="ticket_resolved"),
            models.Index(fields=["last_activity_at"], name="ticket_activity"),
            models.Index(fields=["resolution_due"], name="ticket_resolution_due"),
            models.Index(fields=["first_response_due"], name="ticket_first_response_due"),
            # The queue: pinned first, then the chosen sort.
            models.Index(fields=["-is_pinned", "-last_activity_at"], name="ticket_q_pin_activity"),
            models.Index(fields=["-is_pinned", "-created_at"], name="ticket_q_pin_created"),
            models.Index(fields=["-is_pinned", "resolution_due"], name="ticket_q_pin_due"),
            models.Index(fields=["department", "status"], name="ticket_dept_status"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            # The reports (`reports.selectors`): the first-response and resolution times of a range (percentiles,
            # overall, per agent or per channel; handled and reopened per agent) and the tickets open now, each read
            # from its index alone (the ticket rows are wide: search text). Each holds every column its queries
            # read, `merged_into` too (SQLite reads a partial index's condition from the row).
            models.Index(
                fields=[
                    "created_at",
                    "department",
                    "assignee",
                    "channel",
                    "first_response_business_seconds",
                    "first_response_seconds",
                    "merged_into",
                ],
                name="ticket_report_fr",
            ),
            models.Index(
                fields=[
                    "resolved_at",
                    "department",
                    "assignee",
                    "channel",
                    "resolution_business_seconds",
                    "resolution_seconds",
                    "reopen_count",
                    "merged_into",
                ],
                name="ticket_report_res",
            ),
            models.Index(fields=["status", "department", "priority", "merged_into"], name="ticket_report_open"),
            # Rows that point at a ticket (ratings, replies, status events) joined to it for the reports' scope.
            models.Index(fields=["id", "merged_into", "department", "assignee"], name="ticket_report_scope"),
            # The SLA scan (tickets.services.sla.sla_scan): partial indexes over running tickets not yet marked,
            # so each minute's queries touch only the tickets that are due.
            models.Index(
                fields=["first_response_warn_at"],
                condition=Q(
                    status__in=SLA_RUNNING, first_response_at__isnull=True, first_response_warned_at__isnull=True
                ),
                name="ticket_sla_fr_warn",
            ),
            models.Index(
                fields=["first_response_due"],
                condition=Q(
                    status__in=SLA_RUNNING, first_response_at__isnull=True, first_response_breached_at__isnull=True
                ),
                name="ticket_sla_fr_breach",
            ),
            models.Index(
                fields=["resolution_warn_at"],
                condition=Q(status__in=SLA_RUNNING, resolution_warned_at__isnull=True),
                name="ticket_sla_res_warn",
            ),
            models.Index(
                fields=["resolution_due"],
                condition=Q(status__in=SLA_RUNNING, resolution_breached_at__isnull=True),
                name="ticket_sla_res_breach",
            ),
            models.Index(
                fields=["escalate_at"],
                condition=Q(status__in=SLA_RUNNING, escalation_level=1),
                name="ticket_sla_level2",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="ticket_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="ticket_channel_valid"),
            models.CheckConstraint(
                condition=~Q(status=Status.CLOSED) | Q(closed_at__isnull=False), name="ticket_closed_has_closed_at"
            ),
            models.CheckConstraint(
                condition=Q(is_internal=True) | Q(requester__isnull=False), name="ticket_customer_has_requester"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.reference} {self.subject}"

    def can_transition_to(self, status: str) -> bool:
        return status in ALLOWED_TRANSITIONS.get(self.status, frozenset())

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_overdue(self) -> bool:
        """A deadline has passed while the ticket still needs work (`tickets.filters.overdue_q`'s rule)."""
        return sla.is_overdue(self)

    # What the ticket page shows of the tags and the followers, read once an instance with one plain query each
    # (taggit's and Django's prefetch machinery cost three times that). Not refreshed when a service changes them:
    # the pages load the ticket again before they render it.
    @cached_property
    def tag_names(self) -> list[str]:
        return list(self.tagged_items.order_by("tag__name").values_list("tag__name", flat=True))

    @cached_property
    def follower_list(self) -> list[User]:
        """The followers, their id and name only."""
        return list(self.followers.only("pk", "full_name"))

    def is_followed_by(self, user: User) -> bool:
        return any(follower.pk == user.pk for follower in self.follower_list)


class SatisfactionRating(models.Model):
    """The customer's rating of a resolved ticket (CSAT): 1–5 and an optional comment, given through the signed
    link of the "resolved" notification (`tickets.csat`). One per ticket; `resolved_at` is the resolution it rates
    (a reopened and resolved-again ticket is asked again and the new answer replaces the old one)."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="satisfaction"
    )
    score = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True)
    resolved_at = models.DateTimeField(_("resolution rated"))
    created_at = models.DateTimeField(_("rated"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="rating_created")]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="rating_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"


class Message(models.Model):
    """One entry of the thread: a public reply or an internal note (`is_internal`, never shown to customers).

    The body is Markdown; `body_html` is its sanitised HTML, rendered once when the message is written
    (`tickets.services._common.message_create`), and shown with `message.html`. When the renderer or the sanitiser
    changes, `manage.py rebuild_message_html` renders every stored message again.
    """

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ticket_messages",
    )
    body = models.TextField(_("text"))
    body_html = models.TextField(_("text as HTML"), blank=True, editable=False)
    is_internal = models.BooleanField(_("internal note"), default=False)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # RFC 5322 Message-ID of the email this message came in as / went out as (email threading).
    message_id = models.CharField(_("email message ID"), max_length=255, unique=True, null=True, blank=True)
    # Came by email from a sender whose authentication (DMARC/DKIM) did not pass: the From address may be forged.
    # Shown to staff beside the message; email-in sets it (inbound.services).
    sender_unverified = models.BooleanField(_("unverified sender"), default=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_created"),
            # Replies per agent in a period (`reports.selectors.agent_work`), read from the index alone.
            models.Index(fields=["created_at", "author", "is_internal", "ticket"], name="message_report_replies"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.pk}"

    @property
    def html(self) -> SafeString:
        return mark_safe(self.body_html)  # noqa: S308 - rendered by helpdesk.markdown (sanitised) when written


class Attachment(models.Model):
    """A file on a message, stored under a random name; served only by a permission-checked view.

    `inline_safe`: the file may be shown inline (images, PDF); anything else is sent as a download.
    """

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    inline_safe = models.BooleanField(_("safe to show inline"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class TicketEvent(models.Model):
    """A typed entry of the ticket's timeline (B2, G2). `kind` is a key of the `tickets.events` registry;
    `data` holds the kind's payload (ids and display names at the time, so the timeline needs no joins)."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system did it."),
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The outbox rows the event caused (`Notification.objects.filter(event=…)`); deleted with it.
    notifications = GenericRelation(
        "notifications.Notification",
        content_type_field="source_type",
        object_id_field="source_id",
        related_query_name="event",
    )

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_created"),
            models.Index(fields=["kind", "created_at"], name="event_kind_created"),
        ]

    def __str__(self) -> str:
        from .events import label  # the events module reads these models

        return f"{self.ticket_id}: {label(self.kind)}"

    @property
    def label(self) -> str:
        from .events import label

        return label(self.kind)

    @property
    def description(self) -> str:
        from .events import describe

        return describe(self)

    @property
    def is_public(self) -> bool:
        from .events import is_public

        return is_public(self.kind)


class CannedResponseQuerySet(models.QuerySet):
    def available_to(self, user: User, department: Department | None = None):
        """Active responses `user` may use: global ones, their departments' (or `department`'s) and their own."""
        scope = CannedResponse.Scope
        if not getattr(user, "is_authenticated", False) or not user.is_employee:
            return self.none()
        if department is not None:
            dept_q = Q(scope=scope.DEPARTMENT, department=department)
        elif user.sees_all_departments:
            dept_q = Q(scope=scope.DEPARTMENT)
        else:
            dept_q = Q(scope=scope.DEPARTMENT, department__in=user.departments.all()) | Q(
                scope=scope.DEPARTMENT, department__in=user.supervised_departments.all()
            )
        return self.filter(is_active=True).filter(Q(scope=scope.GLOBAL) | dept_q | Q(scope=scope.PERSONAL, owner=user))


class CannedResponse(models.Model):
    """A predefined answer (F03). Placeholders: {customer_name}, {ticket_reference}, {agent_name}, {department}."""

    class Scope(models.TextChoices):
        GLOBAL = "global", _("Everyone")
        DEPARTMENT = "department", _("A department")
        PERSONAL = "personal", _("Personal")

    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(
        _("text"),
        help_text=_("Markdown. Placeholders: {customer_name}, {ticket_reference}, {agent_name}, {department}."),
    )
    scope = models.CharField(_("available to"), max_length=10, choices=Scope.choices, default=Scope.GLOBAL)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CannedResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(scope="department") | Q(department__isnull=False), name="canned_department_scope"
            ),
            models.CheckConstraint(
                condition=~Q(scope="personal") | Q(owner__isnull=False), name="canned_personal_scope"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.scope == self.Scope.DEPARTMENT and not self.department_id:
            raise ValidationError(
                {"department": ValidationError(_("Choose the department this response belongs to."), code="required")}
            )
        if self.scope == self.Scope.PERSONAL and not self.owner_id:
            raise ValidationError(
                {"owner": ValidationError(_("Choose the person this response belongs to."), code="required")}
            )


class SavedFilter(models.Model):
    """A queue filter an agent saved under a name (the query string of the queue page)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("name"), max_length=80)
    querystring = models.TextField(_("query string"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="savedfilter_owner_name_unique")]

    def __str__(self) -> str:
        return self.name


# SLA configuration models live in their own module (kept small); importing them here registers them.
from .sla_models import BusinessHours, Holiday, SLAPolicy, Weekday  # noqa: E402, F401
