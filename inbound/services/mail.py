"""Email-in: an `AnymailInboundMessage` (from any ESP's inbound webhook) stored once by its Message-ID, then read
into an `Intake`: the ticket it answers by its thread, our signed reply address or the subject tag (a participant
only); whether its sender is verified (our provider's Authentication-Results, `authentication`); loops and
auto-replies ignored, spam kept aside; attachments checked like uploads."""

from __future__ import annotations

import hashlib
import math
import re
from email.utils import getaddresses

from anymail.inbound import AnymailInboundMessage
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.persian import to_latin_digits
from helpdesk.uploads import validate_upload
from notifications.selectors import target_id_for_message_id
from notifications.tokens import target_id_from_address
from tickets.models import Channel, Department, Message, Ticket

from ..models import InboundEmail
from .authentication import Authentication, evaluate
from .intake import Ignored, Intake, Spam, clean_text, department_setting, store

_IDS = re.compile(r"<[^<>\s]+>")
_SUBJECT_TAG = re.compile(r"\[#\s*([0-9۰-۹٠-٩]{7,12})\s*\]")
_LOOP_SENDERS = ("mailer-daemon", "postmaster")
_PRECEDENCE_IGNORED = {"bulk", "auto_reply", "list", "junk"}


def _message_ids(header: str | None) -> list[str]:
    return _IDS.findall(str(header or ""))


def _participant(user: User, ticket: Ticket) -> bool:
    """Does `user` take part in the ticket (requester, assignee, follower, or wrote in it)?"""
    if user.pk in (ticket.requester_id, ticket.assignee_id, ticket.created_by_id):
        return True
    return ticket.followers.filter(pk=user.pk).exists() or ticket.messages.filter(author=user).exists()


def _sender(message: AnymailInboundMessage) -> tuple[str, str]:
    """The (address, display name) of the message's first From address ("" when it has none)."""
    sender = message.from_email
    if isinstance(sender, list):
        sender = sender[0] if sender else None
    if sender is None:
        return "", ""
    return clean_text(sender.addr_spec).strip().lower(), clean_text(sender.display_name).strip()


def _recipients(message: AnymailInboundMessage) -> list[str]:
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


def is_auto_reply(message: AnymailInboundMessage) -> str:
    """Why the message is an automatic one (a loop we must not answer), or ""."""
    auto = (message["Auto-Submitted"] or "").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = (message["Precedence"] or "").strip().lower()
    if precedence in _PRECEDENCE_IGNORED:
        return f"Precedence: {precedence}"
    if message["X-Autoreply"] or message["X-Autorespond"] or message["X-Auto-Response-Suppress"] in ("All", "all"):
        return "X-Autoreply"
    sender, _name = _sender(message)
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


def _ticket_by_thread(message: AnymailInboundMessage) -> Ticket | None:
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
        department = department_setting(getattr(settings, "INBOUND_EMAIL_DEPARTMENT", ""))
    return department


def _attachments(message: AnymailInboundMessage) -> tuple[list, list[str]]:
    accepted, refused = [], []
    for part in message.attachments:
        upload = part.as_uploaded_file()
        upload.name = clean_text(upload.name)
        try:
            validate_upload(upload)
        except ValidationError as exc:
            refused.append(f"- {upload.name or '?'}: {' '.join(exc.messages)}")
            continue
        accepted.append(upload)
    return accepted, refused


def message_text(message: AnymailInboundMessage, stripped_text: str) -> str:
    """The message's own text (the provider's quote-free text when it gave one), cleaned."""
    body = (stripped_text or message.text or "").strip()
    if not body and message.html:
        body = strip_tags(message.html).strip()
    return clean_text(body) or _("(no text)")


def _key(message: AnymailInboundMessage, raw: str) -> str:
    ids = _message_ids(clean_text(message["Message-ID"]))
    if ids:
        return ids[0][:255]
    return "<sha256." + hashlib.sha256(raw.encode()).hexdigest() + "@inbound>"


def _spam(message: AnymailInboundMessage) -> dict:
    """What the provider said of the message's spamminess (anymail's `spam_detected`, `spam_score`; None: nothing)."""
    detected, score = getattr(message, "spam_detected", None), getattr(message, "spam_score", None)
    try:
        score = None if score is None else float(score)
    except (TypeError, ValueError):  # a provider's odd value is no verdict
        score = None
    if score is not None and not math.isfinite(score):
        score = None
    return {"spam_detected": None if detected is None else bool(detected), "spam_score": score}


def _spam_reason(row: InboundEmail) -> str:
    """Why the stored message counts as spam, or "": the provider said so, or its score reached INBOUND_SPAM_SCORE."""
    if row.spam_detected and row.spam_score is None:
        return _("The provider marked it as spam.")
    if row.spam_detected:
        return _("The provider marked it as spam (score %(score)s).") % {"score": row.spam_score}
    limit = getattr(settings, "INBOUND_SPAM_SCORE", None)
    if limit is not None and row.spam_score is not None and row.spam_score >= limit:
        return _("Its spam score %(score)s reached INBOUND_SPAM_SCORE (%(limit)s).") % {
            "score": row.spam_score,
            "limit": limit,
        }
    return ""


def _authserv_ids() -> list[str]:
    value = getattr(settings, "INBOUND_AUTHSERV_ID", None) or []
    return value.split(",") if isinstance(value, str) else list(value)


def _authentication(message: AnymailInboundMessage, address: str) -> Authentication:
    """The verdict of our provider's `Authentication-Results` on the message's From address."""
    headers = [clean_text(h) for h in message.get_all("Authentication-Results") or []]
    return evaluate(headers=headers, from_domain=address.rpartition("@")[2], authserv_ids=_authserv_ids())


class MalformedMessage(Exception):
    """An email we cannot read (its webhook answers 400 and nothing is stored)."""


def email_fields(message: AnymailInboundMessage) -> dict[str, str]:
    """What is stored of an `AnymailInboundMessage`: its key (`message_id`), the fields shown in the admin, the ESP's
    quote-free text and the raw MIME, all cleaned (no NUL, valid UTF-8). Reads nothing from the database, so
    whatever fails here is the message's fault: raises `MalformedMessage`."""
    try:
        try:
            raw = message.as_string()
        except (UnicodeError, LookupError):  # 8-bit headers or an unknown charset: keep what we can
            raw = message.as_bytes(policy=message.policy.clone(utf8=True)).decode("utf-8", "replace")
        raw = clean_text(raw)
        return {
            "message_id": _key(message, raw),
            "sender": _sender(message)[0][:254],
            "recipients": clean_text(", ".join(_recipients(message))),
            "subject": clean_text(message.subject)[:255],
            "stripped_text": clean_text(getattr(message, "stripped_text", None)),
            "raw": raw,
            **_spam(message),
        }
    except Exception as exc:
        raise MalformedMessage(f"{type(exc).__name__}: {exc}") from exc


def email_receive(*, message: AnymailInboundMessage, esp_name: str = "") -> tuple[InboundEmail, bool]:
    """Store an `AnymailInboundMessage` once (by its Message-ID) and queue its processing. Returns (row, created);
    a repeat changes nothing. Raises `MalformedMessage` (storing nothing) for a message that cannot be read."""
    fields = email_fields(message)
    key = fields.pop("message_id")
    return store(InboundEmail, message_id=key, defaults={**fields, "esp_name": clean_text(esp_name)[:40]})


def read(row: InboundEmail, *, decided: bool = False) -> Intake:
    """A stored email as the shared path takes it (its raw MIME parsed again; the recipients as stored, with the
    envelope's). Raises `Ignored` for an automatic message, `Spam` for spam, unless a staff member `decided` to
    take it (a held email accepted)."""
    message = AnymailInboundMessage.parse_raw_mime(row.raw)
    reason = "" if decided else is_auto_reply(message)
    if reason:
        raise Ignored(reason)
    spam = "" if decided else _spam_reason(row)
    if spam:
        raise Spam(spam)
    address, name = _sender(message)
    authentication = _authentication(message, address)
    recipients = [a.strip() for a in row.recipients.split(",") if a.strip()]
    user = User.objects.filter(email__iexact=address).first()
    subject = clean_text(message.subject).strip()
    by_token = _ticket_by_token(recipients)
    ticket = _ticket_by_thread(message) or by_token or _ticket_by_subject(subject, user)
    accepted, refused = _attachments(message)
    return Intake(
        channel=Channel.EMAIL,
        user=user,
        ticket=ticket,
        body=message_text(message, row.stripped_text),
        subject=subject[:200] or _("(no subject)"),
        department=_department_for(recipients),
        no_department=_("No department receives this address and INBOUND_EMAIL_DEPARTMENT is not set."),
        customer={"full_name": name, "email": address},
        attachments=accepted,
        refused_attachments=refused,
        message_id=row.message_id,
        sender_verified=authentication.passed,
        unverified_reason=_("Sender not verified: %(results)s") % {"results": authentication.summary},
        via_reply_token=by_token is not None and ticket is not None and by_token.pk == ticket.pk,
        recorded={"sender_verdict": authentication.verdict},
    )
