"""Post a sample email to the local email-in webhook, as Postmark would, to see email-in work under `make run`."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import make_msgid

import requests
from anymail.utils import get_anymail_setting
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tickets.models import Department


def _inbound_address() -> str:
    department = Department.objects.filter(is_active=True).exclude(inbound_email="").order_by("pk").first()
    return department.inbound_email if department else getattr(settings, "INBOUND_EMAIL_ADDRESS", "")


class Command(BaseCommand):
    help = "Post a sample email to /anymail/postmark/inbound/ of a running site (it becomes a ticket or a reply)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="the running site (default: SITE_URL)")
        parser.add_argument("--sender", default="customer@example.com", help="the From address")
        parser.add_argument("--to", default="", help="the To address (default: a department's inbound address)")
        parser.add_argument("--subject", default="چاپگر طبقهٔ دوم کار نمی‌کند")
        parser.add_argument("--body", default="سلام، از صبح چاپگر طبقهٔ دوم هیچ برگه‌ای چاپ نمی‌کند.")

    def handle(self, *args, url, sender, to, subject, body, **options):
        provider = getattr(settings, "INBOUND_EMAIL_PROVIDER", "")
        if provider != "postmark":
            raise CommandError(f"This command posts as Postmark does; INBOUND_EMAIL_PROVIDER is {provider!r}.")
        to = to or _inbound_address()
        if not to:
            raise CommandError("No department has an inbound email address (run load_demo, or pass --to).")
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, to, subject
        message["Message-ID"] = make_msgid(domain="inbound-sample.localhost")
        message.set_content(body)
        payload = {"RawEmail": message.as_string(), "MessageID": str(uuid.uuid4()), "OriginalRecipient": to}
        secrets = get_anymail_setting("webhook_secret", default=[])
        secret = (secrets if isinstance(secrets, str) else (secrets or [""])[0]).partition(":")
        endpoint = (url or settings.SITE_URL).rstrip("/") + "/anymail/postmark/inbound/"
        try:
            response = requests.post(endpoint, json=payload, auth=secret[::2] if secret[0] else None, timeout=30)
        except requests.RequestException as exc:
            raise CommandError(f"Cannot reach {endpoint} ({exc}); is the site running (make run)?") from exc
        if response.status_code != 200:
            raise CommandError(f"{endpoint} answered {response.status_code}: {response.text[:200]}")
        self.stdout.write(self.style.SUCCESS(f"Posted {message['Message-ID']} from {sender} to {to}."))
        self.stdout.write(
            "It becomes a ticket (or a reply) once processed, at once without a broker: see the staff queue, or "
            "the admin's inbound emails."
        )
