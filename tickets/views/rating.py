"""The customer's satisfaction rating (CSAT) through the signed link of the "resolved" notification: no login.

GET shows the form (prefilled with the rating already given, or with `?score=`); POST saves it through
`services.rating_submit`. A forged token is a 404; a link whose seven days have passed, or whose ticket was
reopened since, shows what was rated and changes nothing (410).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .. import csat, services
from ..forms import RatingForm
from ..models import SatisfactionRating
from ._common import error_text


@require_http_methods(["GET", "POST"])
def rate(request, token: str):
    link = csat.read_token(token)
    if link is None:
        raise Http404
    ticket = link.ticket
    rating = SatisfactionRating.objects.filter(ticket=ticket).first()
    context = {"ticket": ticket, "link": link, "rating": rating, "saved": False}
    if not link.open:
        return render(request, "tickets/rate.html", {**context, "form": None}, status=410)
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                rating = services.rating_submit(
                    token=token, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
                )
            except ValidationError as exc:
                form.add_error(None, error_text(exc))
            else:
                context.update(rating=rating, saved=True)
        status = 200 if form.is_valid() and context["saved"] else 400
        return render(request, "tickets/rate.html", {**context, "form": form}, status=status)
    initial = {"score": rating.score, "comment": rating.comment} if rating else {}
    if not rating and request.GET.get("score", "").strip() in {"1", "2", "3", "4", "5"}:
        initial["score"] = int(request.GET["score"])
    return render(request, "tickets/rate.html", {**context, "form": RatingForm(initial=initial)})
