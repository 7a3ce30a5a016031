"""The filters every report page takes from its URL (so a report can be shared and bookmarked): a Jalali date
range (a preset, or from/to dates), department, agent, priority, type, channel and organisation, and the size of
a chart's buckets. Choices are limited to what the viewer's scope holds; anything else is a clear form error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django import forms
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from helpdesk import jalali
from helpdesk.forms import JalaliDateField
from helpdesk.persian import to_latin_digits
from tickets.filters import organisation_lookup
from tickets.models import Channel
from tickets.options import options_html
from tickets.selectors import queue_choices

from . import periods
from .models import StatsState
from .permissions import Scope

MAX_DAYS = 731  # two years: a chart has at most ~730 daily rows
MSG_ORDER = _("The start of the range must not be after its end.")
MSG_TOO_LONG = _("Choose a range of at most two years (%(days)s days).")
MSG_START_MISSING = _("Give the start of the range too.")

FIELDS = ("preset", "start", "end", "department", "agent", "priority", "type", "channel", "organisation", "by")


class _Select(forms.Select):
    """A `<select>` whose options are built in Python (`tickets.options.options_html`): Django's widget renders a
    template per option, and the filters list every agent and organisation on every report page."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = {str(v) for v in self.format_value(value)}
        options = mark_safe(options_html(self.choices, chosen))  # noqa: S308 - options_html escapes every value
        return format_html(
            "<select{}>{}</select>", flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name})), options
        )


class ReportFilterForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Period"),
        choices=[("", _("The dates below, or the last 30 days")), *periods.PRESETS],
        required=False,
        widget=_Select,
    )
    start = JalaliDateField(label=_("From"), required=False)
    end = JalaliDateField(label=_("To"), required=False)
    department = forms.TypedChoiceField(
        label=_("Department"), coerce=int, required=False, empty_value=None, widget=_Select
    )
    agent = forms.TypedChoiceField(label=_("Agent"), coerce=int, required=False, empty_value=None, widget=_Select)
    priority = forms.TypedChoiceField(label=_("Priority"), coerce=int, required=False, empty_value=None, widget=_Select)
    type = forms.TypedChoiceField(label=_("Type"), coerce=int, required=False, empty_value=None, widget=_Select)
    channel = forms.ChoiceField(label=_("Channel"), required=False, widget=_Select)
    # A name (any part of it) or an id, as in the queue: a list of every organisation would not scale.
    organisation = forms.CharField(
        label=_("Organisation"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Name of the organisation")}),
    )
    by = forms.ChoiceField(label=_("Chart by"), required=False, widget=_Select)

    def __init__(self, data, *, scope: Scope):
        data = {key: _typed((data or {}).get(key, ""), key) for key in FIELDS}
        super().__init__(data)
        self.scope = scope
        choices = queue_choices()  # cached until a listed row changes (tickets.selectors)
        if scope.level == "all":
            departments = choices["departments"]
        else:
            allowed = {str(pk) for pk in scope.department_ids}
            departments = [(pk, name) for pk, name in choices["departments"] if pk in allowed]
        lists: dict[str, tuple[str | Promise, Sequence[tuple[object, str | Promise]]]] = {
            "department": (_("Any department"), departments),
            "agent": (_("Anyone"), [] if scope.is_agent else choices["staff"]),
            "priority": (_("Any priority"), choices["priorities"]),
            "type": (_("Any type"), choices["types"]),
        }
        lists["channel"] = (_("Any channel"), Channel.choices)
        lists["by"] = (_("Automatic"), periods.BUCKETS)
        for name, (empty, options) in lists.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", empty), *options]
        if scope.is_agent:
            del self.fields["agent"]
        for bound in self.fields.values():
            css = "form-select" if isinstance(bound, forms.ChoiceField) else "form-control"
            bound.widget.attrs.setdefault("class", css)

    def clean_organisation(self) -> str:
        return " ".join(self.cleaned_data["organisation"].split())

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if end and not start:
            raise forms.ValidationError(MSG_START_MISSING, code="start_missing")
        if start and end and start > end:
            raise forms.ValidationError(MSG_ORDER, code="order")
        if start and (end or jalali.today().togregorian()) - start > dt.timedelta(days=MAX_DAYS - 1):
            raise forms.ValidationError(MSG_TOO_LONG, code="too_long", params={"days": MAX_DAYS})
        return data


@dataclass(frozen=True)
class Filters:
    """What a report is about: the days (inclusive, Tehran) and the ticket attributes."""

    first: dt.date
    last: dt.date
    preset: str
    by: str
    dimensions: dict[str, object] = field(default_factory=dict)  # ticket field → value
    query: dict[str, str] = field(default_factory=dict)  # the URL parameters, as given
    # The last day the daily roll-up answers for (`reports.models.DailyTicketStat`); None: the live tables only.
    rolled: dt.date | None = None

    @property
    def start(self) -> dt.datetime:
        return periods.day_bounds(self.first, self.last)[0]

    @property
    def end(self) -> dt.datetime:
        return periods.day_bounds(self.first, self.last)[1]

    @cached_property
    def buckets(self) -> periods.Buckets:
        return periods.Buckets(self.first, self.last, self.by)

    def between(self, name: str) -> Q:
        """`name` (a datetime field, maybe through a relation) within the range."""
        return Q(**{f"{name}__gte": self.start, f"{name}__lt": self.end})

    def apply(self, queryset: QuerySet, prefix: str = "") -> QuerySet:
        """The ticket filters on a queryset of tickets (or of rows that point at one, with `prefix="ticket__"`)."""
        return queryset.filter(**{f"{prefix}{name}": value for name, value in self.dimensions.items()})

    @property
    def querystring(self) -> str:
        return urlencode({k: v for k, v in self.query.items() if v})


DIMENSIONS = {
    "department": "department_id",
    "agent": "assignee_id",
    "priority": "priority_id",
    "type": "type_id",
    "channel": "channel",
}


def _typed(value: str, key: str) -> str:
    """A parameter as typed, in Latin digits but for the organisation's name (names keep their own digits; the
    field strips it and `clean_organisation` folds its spaces)."""
    return value if key == "organisation" else to_latin_digits(value).strip()


def read_filters(form: ReportFilterForm) -> Filters | None:
    """The filters of a valid form (defaults: the last 30 days, buckets by the range's length); None if invalid."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    today = jalali.today().togregorian()
    if data.get("start"):
        first, last, preset = data["start"], data.get("end") or today, periods.CUSTOM
    else:
        preset = data.get("preset") or periods.DEFAULT_PRESET
        if preset == periods.CUSTOM:
            preset = periods.DEFAULT_PRESET
        first, last = periods.preset_range(preset, today)
    dimensions = {column: data[name] for name, column in DIMENSIONS.items() if data.get(name) not in (None, "")}
    if form.scope.is_agent:
        dimensions.pop("assignee_id", None)
    by = data.get("by") or periods.auto_bucket((last - first).days + 1)
    query = {name: form.data.get(name, "") for name in FIELDS}
    if data.get("organisation"):
        dimensions.update(organisation_lookup(data["organisation"]))
    # The roll-up has the ticket attributes of every filter but the organisation.
    rolled = None if data.get("organisation") else StatsState.current_through(today)
    return Filters(first=first, last=last, preset=preset, by=by, dimensions=dimensions, query=query, rolled=rolled)
