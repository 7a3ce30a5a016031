"""What a notification says, per channel, in the recipient's language (rendered when the row is written).

`event_content(event, user, audience)` → `Content` (title, sentence, quoted message, link); then
`email_parts()`, `sms_text()` and `panel_parts()` shape it for each channel. Call inside
`translation.override(user.language)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, get_language_bidi, gettext

from helpdesk.persian import to_persian_digits
from helpdesk.site import get_site_settings

from .recipients import ACK, REQUESTER

if TYPE_CHECKING:
    from tickets.models import Ticket, TicketEvent

SMS_MAX_TEXT = 300  # characters of our sentence; Kavenegar accepts 900 in all


@dataclass(frozen=True)
class Content:
    title: str
    text: str
    reference: str = ""
    ticket_subject: str = ""
    quote_text: str = ""
    quote_html: str = ""
    link: str = ""


def digits(value) -> str:
    """Persian digits when the active language is Persian."""
    value = str(value)
    return to_persian_digits(value) if (get_language() or "fa").startswith("fa") else value


def site_url(path: str) -> str:
    if not path:
        return ""
    return settings.SITE_URL.rstrip("/") + path


def ticket_path(ticket: Ticket) -> str:
    try:
        return reverse("tickets:detail", args=[ticket.reference])
    except NoReverseMatch:
        return ""


def _message(pk):
    from tickets.models import Message

    return Message.objects.filter(pk=pk).first() if pk else None


def quoted_message(event: TicketEvent):
    """The message an event carries (a reply, a note, or a new ticket's first message), or None."""
    if event.kind in ("replied", "noted"):
        return _message(event.data.get("message"))
    if event.kind == "created":
        return event.ticket.messages.order_by("created_at", "pk").first()
    return None


def _title_and_text(event: TicketEvent, audience: str) -> tuple[str, str]:
    from tickets import events as ticket_events

    ticket = event.ticket
    values = {
        "subject": ticket.subject,
        "ref": digits(ticket.reference),
        "actor": ticket_events.actor_name(event),
        "department": ticket.department.name,
    }
    kind = event.kind
    if kind == "created" and audience == ACK:
        return gettext("Your request was received"), gettext(
            "Your request «%(subject)s» was registered with the tracking number %(ref)s. "
            "We will answer you as soon as possible."
        ) % values
    if kind == "created":
        if ticket.is_internal:
            return gettext("New internal ticket"), gettext(
                "%(actor)s opened an internal ticket in %(department)s: «%(subject)s»."
            ) % values
        values["requester"] = ticket.requester.full_name if ticket.requester else values["actor"]
        return gettext("New ticket"), gettext(
            "%(requester)s filed a new ticket in %(department)s: «%(subject)s»."
        ) % values
    if kind == "replied" and audience == REQUESTER:
        return gettext("New reply to your request"), gettext(
            "%(actor)s replied to your request «%(subject)s»."
        ) % values
    if kind == "replied":
        return gettext("New reply"), gettext("%(actor)s replied to the ticket «%(subject)s».") % values
    if kind == "assigned":
        return gettext("A ticket was assigned to you"), ticket_events.describe(event)
    if kind == "status" and audience == REQUESTER:
        from tickets.models import Status

        try:
            values["status"] = str(Status(event.data.get("new")).label)
        except ValueError:
            values["status"] = str(event.data.get("new") or "")
        return gettext("The status of your request changed"), gettext(
            "The status of your request «%(subject)s» is now: %(status)s."
        ) % values
    return ticket_events.label(kind), ticket_events.describe(event)


_UNSET = object()


def event_content(event: TicketEvent, user, audience: str, *, message=_UNSET) -> Content:
    """`message`: the event's `quoted_message()` when the caller already has it (one query for all recipients)."""
    title, text = _title_and_text(event, audience)
    if message is _UNSET:
        message = quoted_message(event)
    ticket = event.ticket
    return Content(
        title=title,
        text=text,
        reference=ticket.reference,
        ticket_subject=ticket.subject,
        quote_text=message.body if message else "",
        quote_html=str(message.html) if message else "",
        link=ticket_path(ticket),
    )


def email_subject(content: Content) -> str:
    # The tag keeps Latin digits in every language: replies are matched on it (`[#1234567]`).
    tag = f"[#{content.reference}] " if content.reference else ""
    if content.ticket_subject:
        return tag + gettext("%(title)s: %(subject)s") % {"title": content.title, "subject": content.ticket_subject}
    return tag + content.title


def email_parts(content: Content, *, reply_by_email: bool) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the email."""
    site = get_site_settings()
    context = {
        "content": content,
        "subject": email_subject(content),
        "url": site_url(content.link),
        "site_title": site.title,
        "reply_by_email": reply_by_email,
        "language": get_language() or "fa",
        "direction": "rtl" if get_language_bidi() else "ltr",
    }
    text = render_to_string("helpdesk/notifications/email.txt", context)
    html = render_to_string("helpdesk/notifications/email.html", context)
    return context["subject"][:255], text, html


def sms_text(content: Content) -> str:
    context = {
        "content": content,
        "title": content.title[:SMS_MAX_TEXT],
        "url": site_url(content.link),
        "site_title": get_site_settings().title,
    }
    return render_to_string("helpdesk/notifications/sms.txt", context).strip()


def panel_parts(content: Content) -> tuple[str, str]:
    """(title, text) of a panel notification."""
    if content.ticket_subject:
        title = gettext("%(title)s: %(subject)s") % {"title": content.title, "subject": content.ticket_subject}
    else:
        title = content.title
    return title[:255], content.text
