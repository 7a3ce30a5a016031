"""SMS-in: a message from Kavenegar (receive callback or `sms/receive` polling) stored once by its `messageid`,
then read into an `Intake`: a reply when it starts with the reference of a ticket the sender sees."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.validators import normalize_mobile
from tickets import permissions
from tickets.models import Channel, Ticket
from tickets.references import parse_reference

from ..models import InboundSms
from .intake import Intake, Refused, clean_text, department_setting, store


def _sms_reply_target(user: User, text: str) -> tuple[Ticket | None, str]:
    """The ticket whose reference starts the text (among those the sender sees), and the text after it."""
    words = text.split(None, 1)
    reference = parse_reference(words[0]) if words else None
    ticket = permissions.visible_tickets(user).filter(reference=reference).first() if reference else None
    if ticket is None:
        return None, text
    rest = words[1].strip() if len(words) > 1 else ""
    return ticket, rest or text


def read(row: InboundSms) -> Intake:
    """A stored SMS as the shared path takes it."""
    text = row.text.strip()
    if not text:
        raise Refused(_("Empty message."))
    try:
        mobile = normalize_mobile(row.sender)
    except ValidationError as exc:
        raise Refused(_("The sender is not a mobile number.")) from exc
    user = User.objects.filter(mobile=mobile).first()
    ticket, reply_body = _sms_reply_target(user, text) if user is not None else (None, text)
    subject = " ".join(text.split())
    return Intake(
        channel=Channel.SMS,
        user=user,
        ticket=ticket,
        body=text,
        reply_body=reply_body,
        subject=subject if len(subject) <= 60 else subject[:59] + "…",
        department=department_setting(getattr(settings, "SMS_DEPARTMENT", "")),
        no_department=_("SMS_DEPARTMENT does not name an active department."),
        customer={"full_name": mobile, "mobile": mobile},
    )


def sms_receive(*, message_id: str, sender: str, receptor: str = "", text: str, source: str) -> tuple[InboundSms, bool]:
    """Store one received SMS once (by Kavenegar's `messageid`) and queue its processing. Returns (row, created);
    a repeat changes nothing. Every field is cleaned (no NUL, valid UTF-8) before it is stored."""
    return store(
        InboundSms,
        provider_message_id=clean_text(message_id).strip()[:64],
        defaults={
            "source": source,
            "sender": clean_text(sender).strip()[:32],
            "receptor": clean_text(receptor).strip()[:32],
            "text": clean_text(text),
        },
    )


def sms_poll() -> int:
    """Read unread messages from the SMS gateway (`sms/receive` on our line) and take each once. Returns how many
    were new."""
    from helpdesk.sms.backends import get_backend

    new = 0
    for incoming in get_backend().receive(line=getattr(settings, "KAVENEGAR_SENDER", "") or None):
        _row, created = sms_receive(
            message_id=incoming.message_id,
            sender=incoming.sender,
            receptor=incoming.receptor,
            text=incoming.text,
            source=InboundSms.Source.POLL,
        )
        new += int(created)
    return new
