"""Pinned query counts (#9) of the site-wide pages: home, health check, the JavaScript catalogue, the admin's own
pages, and the admin of site settings, IP blocks and groups."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from helpdesk.models import IPBlock, SiteSettings
from helpdesk.tests.pins import AdminPins, admin_names, admin_pins, pinned_get

pytestmark = pytest.mark.django_db


@pytest.mark.pins("home")
@pytest.mark.parametrize(("who", "queries"), [("visitor", 0), ("customer", 2), ("agent", 2), ("site_admin", 2)])
def test_the_home_page(request, client, who, queries):
    if who != "visitor":
        client.force_login(request.getfixturevalue(who))
    pinned_get(client, reverse("home"), queries)


@pytest.mark.pins("healthz")
def test_the_health_check_is_one_query(client):
    """`SELECT 1`, nothing else: no session, no site settings."""
    pinned_get(client, reverse("healthz"), 1)


@pytest.mark.pins("javascript-catalog")
def test_the_javascript_catalogue(client):
    pinned_get(client, reverse("javascript-catalog"), 0)


# --- the admin's own pages ------------------------------------------------------------------------------------


@pytest.mark.pins("admin:login")
def test_the_admin_login_page(client):
    pinned_get(client, reverse("admin:login"), 0)


@pytest.mark.pins(
    "admin:index", "admin:app_list", "admin:password_change", "admin:password_change_done", "admin:jsi18n"
)
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        (reverse("admin:index"), 6),  # one for the admin notices (the Article 6 years banner)
        (reverse("admin:app_list", args=["tickets"]), 4),  # app_index.html extends index.html: notices too
        (reverse("admin:password_change"), 3),
        (reverse("admin:password_change_done"), 3),
        (reverse("admin:jsi18n"), 2),
    ],
)
def test_the_admin_pages_of_a_site_admin(client, site_admin, url, queries):
    client.force_login(site_admin)
    pinned_get(client, url, queries)


# --- site settings (one row), IP blocks, groups ---------------------------------------------------------------


@pytest.mark.pins(*admin_names([SiteSettings]))
def test_the_site_settings_admin(client, site_admin):
    """The one row: the list opens it, there is nothing to add or delete."""
    client.force_login(site_admin)
    SiteSettings.objects.get_or_create(pk=1)
    pinned_get(client, reverse("admin:helpdesk_sitesettings_changelist"), 3, status=302)
    pinned_get(client, reverse("admin:helpdesk_sitesettings_add"), 3, status=403)
    pinned_get(client, reverse("admin:helpdesk_sitesettings_change", args=[1]), 5)
    pinned_get(client, reverse("admin:helpdesk_sitesettings_history", args=[1]), 5)
    pinned_get(client, reverse("admin:helpdesk_sitesettings_delete", args=[1]), 3, status=403)


ADMIN = {
    IPBlock: AdminPins(changelist=6, add=3, change=4, history=5, delete=4),
    Group: AdminPins(changelist=6, add=4, change=6, history=5, delete=6),
}


def _blocks(n: int) -> IPBlock:
    start = IPBlock.objects.count()
    blocks = IPBlock.objects.bulk_create(IPBlock(network=f"203.0.113.{start + i}", reason="هرزنامه") for i in range(n))
    return blocks[-1]


def _groups(n: int) -> Group:
    start = Group.objects.count()
    return Group.objects.bulk_create(Group(name=f"گروه {start + i}") for i in range(n))[-1]


@pytest.mark.pins(*admin_names(ADMIN))
@pytest.mark.parametrize("model", ADMIN, ids=lambda m: m.__name__)
def test_the_admin_pages(client, site_admin, model):
    client.force_login(site_admin)
    admin_pins(client, model, ADMIN[model], {IPBlock: _blocks, Group: _groups}[model])
