"""The logo (F23): checked by content, size- and dimension-limited, re-encoded without metadata, random name."""

import io
import os
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from accounts.tests.factories import AdminFactory
from helpdesk import images
from helpdesk.l10n import format_file_size
from helpdesk.models import SiteSettings
from helpdesk.services import site_settings_update

RANDOM_PNG_NAME = re.compile(r"^branding/[0-9a-f]{32}\.png$")


def image_bytes(fmt="PNG", size=(64, 32), color=(200, 30, 30), **save_kwargs) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt, **save_kwargs)
    return out.getvalue()


def upload(content: bytes, name="logo.png", content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# --- helpdesk.images ----------------------------------------------------------------------------------------


def test_non_image_is_refused():
    with pytest.raises(ValidationError) as exc:
        images.logo_from_upload(upload(b"just some text\n", name="notes.txt", content_type="text/plain"))
    assert exc.value.code == "not_image"
    assert exc.value.messages == [str(images.MSG_NOT_IMAGE)]


def test_html_disguised_as_png_is_refused():
    html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
    with pytest.raises(ValidationError) as exc:
        images.logo_from_upload(upload(html, name="logo.png", content_type="image/png"))
    assert exc.value.code == "not_image"


def test_svg_is_refused_even_though_it_is_an_image_to_a_browser():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(ValidationError) as exc:
        images.logo_from_upload(upload(svg, name="logo.svg", content_type="image/svg+xml"))
    assert exc.value.code == "not_image"


def test_other_image_formats_are_not_even_parsed():
    with pytest.raises(ValidationError) as exc:
        images.logo_from_upload(upload(image_bytes("BMP"), name="logo.bmp", content_type="image/bmp"))
    assert exc.value.code == "not_image"


def test_truncated_png_is_refused():
    data = image_bytes(size=(300, 300))
    with pytest.raises(ValidationError) as exc:
        images.logo_from_upload(upload(data[: len(data) // 2]))
    assert exc.value.code == "not_image"


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        images.logo_from_upload(upload(b""))
    assert exc.value.code == "empty"


def test_oversized_file_is_refused_with_the_limit_in_the_message(settings):
    noise = Image.frombytes("RGB", (600, 600), os.urandom(600 * 600 * 3))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    assert out.tell() > settings.LOGO_MAX_BYTES
    with pytest.raises(ValidationError) as exc:
        images.logo_from_upload(upload(out.getvalue()))
    assert exc.value.code == "file_too_large"
    assert exc.value.params["limit"] == format_file_size(settings.LOGO_MAX_BYTES)


@override_settings(LOGO_MAX_BYTES=1000)
def test_file_size_limit_comes_from_settings():
    data = image_bytes(size=(200, 200), color=(1, 2, 3))
    big = Image.frombytes("RGB", (40, 40), os.urandom(40 * 40 * 3))
    out = io.BytesIO()
    big.save(out, format="PNG")
    assert len(data) < 1000 < out.tell()
    images.logo_from_upload(upload(data))
    with pytest.raises(ValidationError) as exc:
        images.logo_from_upload(upload(out.getvalue()))
    assert exc.value.code == "file_too_large"


def test_too_many_pixels_is_refused_before_decoding():
    wide = image_bytes(size=(images.MAX_INPUT_SIDE + 1, 4))  # a few hundred bytes, but too wide
    with pytest.raises(ValidationError) as exc:
        images.logo_from_upload(upload(wide))
    assert exc.value.code == "image_too_large"
    assert exc.value.params["width"] == images.MAX_INPUT_SIDE + 1


def test_png_is_reencoded_shrunk_and_renamed():
    result = images.logo_from_upload(upload(image_bytes(size=(1024, 256))))
    assert re.fullmatch(r"[0-9a-f]{32}\.png", result.name)
    image = decoded(result.read())
    assert image.format == "PNG"
    assert image.size == (512, 128)


def test_small_image_is_not_enlarged():
    image = decoded(images.logo_from_upload(upload(image_bytes(size=(40, 20)))).read())
    assert image.size == (40, 20)


def test_transparency_is_kept():
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, format="PNG")
    image = decoded(images.logo_from_upload(upload(out.getvalue())).read())
    assert image.mode == "RGBA"
    assert image.getpixel((5, 5))[3] == 0


def test_jpeg_is_reencoded_upright_without_metadata():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010E] = "secret description"
    exif[0x013B] = "author name"
    data = image_bytes("JPEG", size=(800, 400), exif=exif.tobytes())
    assert b"secret description" in data
    result = images.logo_from_upload(upload(data, name="photo.jpg", content_type="image/jpeg")).read()
    assert b"secret description" not in result and b"author name" not in result
    image = decoded(result)
    assert image.format == "PNG"
    assert image.size == (256, 512)  # turned upright, then fitted into 512×512
    assert not image.getexif()
    assert "exif" not in image.info


def test_polyglot_png_with_html_appended_is_cleaned_by_reencoding():
    data = image_bytes(size=(50, 50)) + b"<html><script>alert(1)</script></html>"
    images.check_logo(upload(data))  # Pillow accepts it: only re-encoding removes the payload
    result = images.logo_from_upload(upload(data)).read()
    assert b"<script" not in result
    assert decoded(result).size == (50, 50)


def test_webp_output_for_other_callers():
    result = images.reencode_image(
        upload(image_bytes(size=(300, 300))), max_bytes=10**6, max_output_side=100, output_format="WEBP"
    )
    assert result.name.endswith(".webp")
    assert decoded(result.read()).size == (100, 100)


# --- through the service and the admin ----------------------------------------------------------------------


@pytest.mark.django_db
def test_service_stores_the_logo_under_a_random_name_and_removes_the_old_one(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = site_settings_update(logo=upload(image_bytes(), name="../../etc/passwd.png"))
    assert RANDOM_PNG_NAME.match(first.logo.name)
    storage = first.logo.storage
    assert storage.exists(first.logo.name)
    old_name = first.logo.name

    with django_capture_on_commit_callbacks(execute=True):
        second = site_settings_update(logo=upload(image_bytes(color=(0, 0, 255))))
    assert second.logo.name != old_name and RANDOM_PNG_NAME.match(second.logo.name)
    assert not storage.exists(old_name)

    with django_capture_on_commit_callbacks(execute=True):
        third = site_settings_update(logo=False)
    assert not third.logo
    assert not storage.exists(second.logo.name)


@pytest.mark.django_db
def test_service_refuses_a_bad_logo_and_saves_nothing():
    SiteSettings.objects.create(title="قبلی")
    with pytest.raises(ValidationError) as exc:
        site_settings_update(title="جدید", logo=upload(b"<html></html>"))
    assert exc.value.code == "not_image"
    row = SiteSettings.objects.get()
    assert row.title == "قبلی" and not row.logo


def admin_form_data(**overrides):
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
def admin_client_logged_in(client):
    client.force_login(AdminFactory())
    return client


@pytest.mark.django_db
def test_admin_upload_stores_a_reencoded_logo(admin_client_logged_in, django_capture_on_commit_callbacks):
    SiteSettings.objects.create()
    url = reverse("admin:helpdesk_sitesettings_change", args=[1])
    jpeg = image_bytes("JPEG", size=(2000, 1000))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_logged_in.post(
            url, admin_form_data(logo=upload(jpeg, name="company.jpg", content_type="image/jpeg"))
        )
    assert response.status_code == 302
    logo = SiteSettings.objects.get().logo
    assert RANDOM_PNG_NAME.match(logo.name)
    with logo.open("rb") as fh:
        image = decoded(fh.read())
    assert image.format == "PNG" and image.size == (512, 256)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 not really an image", "logo.png", images.MSG_NOT_IMAGE),
        (b"<html><script>alert(1)</script></html>", "logo.png", images.MSG_NOT_IMAGE),
    ],
)
def test_admin_refuses_a_disguised_logo_with_a_message(admin_client_logged_in, content, name, message):
    SiteSettings.objects.create(title="قبلی")
    url = reverse("admin:helpdesk_sitesettings_change", args=[1])
    response = admin_client_logged_in.post(url, admin_form_data(title="جدید", logo=upload(content, name=name)))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["logo"] == [str(message)]
    row = SiteSettings.objects.get()
    assert row.title == "قبلی" and not row.logo


@pytest.mark.django_db
def test_admin_refuses_an_oversized_logo(admin_client_logged_in, settings):
    settings.LOGO_MAX_BYTES = 2000
    SiteSettings.objects.create()
    noise = Image.frombytes("RGB", (60, 60), os.urandom(60 * 60 * 3))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    url = reverse("admin:helpdesk_sitesettings_change", args=[1])
    response = admin_client_logged_in.post(url, admin_form_data(logo=upload(out.getvalue())))
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["logo"]
    assert error == str(images.MSG_TOO_LARGE) % {
        "size": format_file_size(out.tell()),
        "limit": format_file_size(2000),
    }
    assert not SiteSettings.objects.get().logo
