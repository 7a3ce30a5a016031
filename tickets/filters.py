"""The agent queue's filters (F06, F18) as one `django_filters.FilterSet`.

Every filter keeps the queryset free of row-multiplying joins (tags, followers and requesters are matched
with `pk__in` subqueries), so the queue can be paginated and counted without DISTINCT. The sort always puts
pinned tickets first (F13) and is served by the `ticket_q_pin_*` indexes for activity, created and due.
"""

from __future__ import annotations

import builtins
import contextlib
import copy
import datetime as dt
import re
from typing import ClassVar

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from helpdesk.forms import DigitsCharField, JalaliDateField
from helpdesk.l10n import TEHRAN
from helpdesk.persian import normalize, to_latin_digits
from helpdesk.validators import normalize_mobile

from . import permissions
from .models import ACTIVE_STATUSES, Channel, Priority, Status, TaggedTicket, Ticket, TicketType
from .search import SearchMatch, matching_ids

# Status pseudo-values: the queue opens on the tickets that still need work.
STATUS_ACTIVE = "active"
STATUS_ANY = "any"

ASSIGNEE_ME = "me"
ASSIGNEE_NONE = "none"

VIEW_MINE = "mine"
VIEW_UNASSIGNED = "unassigned"
VIEW_OVERDUE = "overdue"
VIEW_DUE_SOON = "due_soon"
VIEW_MY_DEPARTMENTS = "departments"
VIEW_ALL = "all"

# "Due soon": the next deadline (first response while unanswered, else resolution) falls within this window.
DUE_SOON_WINDOW = dt.timedelta(hours=2)

SORT_ACTIVITY = "activity"
SORT_PRIORITY = "priority"
SORT_DUE = "due"
SORT_CREATED = "created"
SORTS = {
    SORT_ACTIVITY: ("-is_pinned", "-last_activity_at"),
    SORT_PRIORITY: ("-is_pinned", F("priority__order").desc(nulls_last=True), "-last_activity_at"),
    SORT_DUE: ("-is_pinned", F("resolution_due").asc(nulls_last=True), "-last_activity_at"),
    SORT_CREATED: ("-is_pinned", "-created_at"),
}

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
# Letters and digits of any script; everything else separates search terms (and can't reach to_tsquery).
_TERM = re.compile(r"[\w@.+-]+", re.UNICODE)
_WORD = re.compile(r"[^\W_]", re.UNICODE)


def search_terms(text: str) -> list[str]:
    """The normalised words of a search («كتاب ۱۲۳» → ["کتاب", "123"]), at most `MAX_TERMS`.

    A "word" without a letter or digit («_», «@») is dropped: neither index holds it.
    """
    terms = []
    for term in _TERM.findall(normalize(str(text or "")[:MAX_QUERY_LENGTH])):
        term = term.strip(".-+")
        if term and _WORD.search(term) and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


# Up to this many matches are fetched by id through the index first (see `search_tickets`).
SEARCH_IDS_CAP = 2000


def search_tickets(queryset: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """`queryset` narrowed to the tickets whose search text has every word of `text` as a word prefix (Persian
    variants and digits folded), or whose reference is what was typed.

    One query asks the index (GIN on PostgreSQL, FTS5 on SQLite; `tickets.search.matching_ids`) for the matching
    ids within `queryset`, unordered, `SEARCH_IDS_CAP` + 1 of them at most. A rare word stops there: the page and
    its count go by that id list (sorting ≤ 2,000 rows). A common word — more ids than the cap — is then tested
    row by row (`SearchMatch(indexed=False)`) while the database walks the queue's sort index: a page of 25 is
    found after about 25 × rows / matches rows, and the capped count stops after `COUNT_CAP` matches. Nothing
    collects or sorts all the matches of a common word, whatever the size. Apply it after every other filter, so
    the probe counts only what the page can show; in the default view (the statuses that need work) PostgreSQL
    probes a GIN index of those tickets only (migration 0009; `docs/performance.md`: measurements).
    """
    from .references import parse_reference

    terms = search_terms(text)
    if not terms:
        return queryset
    reference = parse_reference(text)
    also = Q(reference=reference) if reference is not None else None
    ids = matching_ids(queryset, terms, also=also, limit=SEARCH_IDS_CAP + 1)
    if len(ids) <= SEARCH_IDS_CAP:
        return queryset.filter(pk__in=ids)
    match = Q(SearchMatch(terms, indexed=False))
    return queryset.filter(match if also is None else match | also)


class JalaliDateFilter(django_filters.Filter):
    """A date typed in the Jalali calendar (Persian or Latin digits); compared as a Tehran day.

    `lookup_expr="gte"`: from the start of that day; `"lte"`: up to the end of it (so «to 1403/12/30»
    includes the whole day).
    """

    field_class = JalaliDateField

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        start = dt.datetime.combine(value, dt.time(), tzinfo=TEHRAN)
        if self.lookup_expr == "lte":
            return qs.filter(**{f"{self.field_name}__lt": start + dt.timedelta(days=1)})
        return qs.filter(**{f"{self.field_name}__gte": start})


def overdue_q(now: dt.datetime) -> Q:
    """Needs work, its SLA clock runs and a deadline has passed: the resolution, or the first response while
    unanswered (the "Overdue" view, its counter and the SLA digest's link; `tickets.sla.is_overdue` is the same
    rule for one ticket). A paused ticket's deadlines move when it resumes, so it is not overdue meanwhile."""
    return Q(status__in=ACTIVE_STATUSES, sla_paused_at__isnull=True) & (
        Q(resolution_due__lt=now) | Q(first_response_at__isnull=True, first_response_due__lt=now)
    )


def due_soon_q(now: dt.datetime) -> Q:
    """A running ticket whose next deadline is within `DUE_SOON_WINDOW` and not yet passed."""
    soon = now + DUE_SOON_WINDOW
    return Q(status__in=ACTIVE_STATUSES, sla_paused_at__isnull=True) & (
        Q(resolution_due__gte=now, resolution_due__lte=soon)
        | Q(first_response_at__isnull=True, first_response_due__gte=now, first_response_due__lte=soon)
    )


def my_departments_q(user: User) -> Q:
    """Tickets of the departments `user` is a member or a supervisor of."""
    return Q(department__in=user.departments.values("pk")) | Q(department__in=user.supervised_departments.values("pk"))


def _user_label(user: User) -> str:
    return user.full_name or str(user)


def _filter_copy(base: django_filters.Filter) -> django_filters.Filter:
    """A shallow copy of a declared filter for one filter set (see `TicketFilter.__init__`)."""
    copied = copy.copy(base)
    if base.method is not None:
        copied.method = base.method  # a new FilterMethod that calls the copy's parent, not the declared filter's
    return copied


def typed_id(value: object) -> int | None:
    """An id as the filters take it, typed in any digits («۱۲», «12»), or None. Only ASCII digits once folded:
    «²» is a digit to `str.isdigit` and not to `int`."""
    latin = to_latin_digits(value)
    return int(latin) if latin.isascii() and latin.isdigit() else None


def organisation_lookup(value: str) -> dict[str, object]:
    """An organisation filter as typed (the queue's, the reports'), as a lookup on tickets: an id in any digits, or
    the organisations whose name contains `value` (a subquery, no query of its own)."""
    if (pk := typed_id(value)) is not None:
        return {"organisation_id": pk}
    return {"organisation__in": Organisation.objects.filter(name__icontains=value).values("pk")}


class _ListedFilter(django_filters.CharFilter):
    """A department, type or priority by id, in any digits, as the form lists them (`QueueFilterForm.LISTED`)."""

    field_class = DigitsCharField


class QueueFilterForm(forms.Form):
    """The queue filter's form. Django deep-copies every field for each form (a tenth of the filter's CPU, 17
    fields with their widgets and querysets); a request changes only the choices of `view` and `assignee`
    (`TicketFilter.__init__`), so only those are copied, and the others, only ever read, are the class's own."""

    PER_REQUEST_FIELDS = ("view", "assignee")
    # The fields whose value is an id from one of the queue's cached lists (`selectors.queue_choices`, active rows
    # only), checked against that list rather than by a query each (`TicketFilter` hands the form the lists). A type
    # or priority since deactivated is still a filter (a saved filter's, a bookmark's), found by a query of its own;
    # a department must be active.
    LISTED: ClassVar[dict[str, tuple[str, type[models.Model] | None]]] = {
        "department": ("departments", None),
        "type": ("types", TicketType),
        "priority": ("priorities", Priority),
    }
    listed: dict | None = None

    def __init__(self, *args, **kwargs) -> None:
        shared = type(self).base_fields
        # `BaseForm.__init__` deep-copies `self.base_fields`: for its duration, an instance attribute with only the
        # fields to copy stands in front of the class's.
        self.__dict__["base_fields"] = {name: shared[name] for name in self.PER_REQUEST_FIELDS}
        super().__init__(*args, **kwargs)
        del self.__dict__["base_fields"]
        copied = self.fields
        self.fields = {name: copied.get(name, field) for name, field in shared.items()}

    def _clean_listed(self, name: str) -> str:
        value = self.cleaned_data.get(name) or ""
        assert self.listed is not None, "TicketFilter gives its form the choice lists"
        list_name, inactive_too = self.LISTED[name]
        if not value or value in {pk for pk, _label in self.listed[list_name]}:
            return value
        pk = typed_id(value)
        if not (inactive_too and pk is not None and inactive_too._default_manager.filter(pk=pk).exists()):
            raise ValidationError(
                forms.ModelChoiceField.default_error_messages["invalid_choice"], code="invalid_choice"
            )
        return value

    def clean_department(self) -> str:
        return self._clean_listed("department")

    def clean_type(self) -> str:
        return self._clean_listed("type")

    def clean_priority(self) -> str:
        return self._clean_listed("priority")


class TicketFilter(django_filters.FilterSet):
    """The queue's filter form. `request.user` decides what "me", "my departments" and "all" mean."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_noop",  # applied last, in `qs`: the search's probe sees every other filter
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Reference, subject, text, name, email…")}),
    )
    view = django_filters.ChoiceFilter(
        label=_("View"),
        method="filter_view",
        empty_label=_("Everything I can see"),
        choices=[
            (VIEW_MINE, _("Assigned to me")),
            (VIEW_UNASSIGNED, _("Unassigned")),
            (VIEW_OVERDUE, _("Overdue")),
            (VIEW_DUE_SOON, _("Due within 2 hours")),
            (VIEW_MY_DEPARTMENTS, _("My departments")),
            (VIEW_ALL, _("All tickets")),
        ],
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        method="filter_status",
        choices=[
            (STATUS_ACTIVE, _("Needs work (new, open, waiting, on hold)")),
            (STATUS_ANY, _("Any status")),
            *Status.choices,
        ],
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    department = _ListedFilter(label=_("Department"), widget=forms.Select)
    type = _ListedFilter(label=_("Type"), widget=forms.Select)
    priority = _ListedFilter(label=_("Priority"), widget=forms.Select)
    assignee = django_filters.CharFilter(label=_("Assignee"), method="filter_assignee", widget=forms.Select)
    tag = django_filters.CharFilter(label=_("Tag"), method="filter_tag", max_length=100)
    organisation = django_filters.CharFilter(
        label=_("Organisation"),
        method="filter_organisation",
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("Name of the organisation")}),
    )
    requester = django_filters.CharFilter(
        label=_("Requester"),
        method="filter_requester",
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("Name, email or mobile")}),
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices, empty_label=_("Any channel"))
    created_from = JalaliDateFilter(label=_("Created from"), field_name="created_at", lookup_expr="gte")
    created_to = JalaliDateFilter(label=_("Created to"), field_name="created_at", lookup_expr="lte")
    due_from = JalaliDateFilter(label=_("Due from"), field_name="resolution_due", lookup_expr="gte")
    due_to = JalaliDateFilter(label=_("Due to"), field_name="resolution_due", lookup_expr="lte")
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput)
    pinned = django_filters.BooleanFilter(label=_("Pinned only"), method="filter_pinned", widget=forms.CheckboxInput)
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="filter_noop",  # applied last, in `qs`, so it wraps every other filter
        empty_label=None,
        choices=[
            (SORT_ACTIVITY, _("Last activity")),
            (SORT_PRIORITY, _("Priority")),
            (SORT_DUE, _("Due date")),
            (SORT_CREATED, _("Created")),
        ],
    )

    class Meta:
        model = Ticket
        fields: list[str] = []
        form = QueueFilterForm

    _form_class: ClassVar[builtins.type[forms.Form]]  # see get_form_class (`type` is a filter here)

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, user: User | None = None):
        # `BaseFilterSet.__init__` without its deep copy of every filter (their choice lists, widgets and
        # querysets: a tenth of the queue's CPU). A request only reads its filters, so a shallow copy is enough;
        # each copy carries this filter set as its parent, and a `method=` filter is bound to its copy again.
        if queryset is None:
            queryset = Ticket.objects.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _filter_copy(base) for name, base in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self
        self.user = user if user is not None else getattr(self.request, "user", None)
        self._set_assignee_choices()
        if not (self.user is not None and permissions.sees_everything(self.user)):
            choices = [c for c in self.filters["view"].extra["choices"] if c[0] != VIEW_ALL]
            self.form.fields["view"].choices = [("", self.filters["view"].extra["empty_label"]), *choices]

    def get_form_class(self) -> builtins.type[forms.Form]:
        """The form class, built once a process: its fields depend on no request (their labels are lazy, their
        querysets unevaluated), and each form deep-copies them, so a request's changes stay its own."""
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    def _set_assignee_choices(self) -> None:
        from .selectors import queue_choices  # selectors builds on this module

        self.choices = queue_choices()  # read once a request: the queue's forms render the same lists
        self.form.listed = self.choices
        self.staff_choices = self.choices["staff"]
        self.form.fields["assignee"].widget.choices = [
            ("", _("Anyone")),
            (ASSIGNEE_ME, _("Me")),
            (ASSIGNEE_NONE, _("Unassigned")),
            (_("Agents"), self.staff_choices),
        ]

    # --- sort: pinned first, then the chosen order ---------------------------------------------------

    @property
    def sort_key(self) -> str:
        value = self.form.cleaned_data.get("sort") if hasattr(self.form, "cleaned_data") else None
        return value if value in SORTS else SORT_ACTIVITY

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            qs = super().qs
            if not self._status_given():
                qs = qs.filter(status__in=ACTIVE_STATUSES)
            qs = search_tickets(qs, getattr(self.form, "cleaned_data", {}).get("q") or "")
            self._qs = qs.order_by(*SORTS[self.sort_key])
        return self._qs

    def _status_given(self) -> bool:
        return bool(self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("status"))

    # --- methods --------------------------------------------------------------------------------------

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_view(self, queryset, name, value):
        user = self.user
        if value == VIEW_MINE:
            return queryset.filter(assignee=user)
        if value == VIEW_UNASSIGNED:
            return queryset.filter(assignee__isnull=True)
        if value == VIEW_OVERDUE:
            return self.filter_overdue(queryset, name, True)
        if value == VIEW_DUE_SOON:
            return queryset.filter(due_soon_q(timezone.now()))
        if value == VIEW_MY_DEPARTMENTS:
            return queryset.filter(my_departments_q(user))
        return queryset  # VIEW_ALL: everything visible (only offered to managers/admins)

    def filter_status(self, queryset, name, value):
        values = set(value or ())
        if not values or STATUS_ANY in values:
            return queryset
        statuses = {v for v in values if v in Status.values}
        if STATUS_ACTIVE in values:
            statuses |= set(ACTIVE_STATUSES)
        return queryset.filter(status__in=sorted(statuses))

    def filter_assignee(self, queryset, name, value):
        value = to_latin_digits(value or "").strip()
        if value == ASSIGNEE_ME:
            return queryset.filter(assignee=self.user)
        if value == ASSIGNEE_NONE:
            return queryset.filter(assignee__isnull=True)
        if (pk := typed_id(value)) is not None:
            return queryset.filter(assignee_id=pk)
        return queryset

    def filter_tag(self, queryset, name, value):
        names = [" ".join(n.split()) for n in str(value).replace("،", ",").split(",")]
        names = [n for n in names if n]
        if not names:
            return queryset
        match = Q()
        for tag_name in names:
            match |= Q(tag__name__iexact=tag_name) | Q(tag__slug=tag_name)
        return queryset.filter(pk__in=TaggedTicket.objects.filter(match).values("content_object_id"))

    def filter_organisation(self, queryset, name, value):
        value = " ".join(str(value).split())
        return queryset.filter(**organisation_lookup(value)) if value else queryset

    def filter_requester(self, queryset, name, value):
        value = " ".join(str(value).split())
        if not value:
            return queryset
        latin = to_latin_digits(value)
        if len(latin) < 9 and (pk := typed_id(latin)) is not None:
            return queryset.filter(requester_id=pk)
        users = Q(full_name__icontains=value)
        if "@" in value:
            users |= Q(email__iexact=value)
        with contextlib.suppress(ValidationError):  # not a mobile number: name/email only
            users |= Q(mobile=normalize_mobile(latin))
        return queryset.filter(requester__in=User.objects.filter(users).values("pk"))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(overdue_q(timezone.now()))

    def filter_pinned(self, queryset, name, value):
        return queryset.filter(is_pinned=True) if value else queryset
