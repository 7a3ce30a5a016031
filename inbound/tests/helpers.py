"""Shared by the inbound tests."""

from __future__ import annotations

import base64
import json
from contextlib import contextmanager
from email.utils import parseaddr

from django.test import TestCase


@contextmanager
def committed():
    """Run the block's on-commit work (the processing queued once a message is stored) as a real commit would;
    the test's own transaction never commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield


AUTH = "Basic " + base64.b64encode(b"hook:pass").decode()


AUTHSERV_ID = "mx.inbound.example.com"  # our provider's, as the inbound tests configure it (conftest)


def authentication_results(sender: str, verdict: str = "pass", authserv_id: str = AUTHSERV_ID) -> str:
    """The `Authentication-Results` header a receiving provider adds for mail from `sender`: everything passes, or
    (`fail`) DMARC fails, DKIM has no signature and SPF soft-fails, as for a forged From."""
    domain = parseaddr(sender)[1].rpartition("@")[2]
    if verdict == "pass":
        results = (
            f"dkim=pass header.d={domain} header.s=s1; spf=pass smtp.mailfrom={domain}; dmarc=pass header.from={domain}"
        )
    else:
        results = f"dkim=none; spf=softfail smtp.mailfrom={domain}; dmarc=fail (p=quarantine) header.from={domain}"
    return f"Authentication-Results: {authserv_id};\r\n\t{results}"


def eml(
    *,
    sender="Maryam <maryam@example.com>",
    to="support@inbound.example.com",
    subject="Printer broken",
    body="The printer on the second floor prints nothing.",
    message_id="<m1@mail.example.org>",
    headers=(),
    attachments=(),
    auth="pass",
) -> bytes:
    """A real RFC 822 message; `auth`: our provider's verdict on the sender in its `Authentication-Results` header
    ("pass", "fail"), or None for no such header."""
    lines = [
        *([authentication_results(sender, auth)] if auth else []),
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Message-ID: {message_id}",
        "Date: Mon, 23 Nov 2026 10:00:00 +0000",
        "MIME-Version: 1.0",
        *headers,
    ]
    if not attachments:
        lines += ["Content-Type: text/plain; charset=utf-8", "", body]
        return ("\r\n".join(lines) + "\r\n").encode()
    lines += [
        'Content-Type: multipart/mixed; boundary="BOUND"',
        "",
        "--BOUND",
        "Content-Type: text/plain; charset=utf-8",
        "",
        body,
    ]
    for name, ctype, content in attachments:
        lines += [
            "--BOUND",
            f"Content-Type: {ctype}",
            f'Content-Disposition: attachment; filename="{name}"',
            "Content-Transfer-Encoding: base64",
            "",
            base64.b64encode(content).decode(),
        ]
    lines += ["--BOUND--", ""]
    return "\r\n".join(lines).encode()


def post_postmark(client, raw: bytes, *, auth=AUTH, recipient="support@inbound.example.com"):
    payload = {"RawEmail": raw.decode(), "MessageID": "pm-1", "OriginalRecipient": recipient}
    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    with committed():
        return client.post("/anymail/postmark/inbound/", json.dumps(payload), content_type="application/json", **extra)
