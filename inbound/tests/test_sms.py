"""SMS-in: Kavenegar's receive callback (GET and POST) and polling `sms/receive` against the local stub."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from helpdesk.persian import to_latin_digits
from helpdesk.sms import backends as sms_backends
from inbound.models import InboundSms, State
from inbound.services import sms_poll
from inbound.tasks import poll_sms
from inbound.tests.helpers import committed
from notifications.models import Notification
from tickets.models import Channel, Ticket

pytestmark = pytest.mark.django_db
SECRET = "s3cret-path-token"


def url(secret=SECRET):
    return reverse("inbound:kavenegar_receive", args=[secret])


def callback(method, *args, **kwargs):
    """A callback request, with its on-commit work (the processing queued once it is stored) run as after a commit."""
    with committed():
        return method(*args, **kwargs)


def params(**overrides):
    data = {"from": "09351234567", "to": "10004346", "message": "اینترنت قطع است", "messageid": "5001"}
    data.update(overrides)
    return data


def test_callback_post_from_unknown_number_opens_a_ticket_and_acknowledges_by_sms(
    client, department, priority, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = callback(client.post, url(), params(**{"from": "+98 935 123 4567"}))
    assert response.status_code == 200
    row = InboundSms.objects.get()
    assert row.state == State.TICKET and row.source == InboundSms.Source.CALLBACK
    ticket = row.ticket
    assert ticket.department == department and ticket.channel == Channel.SMS
    assert ticket.requester.mobile == "09351234567" and ticket.requester.is_customer
    assert ticket.messages.get().body == "اینترنت قطع است"
    ack = Notification.objects.get(recipient=ticket.requester, channel="sms")
    assert ticket.reference in to_latin_digits(ack.body)
    (sent,) = [m for m in sms_backends.outbox if m["to"] == "09351234567"]
    assert ticket.reference in to_latin_digits(sent["text"])


def test_callback_get_is_accepted(client, department, priority):
    response = callback(client.get, url(), params())
    assert response.status_code == 200
    assert InboundSms.objects.get().state == State.TICKET


@pytest.mark.parametrize("secret", ["wrong", SECRET + "x", "s3cret-path-toke"])
def test_wrong_secret_is_404_and_stores_nothing(client, department, secret):
    assert client.post(url(secret), params()).status_code == 404
    assert client.get(url(secret), params()).status_code == 404
    assert not InboundSms.objects.exists() and not Ticket.objects.exists()


def test_callback_off_when_no_secret_is_configured(client, settings, department):
    settings.KAVENEGAR_INBOUND_SECRET = ""
    assert client.post("/inbound/sms/kavenegar//", params()).status_code == 404
    assert client.post(url(SECRET), params()).status_code == 404
    assert not InboundSms.objects.exists()


def test_missing_fields_are_400_and_store_nothing(client, department):
    assert callback(client.post, url(), {"message": "سلام"}).status_code == 400
    assert not InboundSms.objects.exists()


def test_other_methods_are_refused(client):
    assert client.put(url()).status_code == 405


def test_duplicate_messageid_makes_one_message(client, department, priority):
    callback(client.post, url(), params())
    callback(client.get, url(), params())
    assert InboundSms.objects.count() == 1 and Ticket.objects.count() == 1


def test_reply_by_reference_from_a_known_mobile(client, make_ticket, customer):
    ticket = make_ticket()
    persian_ref = ticket.reference.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    callback(client.post, url(), params(**{"from": customer.mobile, "message": f"#{persian_ref} هنوز درست نشده"}))
    row = InboundSms.objects.get()
    assert row.state == State.REPLY and row.ticket == ticket
    reply = ticket.messages.order_by("-pk").first()
    assert reply.author == customer and reply.channel == Channel.SMS and reply.body == "هنوز درست نشده"
    assert Ticket.objects.count() == 1


def test_reference_of_someone_elses_ticket_opens_a_new_ticket(client, make_ticket, customer):
    ticket = make_ticket()
    callback(client.post, url(), params(**{"from": "09350000000", "message": f"{ticket.reference} let me in"}))
    assert ticket.messages.count() == 1
    new = Ticket.objects.exclude(pk=ticket.pk).get()
    assert new.requester.mobile == "09350000000"


def test_unknown_number_refused_by_setting(client, settings, department):
    settings.INBOUND_UNKNOWN_SENDERS = "refuse"
    assert callback(client.post, url(), params()).status_code == 200
    assert InboundSms.objects.get().state == State.REFUSED
    assert not Ticket.objects.exists() and not User.objects.filter(mobile="09351234567").exists()


def test_not_a_mobile_number_is_refused(client, department):
    callback(client.post, url(), params(**{"from": "10004346"}))
    assert InboundSms.objects.get().state == State.REFUSED and not Ticket.objects.exists()


def test_sms_department_by_id(client, settings, department, priority):
    settings.SMS_DEPARTMENT = str(department.pk)
    callback(client.post, url(), params())
    assert Ticket.objects.get().department == department


def test_polling_reads_the_gateway_and_overlaps_with_the_callback(client, kavenegar, department, priority):
    callback(client.post, url(), params(messageid="9001"))  # the callback got this one already
    kavenegar.inbox += [
        {
            "messageid": 9001,
            "message": "اینترنت قطع است",
            "sender": "09351234567",
            "receptor": "10004346",
            "date": 1700000000,
        },
        {
            "messageid": 9002,
            "message": "تلفن هم کار نمی‌کند",
            "sender": "09357654321",
            "receptor": "10004346",
            "date": 1700000100,
        },
    ]
    with committed():
        assert poll_sms() == 1
    (call,) = kavenegar.calls_to("sms/receive")
    assert call.params == {"linenumber": "10004346", "isread": "0"}
    assert InboundSms.objects.count() == 2 and Ticket.objects.count() == 2
    assert InboundSms.objects.get(provider_message_id="9002").source == InboundSms.Source.POLL
    assert sms_poll() == 0  # the inbox is empty now


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"messageid": ""}, id="empty messageid"),
        pytest.param({"from": "  "}, id="blank sender"),
        pytest.param({"messageid": "5" * 65}, id="messageid too long (it would be cut and collide)"),
        pytest.param({"messageid": "50 01"}, id="messageid with a space"),
        pytest.param({"messageid": "5001\x00"}, id="messageid with a NUL"),
        pytest.param({"from": "not a number"}, id="sender not a number"),
        pytest.param({"to": "1" * 33}, id="line too long"),
    ],
)
def test_ill_typed_fields_are_400_with_a_log_line_and_store_nothing(client, department, caplog, overrides):
    response = callback(client.post, url(), params(**overrides))
    assert response.status_code == 400
    assert not InboundSms.objects.exists() and not Ticket.objects.exists()
    assert any("Kavenegar callback refused (400)" in r.getMessage() for r in caplog.records)


def test_nul_bytes_and_invalid_utf8_in_the_text_are_cleaned_before_storing(client, department, priority):
    body = b"from=09351234567&to=10004346&messageid=5001&message=%D8%B3%D9%84%D8%A7%D9%85%00%FF%FE!"
    response = callback(client.post, url(), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    row = InboundSms.objects.get()
    assert row.text == "سلام\ufffd\ufffd!" and row.state == State.TICKET
    assert row.ticket.messages.get().body == "سلام\ufffd\ufffd!"
