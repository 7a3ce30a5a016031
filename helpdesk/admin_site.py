"""The admin in the active language (#13), once for every model admin, ours and third-party alike.

`HelpdeskAdminSite` is the project's `admin.site` (`helpdesk.apps.HelpdeskAdminConfig` replaces
`django.contrib.admin` in INSTALLED_APPS). On Persian pages:

- every date and time the admin shows (changelist cells, read-only fields, the history page) is Jalali, in Tehran
  time (`helpdesk.l10n.format_date` / `format_datetime`): Django's `display_for_field` and `display_for_value`, which
  the changelist and the read-only fields call, are wrapped once (`install_display`);
- every date and datetime input is a Jalali field (`helpdesk.forms.JalaliDateField` / `JalaliDateTimeField`) with the
  vendored Jalali picker (templates/admin/base_site.html, `static/js/admin.js`), and every whole-number, decimal and
  time-of-day input a `LocalizedIntegerField`, `LocalizedDecimalField`, `LocalizedTimeField`: Persian, Arabic and
  Latin digits are accepted;
- the date hierarchy and date list filters are Jalali («this month» is this Jalali month);
- every digit the reader sees is Persian (`helpdesk.l10n.digits_in_html` on the rendered page: numbers, counts,
  validator messages «…مساوی ۵»), while the values a form sends back (attributes, textareas) keep their digits;
- permissions read «Can add customer» in the active language.

In English the admin is Django's own: Gregorian dates and its calendar widgets. `register()` puts
`PersianAdminMixin` in front of every ModelAdmin class it is given, and that mixin `PersianFormfieldsMixin` in front
of each of its inlines.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers, utils
from django.contrib.admin import widgets as admin_widgets
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import jalali
from .forms import (
    JalaliDateField,
    JalaliDateTimeField,
    LocalizedDecimalField,
    LocalizedIntegerField,
    LocalizedTimeField,
)
from .l10n import TEHRAN, digits_in_html, format_date, format_datetime, use_persian_digits
from .widgets import (
    JalaliDateInput,
    JalaliDateTimeInput,
    LocalizedDecimalInput,
    LocalizedNumberInput,
    LocalizedTimeInput,
)

# Django's built-in permissions, «Can add customer», in the active language.
PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


# Dates shown ----------------------------------------------------------------------------------------------------


def _jalali_display(value: object) -> str | None:
    """A date or datetime as the Persian admin shows it, or None for anything else (and in English)."""
    if not use_persian_digits():
        return None
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return format_date(value)
    return None


def install_display() -> None:
    """Wrap Django's admin display functions where the changelist (`admin_list`) and the read-only fields
    (`helpers`) call them, so that dates and times are Jalali on Persian pages. Idempotent."""
    if getattr(admin_list.display_for_field, "jalali", False):  # type: ignore[attr-defined]
        return
    django_field, django_value = utils.display_for_field, utils.display_for_value

    @wraps(django_field)
    def display_for_field(value, field, empty_value_display, avoid_link=False):
        if isinstance(field, (models.DateField, models.DateTimeField)) and not getattr(field, "flatchoices", None):
            shown = _jalali_display(value)
            if shown is not None:
                return shown
        return django_field(value, field, empty_value_display, avoid_link)

    @wraps(django_value)
    def display_for_value(value, empty_value_display, boolean=False):
        shown = None if boolean else _jalali_display(value)
        return django_value(value, empty_value_display, boolean) if shown is None else shown

    display_for_field.jalali = display_for_value.jalali = True  # type: ignore[attr-defined]
    for module in (admin_list, helpers):
        module.display_for_field = display_for_field  # type: ignore[attr-defined]
    admin_list.display_for_value = display_for_value  # type: ignore[attr-defined]


# Date filters ---------------------------------------------------------------------------------------------------


class JalaliDateFieldListFilter(admin.DateFieldListFilter):
    """Django's date filter with «this month» and «this year» as the Jalali month and year (in Tehran)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        is_moment = isinstance(field, models.DateTimeField)

        def bound(day: dt.date) -> dt.date | dt.datetime:
            return dt.datetime.combine(day, dt.time(), tzinfo=TEHRAN) if is_moment else day

        # Django's own bounds for this Gregorian month and year (as DateFieldListFilter computes them) ...
        now = timezone.localtime()
        today = now.replace(hour=0, minute=0, second=0, microsecond=0) if is_moment else now.date()
        next_month = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        gregorian_month = (today.replace(day=1), next_month)
        gregorian_year = (today.replace(month=1, day=1), today.replace(year=today.year + 1, month=1, day=1))
        # ... become the Jalali month's and year's.
        jtoday = jalali.today()
        month_start, month_end = jalali.month_range(jtoday.year, jtoday.month)
        year_start, year_end = jalali.to_gregorian(jtoday.year, 1, 1), jalali.month_last_day(jtoday.year, 12)
        one_day = dt.timedelta(days=1)
        jalali_bounds = {
            gregorian_month: (bound(month_start), bound(month_end + one_day)),
            gregorian_year: (bound(year_start), bound(year_end + one_day)),
        }
        links = []
        for title, lookups in self.links:
            key = (lookups.get(self.lookup_kwarg_since), lookups.get(self.lookup_kwarg_until))
            if key in jalali_bounds:
                since, until = jalali_bounds[key]
                lookups = {self.lookup_kwarg_since: since, self.lookup_kwarg_until: until}
            links.append((title, lookups))
        self.links = tuple(links)


class _NoDateHierarchy(ChangeList):
    """The changelist without Django's Gregorian date hierarchy (a Jalali date filter takes its place)."""

    def __init__(self, request, model, list_display, list_display_links, list_filter, date_hierarchy, *args):
        super().__init__(request, model, list_display, list_display_links, list_filter, None, *args)


# Inputs ---------------------------------------------------------------------------------------------------------


def _replace(formfield: forms.Field, field_class: type[forms.Field], widget: forms.Widget, **kwargs) -> forms.Field:
    return field_class(
        required=formfield.required,
        label=formfield.label,
        help_text=formfield.help_text,
        initial=formfield.initial,
        disabled=formfield.disabled,
        widget=widget,
        **kwargs,
    )


# Django's own inputs (the admin's and the plain ones), which the Persian admin replaces; a widget an admin class or
# its form chose is kept.
_DEFAULT_WIDGETS = {
    forms.SplitDateTimeField: (admin_widgets.AdminSplitDateTime, forms.SplitDateTimeWidget),
    forms.DateTimeField: (forms.DateTimeInput,),
    forms.DateField: (admin_widgets.AdminDateWidget, forms.DateInput),
    forms.IntegerField: (
        admin_widgets.AdminIntegerFieldWidget,
        admin_widgets.AdminBigIntegerFieldWidget,
        forms.NumberInput,
    ),
    forms.DecimalField: (forms.NumberInput,),
    forms.TimeField: (admin_widgets.AdminTimeWidget, forms.TimeInput),
}


def persian_formfield(db_field: models.Field, formfield: forms.Field | None) -> forms.Field | None:
    """The Persian admin's input for a model field whose admin input is Django's default: Jalali dates and times
    with the picker; whole numbers, decimals and times of day in any digits. Anything else (choices, relations,
    custom fields and widgets) is kept."""
    if formfield is None or not use_persian_digits():
        return formfield
    kind = type(formfield)
    if type(formfield.widget) not in _DEFAULT_WIDGETS.get(kind, ()):
        return formfield
    if isinstance(db_field, models.DateTimeField) and kind in (forms.SplitDateTimeField, forms.DateTimeField):
        return _replace(formfield, JalaliDateTimeField, JalaliDateTimeInput(attrs={"data-jdp": ""}))
    if isinstance(db_field, models.DateField) and kind is forms.DateField:
        return _replace(formfield, JalaliDateField, JalaliDateInput())
    if kind is forms.TimeField:
        return _replace(formfield, LocalizedTimeField, LocalizedTimeInput())
    if kind is forms.DecimalField:
        decimal = formfield
        assert isinstance(decimal, forms.DecimalField)
        return _replace(
            decimal,
            LocalizedDecimalField,
            LocalizedDecimalInput(),
            max_digits=decimal.max_digits,
            decimal_places=decimal.decimal_places,
            min_value=decimal.min_value,
            max_value=decimal.max_value,
        )
    if kind is forms.IntegerField:
        integer = formfield
        assert isinstance(integer, forms.IntegerField)
        return _replace(
            integer,
            LocalizedIntegerField,
            LocalizedNumberInput(grouping=False),
            min_value=integer.min_value,
            max_value=integer.max_value,
        )
    return formfield


def permission_label(permission) -> str:
    """«حساب‌های کاربری | مشتری | امکان افزودن مشتری»: a built-in permission in the active language."""
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    if (
        model is not None
        and action in PERMISSION_ACTIONS
        and permission.codename == f"{action}_{model._meta.model_name}"
    ):
        name = str(PERMISSION_ACTIONS[action]) % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    return f"{permission.content_type} | {name}"


# The admin ------------------------------------------------------------------------------------------------------


class PersianFormfieldsMixin:
    """The inputs of a model admin or an inline in the active language (`persian_formfield`, `permission_label`)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return persian_formfield(db_field, super().formfield_for_dbfield(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and db_field.remote_field.model._meta.label == "auth.Permission":
            formfield.label_from_instance = permission_label
        return formfield


def persian(admin_class: type) -> type:
    """`admin_class` with the Persian inputs in front (ModelAdmin: `PersianAdminMixin`; inline:
    `PersianFormfieldsMixin`), made once per class."""
    mixin = PersianAdminMixin if issubclass(admin_class, admin.ModelAdmin) else PersianFormfieldsMixin
    if issubclass(admin_class, mixin):
        return admin_class
    if admin_class not in _PERSIAN:
        _PERSIAN[admin_class] = type(admin_class.__name__, (mixin, admin_class), {"__module__": admin_class.__module__})
    return _PERSIAN[admin_class]


_PERSIAN: dict[type, type] = {}


class PersianAdminMixin(PersianFormfieldsMixin):
    """Put in front of every ModelAdmin by `HelpdeskAdminSite.register()` (and `PersianFormfieldsMixin` in front of
    its inlines); changes nothing in English."""

    date_hierarchy: str | None

    def get_inlines(self, request, obj):
        return [persian(inline) for inline in super().get_inlines(request, obj)]

    def get_action_choices(self, request, default_choices=models.BLANK_CHOICE_DASH):
        # An app may name its action in a literal (django-taggit): translate it here (helpdesk/django_catalogue.py).
        choices = super().get_action_choices(request, default_choices)
        return [(name, gettext(str(description))) for name, description in choices]

    def get_list_filter(self, request):
        list_filter = super().get_list_filter(request)
        if not use_persian_digits():
            return list_filter
        model = self.model
        jalali_filters = [(self.date_hierarchy, JalaliDateFieldListFilter)] if self.date_hierarchy else []
        for entry in list_filter:
            if isinstance(entry, str) and "__" not in entry:
                field = model._meta.get_field(entry)
                if isinstance(field, models.DateField):  # DateTimeField too
                    entry = (entry, JalaliDateFieldListFilter)
            if not (self.date_hierarchy and isinstance(entry, tuple) and entry[0] == self.date_hierarchy):
                jalali_filters.append(entry)
        return jalali_filters

    def get_changelist(self, request, **kwargs):
        if self.date_hierarchy and use_persian_digits():
            return _NoDateHierarchy
        return super().get_changelist(request, **kwargs)


def _persian_digits(response: TemplateResponse) -> None:
    if use_persian_digits():
        response.content = digits_in_html(response.content.decode(response.charset)).encode(response.charset)


class HelpdeskAdminSite(admin.AdminSite):
    """Django's admin site, with `PersianAdminMixin` on every model admin and Persian digits on every page.

    The login page is an extension point: an upper layer (accounts, with its two-step sign-in) registers its view
    with `register_login_view()`; until one does, Django's own login page is served."""

    login_view = None

    def register_login_view(self, view) -> None:
        """Serve `view(request, extra_context=None)` as this site's login page."""
        self.login_view = view

    def login(self, request, extra_context=None):
        if self.login_view is not None:
            return self.login_view(request, extra_context)
        return super().login(request, extra_context)

    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, persian(admin_class or admin.ModelAdmin), **options)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def localized(request, *args, **kwargs):
            response = inner(request, *args, **kwargs)
            if isinstance(response, TemplateResponse):
                response.add_post_render_callback(_persian_digits)
            return response

        return localized


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model whose rows are written by services only: the admin shows them, and adds, changes or deletes
    nothing (the audit trail, Article 6 ceilings and requests, the knowledge base's reports)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
