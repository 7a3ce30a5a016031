"""A database failure during a request is a clear "not saved, try again" (503, Retry-After), never a success page over
a rolled-back transaction and never a bare 500; and `optional_step` contains an optional step's failure only while
the transaction around it is intact. (Killing real PostgreSQL connections in the middle of the ticket services is in
tickets/tests/test_killed_connections.py.)"""

from __future__ import annotations

import logging

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from helpdesk.models import IPBlock
from helpdesk.transactions import optional_step
from helpdesk.urls import urlpatterns as site_urlpatterns


def _write_then_lose_the_connection(request):
    with transaction.atomic():
        IPBlock.objects.create(network="203.0.113.7", reason="written, then lost")
        raise OperationalError("server closed the connection unexpectedly")


def _read_fails(request):
    raise InterfaceError("connection already closed")


def _swallowed(request):
    """What the rule forbids, for contrast: the loss is caught inside the block and the view reports success."""
    with transaction.atomic():
        IPBlock.objects.create(network="198.51.100.1")
        try:
            with transaction.atomic():
                IPBlock.objects.create(network="198.51.100.1")  # a duplicate: IntegrityError, in its savepoint
        except IntegrityError:
            pass  # legitimate: the savepoint was rolled back, the outer transaction is intact
    return HttpResponse("saved")


urlpatterns = [
    path("test/write/", _write_then_lose_the_connection),
    path("test/read/", _read_fails),
    path("test/savepoint/", _swallowed),
    *site_urlpatterns,
]
handler500 = "helpdesk.views.server_error"

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


@pytest.fixture
def browser():
    """A client that gets the page a browser would get (the test client re-raises a view's exception by default)."""
    return Client(raise_request_exception=False)


def test_a_post_that_loses_the_database_answers_503_not_saved_in_persian(browser, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = browser.post("/test/write/", {"x": "1"})
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    assert "ذخیره نشد؛ دوباره تلاش کنید" in html and 'dir="rtl"' in html and "۵۰۳" in html
    assert not IPBlock.objects.exists()  # and indeed nothing was stored
    assert any(r.exc_info and r.exc_info[0] is OperationalError for r in caplog.records)  # the traceback is logged


def test_in_english_too(browser):
    browser.cookies["django_language"] = "en"
    html = browser.post("/test/write/").content.decode()
    assert "Not saved; please try again" in html and 'dir="ltr"' in html


def test_a_page_that_cannot_be_read_is_unavailable_not_an_error(browser):
    response = browser.get("/test/read/")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    html = response.content.decode()
    assert "این صفحه موقتاً در دسترس نیست" in html and "ذخیره نشد" not in html


def test_other_errors_stay_a_500(browser, settings):
    settings.ROOT_URLCONF = "helpdesk.tests.test_shell"
    response = browser.get("/test/500/")
    assert response.status_code == 500 and "Retry-After" not in response


def test_a_contained_integrity_error_in_a_savepoint_is_not_a_lost_transaction(browser):
    assert browser.get("/test/savepoint/").content == b"saved"
    assert list(IPBlock.objects.values_list("network", flat=True)) == ["198.51.100.1"]


# --- optional_step --------------------------------------------------------------------------------------------------


def test_an_optional_steps_failure_is_contained_and_its_writes_rolled_back(caplog):
    with transaction.atomic():
        IPBlock.objects.create(network="192.0.2.1")
        with caplog.at_level(logging.ERROR), optional_step("the extra block") as step:
            IPBlock.objects.create(network="192.0.2.2")
            raise RuntimeError("a bug in an optional step")
        IPBlock.objects.create(network="192.0.2.3")  # the transaction goes on
    assert sorted(IPBlock.objects.values_list("network", flat=True)) == ["192.0.2.1", "192.0.2.3"]
    assert step.failed and isinstance(step.error, RuntimeError)
    assert "the extra block failed" in caplog.text


def test_a_refusal_is_logged_as_a_warning_without_traceback(caplog):
    from django.core.exceptions import ValidationError

    with caplog.at_level(logging.WARNING), optional_step("a rule's action") as step:
        raise ValidationError("the agent left the department")
    assert step.failed
    (record,) = [r for r in caplog.records if r.name == "helpdesk.transactions"]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "a rule's action failed: the agent left the department" in record.getMessage()


def test_a_lost_connection_is_never_contained_inside_a_transaction():
    with pytest.raises(OperationalError), transaction.atomic(), optional_step("a step") as step:
        raise OperationalError("terminating connection due to administrator command")
    assert step.error is None


def test_a_step_whose_savepoint_cannot_be_rolled_back_is_raised(monkeypatch):
    """Rolling back to the savepoint failed (the connection is gone): Django marks the transaction for rollback,
    and the step's error, whatever it is, must reach the caller."""

    def broken_rollback(sid):
        raise InterfaceError("connection already closed")

    with pytest.raises(RuntimeError), transaction.atomic(), optional_step("a step"):
        monkeypatch.setattr(connection, "savepoint_rollback", broken_rollback)
        raise RuntimeError("a bug")
    monkeypatch.undo()


def test_outside_a_transaction_the_step_is_its_own_transaction(transactional_db):
    assert not connection.in_atomic_block
    with optional_step("a hook after the commit") as step:
        IPBlock.objects.create(network="192.0.2.9")
        raise OperationalError("lost")
    assert step.failed and not IPBlock.objects.exists()


def test_without_a_savepoint_every_database_error_is_raised():
    with pytest.raises(IntegrityError), optional_step("rendering", savepoint=False):
        raise IntegrityError("no savepoint to roll back to")
    with optional_step("rendering", savepoint=False) as step:
        raise KeyError("a template variable")
    assert isinstance(step.error, KeyError)
