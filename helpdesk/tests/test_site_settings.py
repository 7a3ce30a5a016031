"""Site settings (F22–F25, F31/F32): the cache, the service, the singleton admin and the banners."""

import os

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ValidationError
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.tests.factories import (
    AdminFactory,
    AgentFactory,
    CustomerFactory,
    ManagerFactory,
    SupervisorFactory,
)
from conftest import service_unavailable
from helpdesk import services
from helpdesk.context_processors import site as site_context
from helpdesk.models import MSG_EXTENSIONS_FORBIDDEN, MSG_EXTENSIONS_INVALID, SiteSettings
from helpdesk.site import CACHE_KEY, get_site_settings
from helpdesk.tests.errors import error_codes

pytestmark = pytest.mark.django_db

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/4")
REDIS_KEY_PREFIX = "helpdesk-test-site-settings"


# --- the cache ------------------------------------------------------------------------------------------------


def test_settings_are_read_once_then_served_from_the_cache(django_assert_num_queries):
    SiteSettings.objects.create(title="میز خدمت آزمایشی")
    with django_assert_num_queries(1):
        assert get_site_settings().title == "میز خدمت آزمایشی"
    with django_assert_num_queries(0):
        assert get_site_settings().title == "میز خدمت آزمایشی"


def test_the_row_is_created_on_first_read():
    assert not SiteSettings.objects.exists()
    assert get_site_settings().pk == 1
    assert SiteSettings.objects.count() == 1


def test_update_is_seen_on_the_next_read(django_capture_on_commit_callbacks, django_assert_num_queries):
    SiteSettings.objects.create(title="قدیم")
    assert get_site_settings().title == "قدیم"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.site_settings_update(title="جدید", records_per_page=50)
    # The cache is cleared after commit (so no other process can re-cache the old row in between)...
    assert get_site_settings().title == "قدیم"
    for callback in callbacks:
        callback()
    # ...and then the next read sees the new values: one query, then none.
    with django_assert_num_queries(1):
        assert get_site_settings().title == "جدید"
    with django_assert_num_queries(0):
        assert get_site_settings().records_per_page == 50


def test_cache_failure_falls_back_to_the_database(monkeypatch):
    SiteSettings.objects.create(title="از پایگاه داده")

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    assert get_site_settings().title == "از پایگاه داده"


@pytest.fixture
def redis_cache():
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis at {TEST_REDIS_URL}: {exc}")
    config = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
        }
    }
    with override_settings(CACHES=config):
        cache.delete(CACHE_KEY)
        yield
        cache.delete(CACHE_KEY)


@pytest.mark.redis
def test_redis_cache_is_shared_and_cleared_on_save(
    redis_cache, django_capture_on_commit_callbacks, django_assert_num_queries
):
    # Another web process: its own connection to the same Redis.
    other_process = RedisCache(TEST_REDIS_URL, {"KEY_PREFIX": REDIS_KEY_PREFIX})
    SiteSettings.objects.create(title="قدیم")

    with django_assert_num_queries(1):
        assert get_site_settings().title == "قدیم"
    with django_assert_num_queries(0):
        assert get_site_settings().title == "قدیم"
    assert other_process.get(CACHE_KEY).title == "قدیم"

    with django_capture_on_commit_callbacks(execute=True):
        services.site_settings_update(title="جدید")

    assert other_process.get(CACHE_KEY) is None
    with django_assert_num_queries(1):
        assert get_site_settings().title == "جدید"
    assert other_process.get(CACHE_KEY).title == "جدید"


# --- the service ----------------------------------------------------------------------------------------------


def test_service_normalises_the_file_type_list(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        obj = services.site_settings_update(allowed_file_types=" PDF, .Jpg ، png;pdf ")
    assert obj.allowed_file_types == "pdf,jpg,png"
    assert get_site_settings().allowed_extensions == {"pdf", "jpg", "png"}


@pytest.mark.parametrize(
    ("value", "message", "items", "code"),
    [
        ("pdf, j*g, ../exe", MSG_EXTENSIONS_INVALID, "j*g، ../exe", "invalid"),
        ("pdf,html,svg", MSG_EXTENSIONS_FORBIDDEN, "html، svg", "forbidden"),
    ],
)
def test_service_refuses_a_bad_file_type_list(value, message, items, code):
    SiteSettings.objects.create(title="قبلی")
    with pytest.raises(ValidationError) as exc:
        services.site_settings_update(title="جدید", allowed_file_types=value)
    assert exc.value.message_dict["allowed_file_types"] == [str(message) % {"items": items}]
    assert error_codes(exc.value) == {"allowed_file_types": [code]}
    row = SiteSettings.objects.get()
    assert row.title == "قبلی" and row.allowed_file_types != value


def test_service_refuses_unknown_fields():
    with pytest.raises(TypeError):
        services.site_settings_update(updated_at=None)


def test_service_refuses_out_of_range_numbers():
    with pytest.raises(ValidationError) as exc:
        services.site_settings_update(records_per_page=1000, max_upload_mb=0)
    assert error_codes(exc.value) == {"records_per_page": ["max_value"], "max_upload_mb": ["min_value"]}
    assert get_site_settings().records_per_page == 25


# --- the admin ------------------------------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "title": "میز خدمت",
        "records_per_page": "25",
        "max_upload_mb": "10",
        "allowed_file_types": "pdf,png",
        "customer_message": "",
        "staff_message": "",
        "maintenance_message": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_user_client(client):
    client.force_login(AdminFactory())
    return client


def test_admin_list_opens_the_one_row(admin_user_client):
    response = admin_user_client.get(reverse("admin:helpdesk_sitesettings_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:helpdesk_sitesettings_change", args=[1])
    page = admin_user_client.get(response["Location"])
    assert page.status_code == 200
    groups = [fieldset.name for fieldset in page.context["adminform"]]
    assert groups == [
        _("Branding"),
        _("Lists and uploads"),
        _("Public messages"),
        _("Customers"),
        _("Maintenance"),
        None,
    ]


def test_admin_has_no_add_once_the_row_exists_and_no_delete(admin_user_client):
    SiteSettings.objects.create()
    assert admin_user_client.get(reverse("admin:helpdesk_sitesettings_add")).status_code == 403
    assert admin_user_client.get(reverse("admin:helpdesk_sitesettings_delete", args=[1])).status_code == 403
    assert SiteSettings.objects.count() == 1


def test_admin_save_is_effective_immediately(admin_user_client, django_capture_on_commit_callbacks):
    SiteSettings.objects.create(title="قدیم")
    assert get_site_settings().title == "قدیم"  # now cached
    url = reverse("admin:helpdesk_sitesettings_change", args=[1])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_user_client.post(
            url, form_data(title="جدید", allowed_file_types="PDF, .docx", customer_message="سلام مشتری")
        )
    assert response.status_code == 302
    current = get_site_settings()
    assert (current.title, current.allowed_file_types, current.customer_message) == ("جدید", "pdf,docx", "سلام مشتری")


@pytest.mark.parametrize(
    ("value", "message", "items"),
    [("pdf,<script>", MSG_EXTENSIONS_INVALID, "<script>"), ("png, exe", MSG_EXTENSIONS_FORBIDDEN, "exe")],
)
def test_admin_bad_file_type_list_gets_a_message_and_nothing_is_saved(admin_user_client, value, message, items):
    SiteSettings.objects.create(title="قدیم")
    url = reverse("admin:helpdesk_sitesettings_change", args=[1])
    response = admin_user_client.post(url, form_data(title="جدید", allowed_file_types=value))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["allowed_file_types"] == [str(message) % {"items": items}]
    assert SiteSettings.objects.get().title == "قدیم"


def test_admin_needs_admin_rights(client):
    client.force_login(AgentFactory(is_staff=True))
    response = client.post(reverse("admin:helpdesk_sitesettings_change", args=[1]), form_data(title="نفوذ"))
    assert response.status_code == 403
    assert not SiteSettings.objects.filter(title="نفوذ").exists()


# --- banners (F31/F32) ----------------------------------------------------------------------------------------


def banner_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return site_context(request).get("site_banner")


def test_banners_go_to_the_right_audience():
    services.site_settings_update(customer_message="پیام برای مشتریان", staff_message="پیام برای کارکنان")
    assert banner_for(AnonymousUser()) == "پیام برای مشتریان"
    assert banner_for(CustomerFactory()) == "پیام برای مشتریان"
    for factory in (AgentFactory, SupervisorFactory, ManagerFactory, AdminFactory):
        assert banner_for(factory()) == "پیام برای کارکنان"


def test_no_banner_without_a_message_for_that_audience():
    services.site_settings_update(customer_message="", staff_message="فقط برای کارکنان")
    assert banner_for(AnonymousUser()) is None
    assert banner_for(CustomerFactory()) is None
    assert banner_for(AgentFactory()) == "فقط برای کارکنان"


def test_site_settings_and_banner_reach_the_templates(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.site_settings_update(title="میز خدمت آزمایشی", customer_message="   ")
    response = client.get(reverse("home"))
    assert response.context["site_settings"].title == "میز خدمت آزمایشی"
    assert "site_banner" not in response.context  # whitespace only is no message

    with django_capture_on_commit_callbacks(execute=True):
        services.site_settings_update(customer_message="سرویس پنج‌شنبه قطع است")
    response = client.get(reverse("home"))
    assert response.context["site_banner"] == "سرویس پنج‌شنبه قطع است"
