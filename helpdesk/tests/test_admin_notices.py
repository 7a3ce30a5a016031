"""The admin index shows the notices other apps register (`helpdesk.admin_notices`), escaped, with their links."""

import pytest
from bs4 import BeautifulSoup

from accounts.tests.factories import AdminFactory
from helpdesk import admin_notices

pytestmark = pytest.mark.django_db


@pytest.fixture
def only(monkeypatch):
    """Replace the registered providers for one test."""

    def use(*providers):
        monkeypatch.setattr(admin_notices, "providers", [])
        for provider in providers:
            admin_notices.register(provider)
            admin_notices.register(provider)  # twice is harmless

    return use


def notices(client):
    return BeautifulSoup(client.get("/admin/").content, "html.parser").select("[data-admin-notices] li")


def test_registered_notices_are_shown_escaped_with_their_links(client, only):
    only(
        lambda request: [admin_notices.AdminNotice("<b>بخوانید</b>", link_url="/admin/x/", link_text="اینجا")],
        lambda request: [admin_notices.AdminNotice(f"برای {request.user.full_name}")],
    )
    admin = AdminFactory(full_name="مدیر")
    client.force_login(admin)
    first, second = notices(client)
    assert first.get_text(" ", strip=True) == "<b>بخوانید</b> اینجا" and first.select_one("b") is None
    assert first.select_one("a")["href"] == "/admin/x/"
    assert second.get_text(strip=True) == "برای مدیر" and second.select_one("a") is None


def test_no_notices_no_list(client, only):
    only(lambda request: [])
    client.force_login(AdminFactory())
    assert notices(client) == []
