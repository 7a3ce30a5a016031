"""Private media (#14.3): MEDIA_URL is never served, in DEBUG or not; the logo has its own public route; a deploy
check reports a public media route."""

from __future__ import annotations

import importlib
import io
from types import ModuleType

import pytest
from django.conf.urls.static import static
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import clear_url_caches, include, path, reverse
from PIL import Image

import helpdesk.urls
from helpdesk import services
from helpdesk.checks import check_media_not_public, public_media_problems
from helpdesk.models import SiteSettings
from helpdesk.site import clear_site_settings_cache, get_site_settings
from helpdesk.tests.pins import pinned_get
from tickets.services import note_add
from tickets.tests.views_support import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls_built_with(settings):
    """Build the root URLconf again under a DEBUG value (it is read when the module is imported)."""

    def build(debug: bool):
        settings.DEBUG = debug
        importlib.reload(helpdesk.urls)
        clear_url_caches()

    yield build
    settings.DEBUG = False
    importlib.reload(helpdesk.urls)
    clear_url_caches()


def _logo_upload(name: str = "logo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def internal_attachment(ticket, agent):
    note = note_add(ticket=ticket, author=agent, body="یادداشت داخلی", attachments=[png("پیوست-محرمانه.png")])
    attachment = note.attachments.get()
    assert attachment.file.storage.exists(attachment.file.name)
    return attachment


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG", "production"])
@pytest.mark.parametrize("who", ["visitor", "customer", "agent", "site_admin"])
def test_an_internal_note_attachment_is_not_served_under_media(
    request, client, urls_built_with, internal_attachment, debug, who
):
    urls_built_with(debug)
    if who != "visitor":
        client.force_login(request.getfixturevalue(who))
    response = client.get(f"/media/{internal_attachment.file.name}")
    assert response.status_code == 404
    assert b"".join(getattr(response, "streaming_content", [])) == b""


def test_the_checked_download_view_still_serves_it_to_staff(client, agent, internal_attachment):
    client.force_login(agent)
    response = client.get(reverse("tickets:attachment", args=[internal_attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"].endswith("sandbox")


@pytest.fixture
def logo(settings):
    services.site_settings_update(logo=_logo_upload())
    return get_site_settings()


@pytest.mark.pins("branding")
def test_the_logo_costs_no_query(client, logo):
    """The site settings are cached (as on every page): serving the logo reads only the file."""
    pinned_get(client, logo.logo_url, 0)


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG", "production"])
def test_the_logo_has_its_own_public_route(client, urls_built_with, logo, debug):
    urls_built_with(debug)
    url = logo.logo_url
    assert url.startswith("/branding/") and "/media/" not in url
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"  # read from the content
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].endswith("sandbox")
    with logo.logo.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


def test_the_pages_show_the_logo_by_its_route(client, logo):
    html = client.get(reverse("home")).content.decode()
    assert f'src="{logo.logo_url}"' in html
    assert "/media/" not in html


def test_only_the_current_branding_is_served(client, logo):
    storage = logo.logo.storage
    other = storage.save("branding/not-the-logo.png", _logo_upload())
    assert client.get(reverse("branding", args=[other.rpartition("/")[2]])).status_code == 404
    name = logo.logo.name.rpartition("/")[2]
    for bad in ("..%2Fattachments%2Fx.png", "..", ".hidden", f"{name}.", f"x/{name}"):
        assert client.get(f"/branding/{bad}").status_code == 404
    old_url = logo.logo_url
    services.site_settings_update(logo=False)
    clear_site_settings_cache()
    assert client.get(old_url).status_code == 404


def test_a_branding_file_that_is_not_an_image_is_a_404(client, logo):
    with logo.logo.storage.open(logo.logo.name, "wb") as handle:
        handle.write(b"<html><script>alert(1)</script></html>")
    assert client.get(logo.logo_url).status_code == 404


def test_a_logo_whose_file_is_gone_is_a_404(client, logo):
    logo.logo.storage.delete(logo.logo.name)
    assert client.get(logo.logo_url).status_code == 404


# --- the deploy check ---------------------------------------------------------------------------------------------


def test_the_project_serves_no_media():
    assert public_media_problems() == []
    assert check_media_not_public(None) == []


def test_a_media_route_is_an_error(settings):
    urls = _urlconf([path("", include(helpdesk.urls.urlpatterns)), *_static_media(settings)])
    with override_settings(ROOT_URLCONF=urls):
        errors = check_media_not_public(None)
    assert [e.id for e in errors] == ["helpdesk.E001"]
    assert "django.views.static.serve" in errors[0].msg


def _urlconf(patterns) -> ModuleType:
    module = ModuleType("test_media_urls")
    module.urlpatterns = patterns  # type: ignore[attr-defined]
    return module


def _static_media(settings):
    # static() returns nothing unless DEBUG is on: it is the DEBUG helper the project used to call.
    with override_settings(DEBUG=True):
        return static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)


def test_any_view_under_media_url_is_an_error(settings):
    def leak(request, name):
        raise AssertionError("not called")

    urls = _urlconf([path("media/<path:name>", leak, name="leak"), *helpdesk.urls.urlpatterns])
    with override_settings(ROOT_URLCONF=urls):
        errors = check_media_not_public(None)
    assert [e.id for e in errors] == ["helpdesk.E001"]
    assert "leak" in errors[0].msg


@pytest.mark.parametrize("setting", ["STATICFILES_DIRS", "WHITENOISE_ROOT", "STATIC_ROOT"])
def test_media_root_published_as_static_files_is_an_error(settings, setting):
    value = settings.MEDIA_ROOT
    setattr(settings, setting, [*settings.STATICFILES_DIRS, value] if setting == "STATICFILES_DIRS" else value)
    errors = check_media_not_public(None)
    assert [e.id for e in errors] == ["helpdesk.E001"]
    assert setting in errors[0].msg


def test_site_settings_without_logo_have_no_logo_url():
    assert SiteSettings.objects.get_or_create(pk=1)[0].logo_url == ""
