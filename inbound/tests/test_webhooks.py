"""The email-in webhook with real posts: a body it cannot read is a 400 with a log line and stores nothing (never
a 500, which the provider would retry for ever); NUL bytes and invalid UTF-8 are cleaned before anything is stored."""

from __future__ import annotations

import json
import logging

import pytest
from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent, inbound

from accounts.models import User
from inbound.models import InboundEmail, State
from inbound.tests.helpers import AUTH, committed, eml, post_postmark
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db
URL = "/anymail/postmark/inbound/"


def post_body(client, body: bytes | str, content_type="application/json"):
    with committed():
        return client.post(URL, body, content_type=content_type, HTTP_AUTHORIZATION=AUTH)


def nothing_stored():
    senders = User.objects.filter(email__in=["new@example.net", "a@example.net"])
    return not (InboundEmail.objects.exists() or Ticket.objects.exists() or senders.exists())


RAW = eml(sender="new@example.net").decode()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"this is not json", id="not JSON"),
        pytest.param(b"", id="empty"),
        pytest.param(b'{"RawEmail": "From: a@example.net', id="truncated JSON"),
        pytest.param(b"\xff\xfe{}", id="invalid UTF-8"),
        pytest.param(json.dumps([{"RawEmail": RAW}]), id="a JSON list"),
        pytest.param(json.dumps("just a string"), id="a JSON string"),
        pytest.param(json.dumps({"RawEmail": 5}), id="RawEmail a number"),
        pytest.param(json.dumps({"RawEmail": ["From: a@example.net"]}), id="RawEmail a list"),
        pytest.param(json.dumps({"Headers": "From: a@example.net", "TextBody": "hi"}), id="Headers a string"),
        pytest.param(json.dumps({"Headers": [{"Value": "x"}], "TextBody": "hi"}), id="a header without a name"),
        pytest.param(json.dumps({"FromFull": "a@example.net", "TextBody": "hi"}), id="FromFull a string"),
        pytest.param(json.dumps({"Attachments": [{"Name": "a.txt"}], "TextBody": "hi"}), id="attachment no content"),
        pytest.param(json.dumps({"RecordType": "Bounce", "Email": "a@example.net"}), id="a bounce, not inbound"),
        # A lone surrogate is not Unicode: not a message anymail can parse (json.dumps escapes it as "\ud800").
        pytest.param(json.dumps({"RawEmail": RAW.replace("Printer", "Printer \ud800")}), id="a lone surrogate"),
    ],
)
def test_a_malformed_body_is_a_400_with_a_log_line_and_stores_nothing(client, department, caplog, body):
    with caplog.at_level(logging.WARNING, logger="inbound.webhooks"):
        response = post_body(client, body)
    assert response.status_code == 400
    assert nothing_stored()
    (line,) = [r for r in caplog.records if r.name == "inbound.webhooks"]
    assert "Malformed postmark inbound webhook body" in line.getMessage() and "nothing stored" in line.getMessage()


def test_a_wrong_password_is_still_anymails_400_before_the_body_is_read(client, department):
    with committed():
        response = client.post(URL, b"not json", content_type="application/json", HTTP_AUTHORIZATION="Basic eDp5")
    assert response.status_code == 400 and nothing_stored()


def test_nul_bytes_in_headers_and_body_are_removed_before_storing(client, department, priority):
    raw = RAW.replace("Subject: Printer broken", "Subject: Printer\x00 broken").replace(
        "Message-ID: <m1@mail.example.org>", "Message-ID: <nul\x00@x>"
    )
    raw = raw.replace("prints nothing.", "prints\x00 nothing.")
    assert post_postmark(client, raw.encode()).status_code == 200
    row = InboundEmail.objects.get()
    assert "\x00" not in row.raw and row.subject == "Printer broken" and row.message_id == "<nul@x>"
    assert row.state == State.TICKET
    assert row.ticket.subject == "Printer broken"
    assert row.ticket.messages.get().body == "The printer on the second floor prints nothing."


def test_invalid_utf8_and_nul_in_an_8bit_message_from_any_esp_are_cleaned(department, priority):
    raw = (
        b"From: Bad \xff\xfe Name <bad@example.net>\r\nTo: support@inbound.example.com\r\n"
        b"Subject: broken \xff\x00 bytes\r\nMessage-ID: <bytes@x>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        b"body \xff\xfe with a nul \x00 and \xd9\x85\xd8\xb1\xdb\x8c\xd9\x85\r\n"
    )
    message = AnymailInboundMessage.parse_raw_mime_bytes(raw)
    event = AnymailInboundEvent(event_type="inbound", event_id="e1", message=message)
    with committed():
        inbound.send(sender=object, event=event, esp_name="Mailgun")
    row = InboundEmail.objects.get()
    assert row.state == State.TICKET, row.reason
    assert "\x00" not in row.raw + row.subject and "\ufffd" in row.subject
    body = Message.objects.get().body
    assert "\x00" not in body and "مریم" in body and body.startswith("body \ufffd\ufffd with a nul")
    assert "\x00" not in row.ticket.requester.full_name


def test_get_is_not_allowed(client, department):
    assert client.get(URL).status_code == 405


def test_nul_bytes_that_only_appear_once_decoded_are_removed_before_the_ticket_is_stored(client, department, priority):
    """The raw message is clean, but its encoded parts decode to NUL: an RFC 2047 subject and sender name, a
    quoted-printable body and an RFC 2231 attachment name. PostgreSQL refuses NUL in text, so each decoded value is
    cleaned before the ticket, the customer and the attachment are written (otherwise processing would fail on
    every attempt)."""
    import base64
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(picture, format="PNG")
    raw = "\r\n".join(
        [
            "From: =?utf-8?q?Re=00za?= <encoded@example.net>",
            "To: support@inbound.example.com",
            "Subject: =?utf-8?q?Printer=00_broken?=",
            "Message-ID: <encoded-nul@x>",
            "MIME-Version: 1.0",
            'Content-Type: multipart/mixed; boundary="B"',
            "",
            "--B",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "It prints=00 nothing.",
            "--B",
            "Content-Type: image/png",
            "Content-Disposition: attachment; filename*=utf-8''pho%00to.png",
            "Content-Transfer-Encoding: base64",
            "",
            base64.b64encode(picture.getvalue()).decode(),
            "--B--",
            "",
        ]
    )
    assert "\x00" not in raw
    assert post_postmark(client, raw.encode()).status_code == 200
    row = InboundEmail.objects.get()
    assert row.state == State.TICKET, row.reason
    assert row.ticket.subject == "Printer broken"
    message = row.ticket.messages.get()
    assert message.body == "It prints nothing."
    assert [a.original_name for a in message.attachments.all()] == ["photo.png"]
    assert row.ticket.requester.full_name == "Reza"
