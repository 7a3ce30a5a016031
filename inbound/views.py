"""Kavenegar's receive callback: GET or POST `from`, `to`, `message`, `messageid` to a URL with our secret."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .models import InboundSms
from .services import sms_receive


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def kavenegar_receive(request, secret: str):
    expected = getattr(settings, "KAVENEGAR_INBOUND_SECRET", "")
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    message_id = (data.get("messageid") or "").strip()
    sender = (data.get("from") or "").strip()
    if not message_id or not sender:
        return HttpResponseBadRequest("messageid and from are required", content_type="text/plain")
    sms_receive(
        message_id=message_id,
        sender=sender,
        receptor=(data.get("to") or "").strip(),
        text=data.get("message") or "",
        source=InboundSms.Source.CALLBACK,
    )
    return HttpResponse("ok", content_type="text/plain")
