"""Message bodies are Markdown rendered through the sanitiser (helpdesk.markdown) — checked on real messages."""

import pytest

from tickets import services

pytestmark = pytest.mark.django_db


def html_of(ticket, agent, body):
    return services.reply_add(ticket=ticket, author=agent, body=body).html


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[click](javascript:alert(1))",
        '<svg onload="alert(1)"></svg>',
        '<iframe src="https://evil.example"></iframe>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ],
)
def test_dangerous_markup_is_removed(ticket, agent, body):
    html = str(html_of(ticket, agent, body)).lower()
    for bad in ("<script", "onerror", "onload", "javascript:", "<iframe", "style=", "data:text/html", "<svg"):
        assert bad not in html


def test_markdown_is_rendered(ticket, agent):
    html = str(html_of(ticket, agent, "**مهم**\n\n- یک\n- دو\n\n[راهنما](https://example.com/help)"))
    assert "<strong>مهم</strong>" in html
    assert "<li>یک</li>" in html
    assert 'href="https://example.com/help"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_the_body_stays_as_written_and_its_html_is_sanitised(ticket, agent):
    """The stored body stays as written; only its stored HTML (what pages show) is sanitised."""
    message = services.reply_add(ticket=ticket, author=agent, body="<script>x</script> متن")
    message.refresh_from_db()
    assert message.body == "<script>x</script> متن"
    assert "<script>" not in str(message.html)
