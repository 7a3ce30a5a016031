"""An email backend for the fault drills: it takes each message (kept in `django.core.mail.outbox` when the test
environment has one, and written as a file to EMAIL_FILE_PATH when set: what the provider received), then answers
only after TEST_EMAIL_DELAY seconds, like a provider whose answer is slow. A drill kills the worker, or its database
connection, in that window."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend


class SlowFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = getattr(settings, "EMAIL_FILE_PATH", "")
        for message in email_messages:
            if hasattr(mail, "outbox"):
                mail.outbox.append(message)
            if folder:
                path = Path(folder) / f"{uuid.uuid4().hex}.eml"
                path.write_bytes(message.message().as_bytes())
        delay = float(getattr(settings, "TEST_EMAIL_DELAY", 0.0))
        if delay:
            time.sleep(delay)
        return len(email_messages)
