"""Nothing stays behind a rollback (#10.10): files written inside a transaction go when it rolls back
(`files.atomic`), and the daily sweep deletes old files that no row references."""

import datetime as dt
import os
from pathlib import Path

import pytest
import time_machine
from anymail.inbound import AnymailInboundMessage
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from helpdesk import files, services
from helpdesk.models import SiteSettings
from helpdesk.tasks import sweep_orphan_files
from helpdesk.tests.errors import error_codes
from inbound.services import email_receive
from inbound.tests.helpers import committed, eml
from limits.models import IncreaseRequest
from limits.periods import Period
from limits.services import increase_request_file
from limits.tests.conftest import signed_form, tehran
from limits.tests.factories import TaxpayerFactory
from tickets import hooks
from tickets.models import Attachment, Message, Ticket
from tickets.services import note_add, reply_add
from tickets.tests.views_support import png, text_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """An empty MEDIA_ROOT of the test's own, so "no file left" means no file at all."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def stored(media: Path) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


@pytest.fixture
def failing_hook():
    """A ticket-created hook that raises: it runs inside `ticket_create`, after the attachments were written."""

    def hook(ticket):
        assert ticket.messages.get().attachments.exists()  # the files are written by now
        raise RuntimeError("a hook failed")

    hooks.register_ticket_created(hook)
    yield
    hooks.on_ticket_created.remove(hook)


# --- rolled back inside the service ----------------------------------------------------------------------------


def test_a_ticket_rolled_back_by_a_failing_hook_leaves_no_file(make_ticket, failing_hook, media):
    with pytest.raises(RuntimeError):
        make_ticket(attachments=[png(), text_file()])
    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    assert stored(media) == []


def test_a_committed_ticket_keeps_its_files(make_ticket, media):
    ticket = make_ticket(attachments=[png()])
    (attachment,) = Attachment.objects.filter(message__ticket=ticket)
    assert stored(media) == [attachment.file.name]


def test_a_reply_and_a_note_rolled_back_after_their_files_leave_none(ticket, customer, agent, media, monkeypatch):
    from tickets.services import _common

    def failing_emit(event):
        raise RuntimeError("writing the outbox failed")

    monkeypatch.setattr(_common, "emit", failing_emit)
    with pytest.raises(RuntimeError):
        reply_add(ticket=ticket, author=customer, body="عکس", attachments=[png()])
    with pytest.raises(RuntimeError):
        note_add(ticket=ticket, author=agent, body="یادداشت", attachments=[text_file()])
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert stored(media) == []


def test_an_enclosing_files_atomic_takes_the_files_of_a_ticket_it_rolls_back(make_ticket, media):
    # ticket_create committed its savepoint; the caller's block then fails (as inbound processing can).
    with pytest.raises(RuntimeError), files.atomic():
        make_ticket(attachments=[png()])
        assert len(stored(media)) == 1
        raise RuntimeError("the caller failed after the ticket was filed")
    assert not Ticket.objects.exists()
    assert stored(media) == []


def test_a_savepoint_rolled_back_inside_a_committed_transaction_takes_its_files(make_ticket, media):
    with transaction.atomic():
        kept = make_ticket(attachments=[png()])
        with pytest.raises(RuntimeError), files.atomic():
            make_ticket(attachments=[text_file()])
            raise RuntimeError("only this part fails")
    assert stored(media) == [Attachment.objects.get(message__ticket=kept).file.name]


def test_the_site_logo_of_a_failed_save_is_not_left_behind(media, monkeypatch):
    SiteSettings.objects.create(pk=1)
    with pytest.raises(ValidationError) as refused:  # invalid values: refused before anything is written
        services.site_settings_update(logo=ContentFile(png().read(), name="logo.png"), records_per_page=0)
    assert error_codes(refused.value) == {"records_per_page": ["min_value"]}
    assert stored(media) == []

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(SiteSettings, "save", failing_save)
    with pytest.raises(RuntimeError):  # the file is written, then the row fails
        services.site_settings_update(logo=ContentFile(png().read(), name="logo.png"))
    assert stored(media) == []


# --- the Article 6 signed form (limits files it through ticket_create) ----------------------------------------


@pytest.fixture
def article6_clock():
    with time_machine.travel(tehran(1404, 5, 10), tick=False) as traveller:
        yield traveller


def _file_request(taxpayer):
    return increase_request_file(
        taxpayer=taxpayer,
        period=Period(1404, 2),
        amount=1_000_000_000,
        signed_form=signed_form(),
        filed_by=taxpayer.owner_user,
    )


def test_an_article6_request_rolled_back_inside_ticket_create_leaves_no_signed_form(
    article6_clock, failing_hook, media
):
    taxpayer = TaxpayerFactory()
    with pytest.raises(RuntimeError):
        _file_request(taxpayer)
    assert not IncreaseRequest.objects.exists()
    assert stored(media) == []


def test_an_article6_request_rolled_back_after_ticket_create_leaves_no_signed_form(article6_clock, media, monkeypatch):
    """A failure in limits' own transaction after ticket_create returned (its ticket and the signed form were
    written): the request's `files.atomic` takes the form with the rollback, not the sweep hours later."""
    taxpayer = TaxpayerFactory()

    def failing_create(*args, **kwargs):
        raise RuntimeError("the request row could not be written")

    monkeypatch.setattr(IncreaseRequest.objects, "create", failing_create)
    with pytest.raises(RuntimeError):
        _file_request(taxpayer)
    assert not Attachment.objects.exists()
    assert stored(media) == []


# --- email-in: processing that fails after the ticket was filed rolls back its files too ----------------------


def test_inbound_processing_that_fails_after_ticket_create_leaves_no_file(
    department, priority, media, settings, monkeypatch
):
    from inbound.services import intake

    settings.INBOUND_EMAIL_DEPARTMENT = department.name
    calls = []

    def failing_note(**kwargs):  # the note about the refused attachment: after ticket_create has returned
        calls.append(kwargs)
        raise RuntimeError("server closed the connection unexpectedly")

    monkeypatch.setattr(intake, "note_add", failing_note)
    disguised = b"MZ\x90\x00" + b"\x00" * 200
    raw = eml(
        sender="att@example.net",
        message_id="<after@x>",
        attachments=[("photo.png", "image/png", png().read()), ("invoice.png", "image/png", disguised)],
    )
    with committed():
        row, _ = email_receive(message=AnymailInboundMessage.parse_raw_mime_bytes(raw))
    row.refresh_from_db()
    assert calls and row.state == "received" and "RuntimeError" in row.reason  # rolled back, to be retried
    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    assert stored(media) == []


# --- the sweep ------------------------------------------------------------------------------------------------


def _age(media: Path, name: str, hours: float) -> None:
    then = (timezone.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(media / name, (then, then))


def test_the_sweep_deletes_old_unreferenced_files_and_keeps_referenced_and_young_ones(make_ticket, media):
    ticket = make_ticket(attachments=[png()])
    referenced = Attachment.objects.get(message__ticket=ticket).file.name
    orphan = default_storage.save("attachments/2025/01/02/orphan.pdf", ContentFile(b"%PDF-1.4 left behind"))
    young = default_storage.save("attachments/2026/03/04/young.pdf", ContentFile(b"%PDF-1.4 being filed"))
    kb_orphan = default_storage.save("kb/2025/01/orphan.png", ContentFile(b"old"))
    logo_orphan = default_storage.save("branding/orphan.png", ContentFile(b"old"))
    elsewhere = default_storage.save("exports/report.csv", ContentFile(b"not a registered folder"))
    for name in (referenced, orphan, kb_orphan, logo_orphan, elsewhere):
        _age(media, name, hours=django_settings.UPLOADS_ORPHAN_HOURS + 1)
    _age(media, young, hours=django_settings.UPLOADS_ORPHAN_HOURS - 1)

    assert sweep_orphan_files.delay().get() == 3  # the beat task
    assert stored(media) == sorted([referenced, young, elsewhere])
    assert files.sweep_orphans() == 0  # nothing more to do


def test_the_sweep_runs_daily_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["files-sweep-orphans"]
    assert entry["task"] == sweep_orphan_files.name
    assert {folder.prefix for folder in files._folders.values()} == {"attachments", "kb", "branding"}
