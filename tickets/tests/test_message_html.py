"""The sanitised HTML of a message is stored when the message is written and shown as stored (#15.3); the
`rebuild_message_html` command and the back-fill migration render it again."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from helpdesk import markdown
from tickets import services
from tickets.models import Message

from .views_support import ticket_url

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1)) **مهم**"


def assert_clean(html: str) -> None:
    lowered = html.lower()
    for bad in ("<script", "onerror", "javascript:"):
        assert bad not in lowered
    assert "<strong>مهم</strong>" in html


def test_every_path_that_writes_a_message_stores_its_sanitised_html(make_ticket, agent):
    ticket = make_ticket(body=XSS)
    reply = services.reply_add(ticket=ticket, author=agent, body=XSS)
    note = services.note_add(ticket=ticket, author=agent, body=XSS)
    rows = list(Message.objects.filter(ticket=ticket).values_list("body", "body_html"))
    assert len(rows) == 3 and {reply.pk, note.pk} < set(ticket.messages.values_list("pk", flat=True))
    for body, html in rows:
        assert body == XSS  # the text stays as written
        assert_clean(html)


def test_the_staff_and_customer_pages_show_the_stored_html_without_rendering(
    client, make_ticket, agent, customer, no_renderer_later
):
    ticket = make_ticket(body=XSS)
    services.reply_add(ticket=ticket, author=agent, body="پاسخ **کارشناس**")
    no_renderer_later()
    for user in (agent, customer):
        client.force_login(user)
        page = client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()
        assert "<strong>مهم</strong>" in page and "<strong>کارشناس</strong>" in page
        assert "<script>alert(1)" not in page and "onerror" not in page


@pytest.fixture
def no_renderer_later(monkeypatch):
    def switch_off():
        def refuse(*args, **kwargs):
            raise AssertionError("Markdown rendered while showing a page")

        monkeypatch.setattr(markdown.md, "markdown", refuse)

    return switch_off


def test_the_page_shows_what_is_stored(client, ticket, agent):
    """Display reads the column: what the column says is what the page says (escaped only by the sanitiser)."""
    ticket.messages.update(body_html="<p>از ستون</p>")
    client.force_login(agent)
    assert "<p>از ستون</p>" in client.get(ticket_url("detail", ticket)).content.decode()


def run_rebuild(*args: str) -> str:
    out = io.StringIO()
    call_command("rebuild_message_html", *args, stdout=out)
    return out.getvalue()


def test_rebuild_renders_again_after_a_sanitiser_change_and_is_idempotent(make_ticket, agent, monkeypatch):
    ticket = make_ticket(body="**یک**")
    for i in range(4):
        services.reply_add(ticket=ticket, author=agent, body=f"**{i}** [پیوند](https://example.com/{i})")
    assert "0 message(s)" in run_rebuild()  # nothing changed: nothing written

    monkeypatch.setattr(markdown, "ALLOWED_TAGS", markdown.ALLOWED_TAGS - {"strong"})  # a tightened sanitiser
    assert "5 message(s)" in run_rebuild("--batch-size", "2")  # three batches: 2, 2, 1
    htmls = list(ticket.messages.values_list("body_html", flat=True))
    assert len(htmls) == 5 and not any("<strong>" in h for h in htmls)
    assert "یک" in htmls[0] and 'href="https://example.com/3"' in htmls[-1]
    assert "0 message(s)" in run_rebuild("--batch-size", "2")


def test_rebuild_repairs_a_stale_or_empty_column(ticket):
    ticket.messages.update(body_html="<script>stale</script>")
    assert "1 message(s)" in run_rebuild()
    html = ticket.messages.get().body_html
    assert "<strong>چیزی</strong>" in html and "<script>" not in html


@pytest.mark.django_db(transaction=True)
def test_the_migration_back_fills_existing_messages(make_ticket):
    ticket = make_ticket(body="**قدیمی** <script>x</script>")
    executor = MigrationExecutor(connection)
    executor.migrate([("tickets", "0005_message_created")])
    try:
        old = executor.loader.project_state([("tickets", "0005_message_created")]).apps.get_model("tickets", "Message")
        assert "body_html" not in {f.name for f in old._meta.fields}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    html = Message.objects.get(ticket=ticket).body_html
    assert "<strong>قدیمی</strong>" in html and "<script>" not in html
