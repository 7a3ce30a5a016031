"""Upload checks (`helpdesk.uploads`): size, allowed types, content sniffing, dangerous content, file names."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from helpdesk import uploads
from helpdesk.models import SiteSettings
from helpdesk.site import clear_site_settings_cache

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def image_bytes(fmt="PNG", exif=None):
    buf = io.BytesIO()
    img = Image.new("RGB", (40, 30), (200, 30, 30))
    kwargs = {"exif": exif} if exif is not None else {}
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def upload(name, data):
    return SimpleUploadedFile(name, data)


def check(name, data):
    return uploads.validate_upload(upload(name, data))


def refused(name, data):
    with pytest.raises(ValidationError) as exc:
        check(name, data)
    return exc.value


@pytest.fixture
def site():
    obj, _ = SiteSettings.objects.get_or_create(pk=1)
    clear_site_settings_cache()
    return obj


# --- accepted --------------------------------------------------------------------------------------


def test_pdf(site):
    result = check("فاکتور.pdf", PDF)
    assert result == uploads.UploadCheck(
        name="فاکتور.pdf", ext="pdf", content_type="application/pdf", inline_safe=True, size=len(PDF)
    )


def test_png_and_jpeg(site):
    png = check("shot.PNG", image_bytes("PNG"))
    assert (png.ext, png.content_type, png.inline_safe) == ("png", "image/png", True)
    jpg = check("photo.jpeg", image_bytes("JPEG"))
    assert (jpg.ext, jpg.content_type) == ("jpeg", "image/jpeg")
    assert check("photo.jpg", image_bytes("JPEG")).content_type == "image/jpeg"


def test_text_and_csv(site):
    txt = check("log.txt", "خطای ۵۰۰ در ساعت ۱۰\nline 2\n".encode())
    assert (txt.content_type, txt.inline_safe) == ("text/plain", False)
    assert check("data.csv", b"a,b\n1,2\n").content_type == "text/csv"
    assert check("utf16.txt", "سلام".encode("utf-16")).content_type == "text/plain"


def test_zip_and_docx(site):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    assert check("files.zip", buf.getvalue()).content_type == "application/zip"
    # A .docx that filetype only sees as a ZIP is still the right family.
    assert check("letter.docx", buf.getvalue()).ext == "docx"


def test_old_office_ole(site):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert check("sheet.xls", ole).content_type == "application/vnd.ms-excel"


# --- size ------------------------------------------------------------------------------------------


def test_oversize_names_the_limit_in_mb(site):
    site.max_upload_mb = 1
    site.save()
    clear_site_settings_cache()
    data = PDF + b"0" * (1024 * 1024 + 300 * 1024)
    with translation.override("fa"):
        err = refused("big.pdf", data)
        text = " ".join(err.messages)
    assert err.code == "file_too_large"
    assert "«\u2068big.pdf\u2069» ۱٫۳ مگابایت است؛ بیشترین حجم مجاز برای پیوست ۱٫۰ مگابایت است." in text
    assert err.params["limit"] == "۱٫۰ مگابایت"
    assert err.params["size"] == "۱٫۳ مگابایت"
    with translation.override("en"):
        err = refused("big.pdf", data)
        assert err.params["limit"] == "1.0 MB"


def test_size_is_checked_before_content(site):
    site.max_upload_mb = 1
    site.save()
    clear_site_settings_cache()
    err = refused("evil.exe", b"MZ" + b"\0" * (2 * 1024 * 1024))
    assert err.code == "file_too_large"


def test_empty_file(site):
    assert refused("a.pdf", b"").code == "empty"


# --- names -----------------------------------------------------------------------------------------


def test_type_not_in_site_list(site):
    site.allowed_file_types = "pdf,png"
    site.save()
    clear_site_settings_cache()
    err = refused("photo.jpg", image_bytes("JPEG"))
    assert err.code == "type_not_allowed"
    assert "pdf" in err.params["allowed"] and "png" in err.params["allowed"]


def test_no_extension(site):
    assert refused("README", b"hello").code == "no_extension"


@pytest.mark.parametrize("name", ["x.pdf.exe", "report.exe", "page.html", "page.HTM", "logo.svg", "app.js", "run.sh"])
def test_dangerous_final_extension(site, name):
    site.allowed_file_types = "pdf,exe,html,htm,svg,js,sh"  # even if an admin lists them
    site.save()
    clear_site_settings_cache()
    err = refused(name, b"anything")
    assert err.code == "dangerous_type"


@pytest.mark.parametrize("name", ["x.php.jpg", "shell.phtml.png", "invoice.exe.pdf", "a.html.txt"])
def test_double_extension(site, name):
    err = refused(name, PDF)
    assert err.code == "double_extension"


def test_harmless_dots_in_name(site):
    assert check("report.1403.v2.pdf", PDF).ext == "pdf"


# --- content ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 300),
        ("tool.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 300),
        ("mac.jpg", b"\xcf\xfa\xed\xfe" + b"\x00" * 300),
        ("script.txt", b"#!/bin/sh\nrm -rf /\n"),
    ],
)
def test_executables_refused_whatever_the_name(site, name, data):
    assert refused(name, data).code == "executable"


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b"  <html><head></head></html>",
        b"\xef\xbb\xbf<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>",
        b"hello\n<script>alert(document.cookie)</script>",
    ],
)
def test_html_and_svg_content_refused(site, data):
    assert refused("notes.txt", data).code == "markup"


def test_html_disguised_as_pdf(site):
    err = refused("invoice.pdf", b"<html><script>alert(1)</script></html>")
    assert err.code == "markup"


@pytest.mark.parametrize(
    ("name", "data", "detected"),
    [
        ("photo.jpg", image_bytes("PNG"), "PNG"),
        ("scan.pdf", image_bytes("JPEG"), "JPG"),
        ("shot.png", PDF, "PDF"),
        ("notes.txt", PDF, "pdf"),
        ("table.csv", image_bytes("PNG"), "png"),
    ],
)
def test_spoofed_type(site, name, data, detected):
    err = refused(name, data)
    assert err.code == "content_mismatch"
    assert err.params["detected"] == detected


def test_unrecognised_binary(site):
    assert refused("scan.pdf", b"\x01\x02\x03 not a pdf at all").code == "unrecognised"


def test_binary_as_text(site):
    assert refused("notes.txt", b"abc\x00\x01\x02def").code == "content_mismatch"


# --- names and storage -----------------------------------------------------------------------------


def test_clean_filename():
    assert uploads.clean_filename("../../etc/passwd.txt") == "passwd.txt"
    assert uploads.clean_filename("C:\\Users\\me\\نامه.pdf") == "نامه.pdf"
    assert uploads.clean_filename("invoice\u202efdp.exe") == "invoicefdp.exe"  # RTL override removed
    assert uploads.clean_filename("نیم\u200cفاصله.pdf") == "نیم\u200cفاصله.pdf"  # ZWNJ kept
    long = uploads.clean_filename("ا" * 300 + ".pdf")
    assert len(long) <= 200 and long.endswith(".pdf")
    assert uploads.clean_filename("") == "file"


def test_images_are_reencoded_without_metadata(site):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 6  # orientation: rotate
    data = image_bytes("JPEG", exif=exif.tobytes()) + b"<script>alert(1)</script>"
    result, content = uploads.prepare_upload(upload("photo.jpg", data))
    stored = content.read()
    assert b"SecretCam" not in stored and b"<script>" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert img.format == "JPEG"
        assert img.size == (30, 40)  # rotated upright
        assert not img.getexif()
    assert result.size == len(stored)


def animated_gif(comment: bytes = b"") -> bytes:
    frames = [Image.new("P", (24, 16), colour) for colour in (1, 7, 59)]  # 59 == 0x3B, the trailer byte
    for i, frame in enumerate(frames):
        frame.putpixel((i, i), 0x3B)
    buf = io.BytesIO()
    extra = {"comment": comment} if comment else {}
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0, **extra)
    return buf.getvalue()


def _zip_bytes() -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return buf.getvalue()


@pytest.mark.parametrize(
    "payload",
    [b"<html><body><script>alert(document.cookie)</script></body></html>", _zip_bytes()],
    ids=["html", "zip"],
)
def test_a_gif_loses_what_was_appended_after_its_trailer(site, payload):
    gif = animated_gif(comment=b"a;b;<c>")  # trailer bytes inside a comment do not end the file
    result, content = uploads.prepare_upload(upload("anim.gif", gif + payload))
    stored = content.read()
    assert stored == gif
    assert result.size == len(gif) and result.content_type == "image/gif"
    with Image.open(io.BytesIO(stored)) as img:
        assert img.format == "GIF" and img.n_frames == 3  # the animation survives


def test_gif_length_walks_the_blocks():
    gif = animated_gif()
    assert uploads.gif_length(gif) == len(gif)
    assert uploads.gif_length(gif + b";;;PK\x03\x04") == len(gif)
    assert uploads.gif_length(gif[:-1] + b"<html>") == len(gif) - 1  # no trailer: up to the last block
    with pytest.raises(ValueError):
        uploads.gif_length(gif[: len(gif) // 2])  # stops inside a block
    with pytest.raises(ValueError):
        uploads.gif_length(b"PNG...")


def test_damaged_image(site):
    data = image_bytes("PNG")[:60]
    with pytest.raises(ValidationError) as exc:
        uploads.prepare_upload(upload("broken.png", data))
    assert exc.value.code == "bad_image"


def test_non_images_are_stored_as_sent(site):
    result, content = uploads.prepare_upload(upload("a.pdf", PDF))
    assert content.read() == PDF


def test_messages_are_translated(site):
    with translation.override("fa"):
        err = refused("page.html", b"<html></html>")
        assert "HTML" in err.messages[0] and "امنیت" in err.messages[0]


def test_markup_deep_in_a_long_log_is_plain_text(site):
    data = b"2025-01-01 request failed\n" * 100 + b"response body: <html><body>502</body></html>\n"
    assert check("server.log.txt", data).content_type == "text/plain"


def test_utf16_html_refused(site):
    assert refused("notes.txt", "<html><script>alert(1)</script></html>".encode("utf-16")).code == "markup"
