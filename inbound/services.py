"""Email-in and SMS-in (B1, G1): store each inbound message once, then turn it into a reply or a new ticket.

Processing runs in the same request as the webhook (it is quick); a failure is recorded on the stored row with its
reason and never raised, so the provider gets its 200 and does not retry (the row is already stored, a retry would
be a no-op anyway).
"""

from __future__ import annotations

import hashlib
import logging
import re
from email.utils import getaddresses

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import customer_create
from helpdesk.persian import to_latin_digits
from helpdesk.validators import normalize_mobile
from notifications.selectors import target_id_for_message_id
from notifications.tokens import target_id_from_address
from tickets import permissions
from tickets.models import Channel, Department, Message, Ticket
from tickets.references import parse_reference
from tickets.services import note_add, reply_add, ticket_create
from tickets.uploads import validate_upload

from .models import InboundEmail, InboundSms, State

logger = logging.getLogger(__name__)

CREATE = "create"
REFUSE = "refuse"
_IDS = re.compile(r"<[^<>\s]+>")
_SUBJECT_TAG = re.compile(r"\[#\s*([0-9۰-۹٠-٩]{7,12})\s*\]")
_LOOP_SENDERS = ("mailer-daemon", "postmaster")
_PRECEDENCE_IGNORED = {"bulk", "auto_reply", "list", "junk"}


class Refused(Exception):
    """The message is not taken (the reason is stored on the row)."""


# --- helpers ----------------------------------------------------------------------------------------------------


def _unknown_senders() -> str:
    return getattr(settings, "INBOUND_UNKNOWN_SENDERS", CREATE)


def _department_setting(value) -> Department | None:
    value = str(value or "").strip()
    if not value:
        return None
    active = Department.objects.filter(is_active=True)
    if value.isdigit():
        found = active.filter(pk=int(value)).first()
        if found is not None:
            return found
    return active.filter(name=value).first()


def _message_ids(header: str | None) -> list[str]:
    return _IDS.findall(str(header or ""))


def _participant(user: User, ticket: Ticket) -> bool:
    """Does `user` take part in the ticket (requester, assignee, follower, or wrote in it)?"""
    if user.pk in (ticket.requester_id, ticket.assignee_id, ticket.created_by_id):
        return True
    return ticket.followers.filter(pk=user.pk).exists() or ticket.messages.filter(author=user).exists()


def _customer_for(*, full_name: str, email: str | None = None, mobile: str | None = None) -> User:
    if _unknown_senders() != CREATE:
        raise Refused(_("Unknown sender; INBOUND_UNKNOWN_SENDERS is 'refuse'."))
    try:
        return customer_create(full_name=full_name or email or mobile or "", email=email, mobile=mobile)
    except ValidationError as exc:
        raise Refused(_("The sender could not be registered: %(error)s") % {"error": "; ".join(exc.messages)}) from exc


def _finish(row, *, state: str, reason: str = "", ticket: Ticket | None = None) -> None:
    row.state = state
    row.reason = reason
    row.ticket = ticket
    row.save(update_fields=["state", "reason", "ticket"])


# --- email --------------------------------------------------------------------------------------------------------


def _sender_address(message) -> str:
    sender = message.from_email
    if isinstance(sender, list):
        sender = sender[0] if sender else None
    return (sender.addr_spec if sender is not None else "").strip().lower()


def _sender_name(message) -> str:
    sender = message.from_email
    if isinstance(sender, list):
        sender = sender[0] if sender else None
    return (sender.display_name if sender is not None else "").strip()


def _recipients(message) -> list[str]:
    found = []
    if getattr(message, "envelope_recipient", None):
        found.append(message.envelope_recipient)
    for header in ("Delivered-To", "X-Original-To"):
        found += list(message.get_all(header) or [])
    found += [a.addr_spec for a in (message.to or []) + (message.cc or [])]
    cleaned = []
    for _name, address in getaddresses(found):
        address = address.strip().lower()
        if address and address not in cleaned:
            cleaned.append(address)
    return cleaned


def is_auto_reply(message) -> str:
    """Why the message is an automatic one (a loop we must not answer), or ""."""
    auto = (message["Auto-Submitted"] or "").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = (message["Precedence"] or "").strip().lower()
    if precedence in _PRECEDENCE_IGNORED:
        return f"Precedence: {precedence}"
    if message["X-Autoreply"] or message["X-Autorespond"] or message["X-Auto-Response-Suppress"] in ("All", "all"):
        return "X-Autoreply"
    sender = _sender_address(message)
    if not sender:
        return "no sender"
    if sender.split("@", 1)[0] in _LOOP_SENDERS:
        return f"sender {sender}"
    ours = {a.lower() for _n, a in getaddresses([settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL])}
    inbound = getattr(settings, "INBOUND_EMAIL_ADDRESS", "")
    if inbound:
        ours.add(inbound.lower())
    if sender in ours:
        return f"our own address {sender}"
    return ""


def _ticket_by_thread(message) -> Ticket | None:
    ids = _message_ids(message["In-Reply-To"]) + _message_ids(message["References"])
    if not ids:
        return None
    bare = [i.strip("<>") for i in ids]
    found = Message.objects.filter(message_id__in=ids + bare).values_list("ticket_id", flat=True).first()
    if found is None:
        for candidate in reversed(ids):  # the newest reference last
            found = target_id_for_message_id(message_id=candidate, model=Ticket)
            if found is not None:
                break
    return Ticket.objects.filter(pk=found).first() if found else None


def _ticket_by_token(recipients: list[str]) -> Ticket | None:
    for address in recipients:
        ticket_id = target_id_from_address(address)
        if ticket_id is not None:
            return Ticket.objects.filter(pk=ticket_id).first()
    return None


def _ticket_by_subject(subject: str, user: User | None) -> Ticket | None:
    match = _SUBJECT_TAG.search(subject or "")
    if not match or user is None:
        return None
    ticket = Ticket.objects.filter(reference=to_latin_digits(match.group(1))).first()
    return ticket if ticket is not None and _participant(user, ticket) else None


def _department_for(recipients: list[str]) -> Department | None:
    plain = set(recipients)
    for address in recipients:  # support+token@x → support@x
        local, _sep, domain = address.partition("@")
        plain.add(f"{local.split('+', 1)[0]}@{domain}")
    department = Department.objects.filter(is_active=True, inbound_email__in=[a for a in plain if a]).first()
    if department is None:
        for dept in Department.objects.filter(is_active=True).exclude(inbound_email=""):
            if dept.inbound_email.lower() in plain:
                return dept
        department = _department_setting(getattr(settings, "INBOUND_EMAIL_DEPARTMENT", ""))
    return department


def _attachments(message) -> tuple[list, list[str]]:
    accepted, refused = [], []
    for part in message.attachments:
        upload = part.as_uploaded_file()
        try:
            validate_upload(upload)
        except ValidationError as exc:
            refused.append(f"- {upload.name or '?'}: {' '.join(exc.messages)}")
            continue
        accepted.append(upload)
    return accepted, refused


def _body(message) -> str:
    body = (getattr(message, "stripped_text", None) or message.text or "").strip()
    if not body and message.html:
        from django.utils.html import strip_tags

        body = strip_tags(message.html).strip()
    return body or _("(no text)")


def _note_refused(ticket: Ticket, refused: list[str]) -> None:
    """Tell the staff (an internal note by the system) which attachments were not taken; the sender's public
    message stays as they wrote it."""
    if refused:
        note_add(ticket=ticket, author=None, body=_("Attachments not accepted:") + "\n" + "\n".join(refused))


def _key(message, raw: str) -> str:
    ids = _message_ids(message["Message-ID"])
    if ids:
        return ids[0][:255]
    return "<sha256." + hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest() + "@inbound>"


def email_receive(*, message, esp_name: str = "") -> tuple[InboundEmail, bool]:
    """Store an `AnymailInboundMessage` once and process it. Returns (row, created); a repeat is not processed."""
    try:
        raw = message.as_string()
    except (UnicodeError, LookupError):  # 8-bit headers or an unknown charset: keep what we can
        raw = message.as_bytes(policy=message.policy.clone(utf8=True)).decode("utf-8", "replace")
    key = _key(message, raw)
    try:
        with transaction.atomic():
            row, created = InboundEmail.objects.get_or_create(
                message_id=key,
                defaults={
                    "esp_name": (esp_name or "")[:40],
                    "sender": _sender_address(message)[:254],
                    "recipients": ", ".join(_recipients(message)),
                    "subject": (message.subject or "")[:255],
                    "raw": raw,
                },
            )
    except IntegrityError:  # a concurrent delivery of the same message won the race
        return InboundEmail.objects.get(message_id=key), False
    if created:
        _process_email(row, message)
    return row, created


def _process_email(row: InboundEmail, message) -> None:
    reason = is_auto_reply(message)
    if reason:
        _finish(row, state=State.IGNORED, reason=reason)
        return
    address = _sender_address(message)
    recipients = _recipients(message)
    user = User.objects.filter(email__iexact=address).first()
    try:
        with transaction.atomic():
            ticket = _ticket_by_thread(message) or _ticket_by_token(recipients)
            ticket = ticket or _ticket_by_subject(message.subject, user)
            accepted, refused = _attachments(message)
            body = _body(message)
            if ticket is not None and user is not None and permissions.can_reply(user, ticket):
                reply = reply_add(
                    ticket=ticket,
                    author=user,
                    body=body,
                    attachments=accepted,
                    channel=Channel.EMAIL,
                    message_id=row.message_id,
                )
                _note_refused(reply.ticket, refused)
                _finish(row, state=State.REPLY, ticket=reply.ticket)
                return
            department = _department_for(recipients)
            if department is None:
                raise Refused(_("No department receives this address and INBOUND_EMAIL_DEPARTMENT is not set."))
            if user is None:
                user = _customer_for(full_name=_sender_name(message), email=address)
            subject = (message.subject or "").strip()[:200] or _("(no subject)")
            ticket = ticket_create(
                requester=user,
                department=department,
                subject=subject,
                body=body,
                channel=Channel.EMAIL,
                attachments=accepted,
                created_by=None,
                message_id=row.message_id,
            )
            _note_refused(ticket, refused)
            _finish(row, state=State.TICKET, ticket=ticket)
    except Refused as exc:
        _finish(row, state=State.REFUSED, reason=str(exc))
    except (ValidationError, ValueError) as exc:
        logger.warning("inbound email %s not taken: %s", row.pk, exc)
        _finish(row, state=State.FAILED, reason=str(exc))


# --- SMS ----------------------------------------------------------------------------------------------------------


def sms_receive(*, message_id: str, sender: str, receptor: str = "", text: str, source: str) -> tuple[InboundSms, bool]:
    """Store one received SMS once (by Kavenegar's `messageid`) and process it. Returns (row, created)."""
    message_id = str(message_id).strip()[:64]
    try:
        with transaction.atomic():
            row, created = InboundSms.objects.get_or_create(
                provider_message_id=message_id,
                defaults={"source": source, "sender": sender[:32], "receptor": receptor[:32], "text": text},
            )
    except IntegrityError:
        return InboundSms.objects.get(provider_message_id=message_id), False
    if created:
        _process_sms(row)
    return row, created


def _sms_reply_target(user: User, text: str) -> tuple[Ticket | None, str]:
    words = text.strip().split(None, 1)
    if not words:
        return None, text
    reference = parse_reference(words[0])
    if reference is None:
        return None, text
    ticket = permissions.visible_tickets(user).filter(reference=reference).first()
    rest = words[1].strip() if len(words) > 1 else ""
    return ticket, rest or text


def _process_sms(row: InboundSms) -> None:
    text = row.text.strip()
    try:
        with transaction.atomic():
            if not text:
                raise Refused(_("Empty message."))
            try:
                mobile = normalize_mobile(row.sender)
            except ValidationError as exc:
                raise Refused(_("The sender is not a mobile number.")) from exc
            user = User.objects.filter(mobile=mobile).first()
            if user is not None:
                ticket, body = _sms_reply_target(user, text)
                if ticket is not None and permissions.can_reply(user, ticket):
                    reply = reply_add(ticket=ticket, author=user, body=body, channel=Channel.SMS)
                    _finish(row, state=State.REPLY, ticket=reply.ticket)
                    return
            department = _department_setting(getattr(settings, "SMS_DEPARTMENT", ""))
            if department is None:
                raise Refused(_("SMS_DEPARTMENT does not name an active department."))
            if user is None:
                user = _customer_for(full_name=mobile, mobile=mobile)
            subject = " ".join(text.split())
            subject = subject if len(subject) <= 60 else subject[:59] + "…"
            ticket = ticket_create(
                requester=user,
                department=department,
                subject=subject,
                body=text,
                channel=Channel.SMS,
                created_by=None,
            )
            _finish(row, state=State.TICKET, ticket=ticket)
    except Refused as exc:
        _finish(row, state=State.REFUSED, reason=str(exc))
    except (ValidationError, ValueError) as exc:
        logger.warning("inbound SMS %s not taken: %s", row.pk, exc)
        _finish(row, state=State.FAILED, reason=str(exc))


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
