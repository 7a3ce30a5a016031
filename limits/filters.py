"""The staff list of increase requests: filters and sorting (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helpdesk.persian import clean_digits, normalize

from .models import IncreaseRequest, Quarter, State


class IncreaseRequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Taxpayer or economic code"), method="search")
    state = django_filters.MultipleChoiceFilter(label=_("State"), choices=State.choices)
    open = django_filters.BooleanFilter(label=_("Only open requests"), method="only_open")
    year = django_filters.NumberFilter(label=_("Year"))
    quarter = django_filters.ChoiceFilter(label=_("Quarter"), choices=Quarter.choices)
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("period_ends_at", "days_left"),
            ("created_at", "created"),
            ("amount", "amount"),
            ("state", "state"),
            ("taxpayer__name", "taxpayer"),
        ),
        field_labels={
            "period_ends_at": _("Days left in the period"),
            "created_at": _("Filed"),
            "amount": _("Requested amount"),
            "state": _("State"),
            "taxpayer__name": _("Taxpayer"),
        },
    )

    class Meta:
        model = IncreaseRequest
        fields = ["q", "state", "open", "year", "quarter"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        digits = clean_digits(value)
        condition = Q(taxpayer__name__icontains=value) | Q(taxpayer__name__icontains=normalize(value))
        if digits.isdigit():
            condition |= Q(taxpayer__economic_code__startswith=digits) | Q(ticket__reference=digits)
        return queryset.filter(condition)

    def only_open(self, queryset, name, value):
        if value:
            return queryset.open()
        return queryset
