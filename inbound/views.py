"""Kavenegar's receive callback: GET or POST `from`, `to`, `message`, `messageid` to a URL with our secret. The
message is stored (its processing queued) before the answer; a post that is not a message is a 400, with a log
line, and stores nothing.

And the staff's decision on a held email (`inbound.services.held`): accept or reject, from the ticket page."""

from __future__ import annotations

import hmac
import logging
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from .models import InboundSms
from .services import sms_receive
from .services.held import emails_on_visible_tickets, held_accept, held_reject, may_decide

logger = logging.getLogger(__name__)

_MESSAGE_ID = re.compile(r"[0-9A-Za-z._-]{1,64}")
_NUMBER = re.compile(r"[\d+()\s-]{0,32}")  # a mobile number or a line, in any usual spelling


def _problem(data) -> str:
    """What makes the callback's fields unusable, or ""."""
    if not (data.get("messageid") or "").strip() or not (data.get("from") or "").strip():
        return "messageid and from are required"
    if not _MESSAGE_ID.fullmatch(data["messageid"].strip()):
        return "messageid is not an id"
    if not all(_NUMBER.fullmatch(data.get(name) or "") for name in ("from", "to")):
        return "from and to must be phone numbers"
    return ""


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def kavenegar_receive(request, secret: str):
    expected = getattr(settings, "KAVENEGAR_INBOUND_SECRET", "")
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    problem = _problem(data)
    if problem:
        logger.warning("Kavenegar callback refused (400), nothing stored: %s", problem)
        return HttpResponseBadRequest(problem, content_type="text/plain")
    sms_receive(
        message_id=data["messageid"].strip(),
        sender=data["from"].strip(),
        receptor=(data.get("to") or "").strip(),
        text=data.get("message") or "",
        source=InboundSms.Source.CALLBACK,
    )
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_POST
def held_decide(request, pk: int, accept: bool):
    """Accept or reject a held email: 404 unless it is on a ticket the user sees and may reply to; one decided
    already (a second click, another agent) is said so."""
    row = get_object_or_404(emails_on_visible_tickets(user=request.user).select_related("ticket"), pk=pk)
    ticket = row.ticket
    if ticket is None or not may_decide(request.user, ticket):
        raise Http404
    try:
        if accept:
            held_accept(inbound=row, actor=request.user)
        else:
            held_reject(inbound=row, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The email was posted as the customer's reply.") if accept else _("The email was rejected.")
        )
    return redirect("tickets:detail", reference=ticket.reference)
