"""Our Kavenegar client and the SMS backends, over real HTTP to the local stub."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from helpdesk.sms import SmsAccountError, SmsRejected, SmsTemporaryError, get_backend
from helpdesk.sms import backends as sms_backends
from helpdesk.sms.backends import ConsoleBackend, KavenegarBackend, LocmemBackend, classify_kavenegar
from helpdesk.sms.kavenegar import KavenegarClient, KavenegarError

from .kavenegar_stub import API_KEY, KavenegarStub, Reply

pytestmark = pytest.mark.usefixtures("notifications_env")


@pytest.fixture
def stub():
    with KavenegarStub() as running:
        yield running


@pytest.fixture
def client(stub):
    return KavenegarClient(API_KEY, base_url=stub.base_url, timeout=0.5)


def test_send_posts_the_form_and_returns_the_whole_envelope(stub, client):
    envelope = client.sms_send(receptor="09121110000", message="سلام", sender="10004346", localid=42)
    assert envelope["return"] == {"status": 200, "message": "تایید شد"}
    (entry,) = envelope["entries"]
    assert entry["receptor"] == "09121110000" and entry["messageid"]
    (call,) = stub.calls
    assert call.endpoint == "sms/send" and call.http_method == "POST" and call.api_key == API_KEY
    assert call.params == {"receptor": "09121110000", "message": "سلام", "sender": "10004346", "localid": "42"}


def test_no_sender_is_not_sent_at_all(stub, client):
    client.sms_send(receptor="09121110000", message="سلام")
    assert "sender" not in stub.calls[0].params and "localid" not in stub.calls[0].params


def test_a_refusal_is_a_typed_error_with_code_and_message(stub, client):
    stub.script("sms/send", Reply(code=418))
    with pytest.raises(KavenegarError) as caught:
        client.sms_send(receptor="09121110000", message="سلام")
    assert caught.value.code == 418
    assert caught.value.message == "اعتبار حساب شما کافی نیست"
    assert caught.value.http_status == 418


def test_an_answer_that_is_not_json_has_no_code(stub, client):
    stub.script("sms/send", Reply(http=502, raw="<html>Bad Gateway</html>"))
    with pytest.raises(KavenegarError) as caught:
        client.sms_send(receptor="09121110000", message="سلام")
    assert caught.value.code is None and caught.value.http_status == 502


def test_json_without_return_is_an_error_not_a_key_error(stub, client):
    stub.script("sms/send", Reply(http=200, raw='{"entries": []}'))
    with pytest.raises(KavenegarError) as caught:
        client.sms_send(receptor="09121110000", message="سلام")
    assert caught.value.code is None and caught.value.http_status == 200


def test_a_slow_answer_is_a_timeout_that_may_have_been_sent(stub, client):
    stub.script("sms/send", Reply(delay=1.5))
    with pytest.raises(KavenegarError) as caught:
        client.sms_send(receptor="09121110000", message="سلام", localid=7)
    assert caught.value.timeout and caught.value.maybe_sent
    assert "7" in stub.accepted  # the gateway did take it


def test_the_key_is_never_in_repr_or_errors(stub):
    port = stub.server.server_address[1]
    stub.stop()  # nothing listens any more: requests' error names the URL, key included
    client = KavenegarClient(API_KEY, base_url=f"http://127.0.0.1:{port}/v1", timeout=0.5)
    with pytest.raises(KavenegarError) as caught:
        client.account_info()
    assert caught.value.code is None and not caught.value.timeout
    assert API_KEY not in str(caught.value) and "***" in str(caught.value)
    assert caught.value.__suppress_context__  # the original exception (with the URL) is not chained for display
    assert API_KEY not in repr(client)


def test_status_by_local_id_and_receive(stub, client):
    client.sms_send(receptor="09121110000", message="سلام", localid=5)
    entries = client.sms_status_localid(localids=["5", "6"])["entries"]
    assert [(e["localid"], e["status"]) for e in entries] == [("5", 10), ("6", 100)]
    stub.inbox.append(
        {"messageid": 91, "message": "خرابی", "sender": "09121110000", "receptor": "10004346", "date": 1700000000}
    )
    received = client.sms_receive(linenumber="10004346")["entries"]
    assert received[0]["messageid"] == 91
    assert stub.calls[-1].params == {"linenumber": "10004346", "isread": "0"}


@pytest.mark.parametrize(
    ("code", "http", "expected"),
    [
        (None, None, SmsTemporaryError),  # network
        (None, 500, SmsTemporaryError),
        (None, 503, SmsTemporaryError),
        (None, 429, SmsTemporaryError),
        (None, 404, SmsRejected),
        (409, 409, SmsTemporaryError),
        (402, 402, SmsTemporaryError),
        (451, 451, SmsTemporaryError),
        (411, 411, SmsRejected),
        (413, 413, SmsRejected),
        (400, 400, SmsRejected),
        (414, 414, SmsRejected),
        (418, 418, SmsAccountError),
        (401, 401, SmsAccountError),
        (403, 403, SmsAccountError),
        (407, 407, SmsAccountError),
        (412, 412, SmsAccountError),
        (416, 416, SmsAccountError),
        (424, 424, SmsAccountError),
        (426, 426, SmsAccountError),
        (427, 427, SmsAccountError),
        (429, 429, SmsAccountError),
        (501, 501, SmsAccountError),
        (999, 200, SmsRejected),  # unknown: never retried blindly
    ],
)
def test_classification_follows_the_integrations_table(code, http, expected):
    error = classify_kavenegar(KavenegarError(code, "پیام", http_status=http))
    assert type(error) is expected
    if code is not None:
        assert error.code == code and str(code) in error.reason


def test_backend_send_and_find_sent(kavenegar):
    backend = get_backend()
    assert isinstance(backend, KavenegarBackend)
    sent = backend.send(to="09121110000", text="سلام", local_id="12")
    assert sent.message_id == str(kavenegar.accepted["12"]["messageid"])
    assert kavenegar.calls[0].params["sender"] == "10004346"
    assert backend.find_sent(local_id="12").message_id == sent.message_id
    assert backend.find_sent(local_id="13") is None


def test_backend_maps_errors(kavenegar):
    kavenegar.script("sms/send", Reply(code=411), Reply(code=418), Reply(http=500, raw="oops"))
    backend = get_backend()
    with pytest.raises(SmsRejected):
        backend.send(to="0912", text="سلام", local_id="1")
    with pytest.raises(SmsAccountError):
        backend.send(to="09121110000", text="سلام", local_id="2")
    with pytest.raises(SmsTemporaryError):
        backend.send(to="09121110000", text="سلام", local_id="3")


def test_backend_receive_for_sms_in(kavenegar):
    kavenegar.inbox.append(
        {
            "messageid": 77,
            "message": "۴۸۳۰۲۷۱ هنوز درست نشده",
            "sender": "09121110000",
            "receptor": "10004346",
            "date": 1700000000,
        }
    )
    (message,) = get_backend().receive()
    assert (message.message_id, message.sender, message.text) == ("77", "09121110000", "۴۸۳۰۲۷۱ هنوز درست نشده")
    assert message.received_at.year == 2023


def test_kavenegar_without_a_key_is_a_configuration_error(settings):
    settings.SMS_BACKEND = "kavenegar"
    settings.KAVENEGAR_API_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        get_backend()


def test_backends_by_alias_or_path(settings):
    settings.SMS_BACKEND = "console"
    assert isinstance(get_backend(), ConsoleBackend)
    settings.SMS_BACKEND = "helpdesk.sms.backends.LocmemBackend"
    assert isinstance(get_backend(), LocmemBackend)
    settings.SMS_BACKEND = "helpdesk.sms.backends.Nothing"
    with pytest.raises(ImproperlyConfigured):
        get_backend()


def test_console_backend_logs_the_text(settings, caplog):
    settings.SMS_BACKEND = "console"
    with caplog.at_level(logging.INFO, logger="helpdesk.sms"):
        sent = get_backend().send(to="09121110000", text="درخواست شما ثبت شد", local_id="3")
    assert sent.message_id == "console-3"
    assert "درخواست شما ثبت شد" in caplog.text


def test_locmem_backend_keeps_the_outbox():
    backend = LocmemBackend()
    backend.send(to="09121110000", text="یک", local_id="1")
    assert sms_backends.outbox == [{"to": "09121110000", "text": "یک", "local_id": "1"}]
    assert backend.find_sent(local_id="1").message_id == "locmem-1"
    assert backend.find_sent(local_id="2") is None
