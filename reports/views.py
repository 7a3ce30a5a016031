"""The report pages and their exports. Each starts from `report_scope(user)` (a 404 without one), reads the
filters from the URL, and builds its page with `pages`; an export writes one table of the same page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from helpdesk import audit

from . import exports, pages
from .filters import ReportFilterForm, read_filters
from .permissions import report_scope


def _scope_or_404(request, section: str):
    scope = report_scope(request.user)
    if scope is None or section not in pages.sections_for(scope):
        raise Http404
    return scope


def _page(request, section: str):
    scope = _scope_or_404(request, section)
    form = ReportFilterForm(request.GET, scope=scope)
    filters = read_filters(form)
    page = pages.SECTIONS[section][0](scope, filters) if filters else None
    querystring = filters.querystring if filters else ""
    tabs = [
        {
            "section": name,
            "label": pages.SECTIONS[name][1],
            "url": reverse(f"reports:{name}") + (f"?{querystring}" if querystring else ""),
            "active": name == section,
        }
        for name in pages.sections_for(scope)
    ]
    context = {
        "scope": scope,
        "form": form,
        "filters": filters,
        "page": page,
        "tabs": tabs,
        "section": section,
        "title": pages.SECTIONS[section][1],
        "querystring": querystring,
        "charts": [_chart(page, c) for c in page.charts] if page else [],
    }
    return render(request, "reports/page.html", context, status=200 if filters else 400)


# A table with more columns than this goes under its chart rather than beside it.
SIDE_BY_SIDE_COLUMNS = 4


def _chart(page: pages.Page, chart: pages.Chart) -> dict:
    table = page.table(chart.table)
    wide = table is not None and len(table.columns) > SIDE_BY_SIDE_COLUMNS
    return {"chart": chart, "id": f"chart-{chart.key}", "data": chart.data(), "table": table, "wide": wide}


def _view(section: str):
    @login_required
    @require_GET
    def view(request):
        return _page(request, section)

    view.__name__ = section
    return view


overview = _view("overview")
sla = _view("sla")
agents = _view("agents")
channels = _view("channels")
kb = _view("kb")
article6 = _view("article6")


@login_required
@require_GET
def export(request, section: str, table: str, fmt: str):
    if section not in pages.SECTIONS or fmt not in exports.FORMATS:
        raise Http404
    scope = _scope_or_404(request, section)
    form = ReportFilterForm(request.GET, scope=scope)
    filters = read_filters(form)
    if filters is None:
        errors = " ".join(str(e) for field in form.errors.values() for e in field)
        return HttpResponse(
            _("The filters are not valid: %(errors)s") % {"errors": errors},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    page = pages.SECTIONS[section][0](scope, filters)
    found = page.table(table)
    if found is None:
        raise Http404
    name = exports.filename(section, found, fmt, filters.first, filters.last)
    response = exports.export(found, fmt=fmt, name=name)
    # Only once the file is built: an export that failed gave nobody anything. The report and the table by their
    # titles, as the person exporting read them (the codes are in the file's name).
    audit.record(
        audit.Action.REPORT_EXPORT,
        after={
            "file": name,
            "section": str(pages.SECTIONS[section][1]),
            "table": str(found.title),
            "rows": len(found.rows),
            "filters": filters.querystring,
        },
    )
    return response
