"""What a notification says, per channel, in the recipient's language (rendered when the row is written).

The registering app builds a `Content` (title, sentence, quoted message, link, and what an email needs to be
answered and threaded); `email_parts()`, `sms_text()` and `panel_parts()` shape it for each channel. Call inside
`translation.override(user.language)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import get_language, get_language_bidi, gettext

from helpdesk.site import get_site_settings

if TYPE_CHECKING:
    from django.db.models import Model

SMS_MAX_TEXT = 300  # characters of our sentence; Kavenegar accepts 900 in all


@dataclass(frozen=True)
class Content:
    title: str  # "New reply"
    text: str  # the sentence: who did what
    about: str = ""  # what it is about, after the title ("New reply: <the ticket's subject>")
    reference: str = ""  # the number people quote (a ticket's tracking number), shown in emails and SMS
    subject_tag: str = ""  # starts the email subject, e.g. "[#1234567]" (email-in matches replies on it)
    quote_text: str = ""  # the message the event carries, as written …
    quote_html: str = ""  # … and rendered (safe HTML)
    link: str = ""  # a path on this site
    reply_to: str = ""  # the email's Reply-To ("" = replies go to DEFAULT_FROM_EMAIL)
    thread_id: str = ""  # the Message-ID the email answers (In-Reply-To, References)
    target: Model | None = None  # what it is about, stored on the row (target_type, target_id)


def site_url(path: str) -> str:
    if not path:
        return ""
    return settings.SITE_URL.rstrip("/") + path


def _titled(content: Content) -> str:
    if content.about:
        return gettext("%(title)s: %(subject)s") % {"title": content.title, "subject": content.about}
    return content.title


def email_subject(content: Content) -> str:
    tag = f"{content.subject_tag} " if content.subject_tag else ""
    return tag + _titled(content)


def email_parts(content: Content) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the email."""
    site = get_site_settings()
    context: dict[str, Any] = {
        "content": content,
        "subject": email_subject(content),
        "url": site_url(content.link),
        "site_title": site.title,
        "reply_by_email": bool(content.reply_to),
        "language": get_language() or "fa",
        "direction": "rtl" if get_language_bidi() else "ltr",
    }
    text = render_to_string("notifications/email.txt", context)
    html = render_to_string("notifications/email.html", context)
    return context["subject"][:255], text, html


def sms_text(content: Content) -> str:
    context = {
        "content": content,
        "title": content.title[:SMS_MAX_TEXT],
        "url": site_url(content.link),
        "site_title": get_site_settings().title,
    }
    return render_to_string("notifications/sms.txt", context).strip()


def panel_parts(content: Content) -> tuple[str, str]:
    """(title, text) of a panel notification."""
    return _titled(content)[:255], content.text
