"""Maintenance mode (F30): everyone but admins gets a Persian 503 page with Retry-After; admins can still get in."""

import pytest
from django.urls import reverse

from accounts.tests.factories import (
    PASSWORD,
    AdminFactory,
    AgentFactory,
    CustomerFactory,
    ManagerFactory,
    SupervisorFactory,
)
from helpdesk import services

pytestmark = pytest.mark.django_db

MESSAGE = "سامانه تا ساعت ۱۸ در دست به‌روزرسانی است."


@pytest.fixture
def maintenance(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.site_settings_update(maintenance_mode=True, maintenance_message=MESSAGE)


def assert_maintenance_page(response, settings):
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.MAINTENANCE_RETRY_AFTER)
    assert "no-cache" in response["Cache-Control"]
    assert "maintenance.html" in [t.name for t in response.templates]
    assert response.context["message"] == MESSAGE
    assert MESSAGE in response.content.decode()


@pytest.mark.parametrize("factory", [None, CustomerFactory, AgentFactory, SupervisorFactory, ManagerFactory])
def test_everyone_but_admins_gets_the_maintenance_page(client, maintenance, settings, factory):
    if factory is not None:
        client.force_login(factory(is_staff=factory is not CustomerFactory))
    assert_maintenance_page(client.get(reverse("home")), settings)
    assert_maintenance_page(client.post(reverse("home"), {"x": "1"}), settings)
    assert_maintenance_page(client.get("/tickets/"), settings)


def test_staff_cannot_use_the_admin_during_maintenance(client, maintenance, settings):
    client.force_login(ManagerFactory(is_staff=True))
    assert_maintenance_page(client.get(reverse("admin:index")), settings)


@pytest.mark.parametrize(
    "make_admin",
    [
        AdminFactory,
        lambda: AdminFactory(is_superuser=False),  # the admin role is enough
        lambda: CustomerFactory(is_superuser=True, is_staff=True),  # and so is a superuser
    ],
)
def test_admins_work_as_usual(client, maintenance, make_admin):
    client.force_login(make_admin())
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_without_maintenance_nobody_is_stopped(client):
    client.force_login(CustomerFactory())
    assert client.get(reverse("home")).status_code == 200


def test_switching_on_takes_effect_at_once(client, django_capture_on_commit_callbacks, settings):
    assert client.get(reverse("home")).status_code == 200  # settings now cached
    with django_capture_on_commit_callbacks(execute=True):
        services.site_settings_update(maintenance_mode=True, maintenance_message=MESSAGE)
    assert_maintenance_page(client.get(reverse("home")), settings)
    with django_capture_on_commit_callbacks(execute=True):
        services.site_settings_update(maintenance_mode=False)
    assert client.get(reverse("home")).status_code == 200


def test_default_text_when_there_is_no_message(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.site_settings_update(maintenance_mode=True, maintenance_message="")
    response = client.get(reverse("home"))
    assert response.status_code == 503
    assert response.context["message"] == ""


# --- what stays reachable so that an admin can get in ----------------------------------------------------------


def test_admin_login_page_is_reachable_and_an_admin_can_log_in(client, maintenance):
    assert client.get(reverse("admin:login")).status_code == 200
    admin_user = AdminFactory()
    response = client.post(
        reverse("admin:login"),
        {"username": admin_user.email, "password": PASSWORD, "next": reverse("admin:index")},
        REMOTE_ADDR="192.0.2.1",
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_site_login_page_is_reachable_and_an_admin_can_log_in(client, maintenance):
    assert client.get(reverse("accounts:login")).status_code == 200
    admin_user = AdminFactory()
    response = client.post(
        reverse("accounts:login"), {"username": admin_user.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_customer_who_logs_in_still_sees_the_maintenance_page(client, maintenance, settings):
    customer = CustomerFactory()
    client.post(reverse("accounts:login"), {"username": customer.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.1")
    assert_maintenance_page(client.get(reverse("home")), settings)


def test_health_check_language_switch_and_static_files_stay_reachable(client, maintenance):
    health = client.get(reverse("healthz"))
    assert health.status_code == 200 and health.json()["database"] == "ok"
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.get("/static/css/app.css").status_code == 200


def test_only_the_branding_route_is_exempt(client, maintenance):
    assert client.get("/branding/missing.png").status_code == 404  # reached the view, which knows no such logo
    assert client.get("/media/attachments/secret.pdf").status_code == 503


@pytest.mark.parametrize(
    "path", ["/branding/../media/attachments/secret.pdf", "/branding/./../x", "/static/../tickets/"]
)
def test_dot_segments_do_not_borrow_an_exemption(client, maintenance, settings, path):
    assert_maintenance_page(client.get(path), settings)
