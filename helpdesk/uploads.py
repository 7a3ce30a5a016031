"""Upload validation for every app (F15, F25): files are checked by content, not by name.

Ticket attachments (`tickets`, also those arriving by email), article files (`knowledgebase`) and the signed
Article 6 form (`limits`) all pass through here; where each app stores the file is its own business.

Order of checks (the first failure is reported, in the user's language):
1. size against the site setting (`helpdesk.site.get_site_settings().max_upload_bytes`), naming the size and
   the limit (`helpdesk.l10n.format_file_size`);
2. the name: the extension must be in the admin's allowed list; no dangerous type is ever allowed, even if
   listed (HTML, SVG, JavaScript, executables, scripts), and no dangerous inner extension (`x.php.jpg`);
3. the content: executables (MZ/ELF/Mach-O/shebang) and HTML/SVG/XML-with-script markup are refused; the type
   sniffed by `filetype` (magic bytes) must belong to the extension's family; text formats must look like text;
4. images are decoded with Pillow and re-encoded in their own format (drops EXIF/GPS, appended payloads).

HTML, SVG and JavaScript are *refused*, not forced to download: a helpdesk has no need for them and a refusal
can't be undone by a later change to a download view. Everything that isn't an image or PDF is served as a
download anyway (`UploadCheck.inline_safe`).

(`helpdesk/images.py` does the same job for the logo; it re-encodes to PNG/WebP and caps images at 24 MP,
which would refuse ordinary phone photos and turn a .jpg into a PNG, so uploads use their own encoder.)
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import IO

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .l10n import format_file_size, isolate, join_list
from .site import get_site_settings

MSG_TOO_LARGE = _("The file “%(name)s” is %(size)s; the largest file you can attach is %(limit)s.")
MSG_EMPTY = _("The file “%(name)s” is empty.")
MSG_TYPE_NOT_ALLOWED = _("Files of type “%(ext)s” can't be attached. Allowed types: %(allowed)s.")
MSG_NO_EXTENSION = _("The file “%(name)s” has no extension. Allowed types: %(allowed)s.")
MSG_DANGEROUS_TYPE = _(
    "For security, web pages (HTML), SVG images, scripts and programs can't be attached. "
    "Send them in a ZIP archive or as a PDF instead."
)
MSG_DOUBLE_EXTENSION = _("The name “%(name)s” hides a program or script type inside it. Rename the file and try again.")
MSG_CONTENT_MISMATCH = _("The content of “%(name)s” isn't a real %(ext)s file (it looks like %(detected)s).")
MSG_UNRECOGNISED = _("The content of “%(name)s” couldn't be recognised as a %(ext)s file.")
MSG_EXECUTABLE = _("“%(name)s” contains a program or script; for security it can't be attached.")
MSG_MARKUP = _("“%(name)s” contains a web page or SVG image; for security it can't be attached.")
MSG_BAD_IMAGE = _("The image “%(name)s” is damaged or too large to open.")

# Never accepted, whatever the admin lists: they run in a browser or on the desktop.
DANGEROUS_EXTENSIONS = frozenset(
    {
        # web content and scripts
        "html", "htm", "xhtml", "shtml", "mht", "mhtml", "svg", "svgz", "js", "mjs", "cjs", "jse", "xsl", "xslt",
        "hta", "swf",
        # server-side scripts
        "php", "php3", "php4", "php5", "php7", "phtml", "phar", "asp", "aspx", "jsp", "jspx", "cgi", "pl", "py",
        "rb", "sh", "bash", "zsh", "ps1", "psm1",
        # programs and installers
        "exe", "dll", "com", "scr", "msi", "msp", "bat", "cmd", "vbs", "vbe", "wsf", "wsh", "jar", "apk", "app",
        "dmg", "elf", "bin", "run", "cpl", "lnk", "reg", "pif", "gadget", "inf", "sys", "deb", "rpm", "so",
    }
)  # fmt: skip

# What `filetype` may report for each allowed extension. Extensions not listed must sniff as themselves.
FAMILIES: dict[str, frozenset[str]] = {
    "jpg": frozenset({"jpg"}),
    "jpeg": frozenset({"jpg"}),
    "png": frozenset({"png", "apng"}),
    "docx": frozenset({"docx", "zip"}),
    "xlsx": frozenset({"xlsx", "zip"}),
    "pptx": frozenset({"pptx", "zip"}),
    "odt": frozenset({"odt", "zip"}),
    "ods": frozenset({"ods", "zip"}),
    "odp": frozenset({"odp", "zip"}),
    "zip": frozenset({"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"}),
    "doc": frozenset({"ole"}),
    "xls": frozenset({"ole"}),
    "ppt": frozenset({"ole"}),
    "tif": frozenset({"tif"}),
    "tiff": frozenset({"tif"}),
    "mpeg": frozenset({"mpg"}),
    "m4a": frozenset({"m4a", "mp4"}),
    "mp4": frozenset({"mp4", "m4v", "m4a"}),
}
TEXT_EXTENSIONS = frozenset({"txt", "csv", "tsv", "log", "md", "json"})
TEXT_CONTENT_TYPES = {"csv": "text/csv", "tsv": "text/tab-separated-values", "json": "application/json"}
# Images that are decoded to prove they are images (JPEG/PNG also re-encoded). Others (TIFF, BMP, HEIC…) are
# stored as sent and only ever downloaded.
PILLOW_CHECKED_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
INLINE_SAFE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"})

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O 32
    b"\xfe\xed\xfa\xcf",  # Mach-O 64
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # shebang script
)
_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta|link|style|frameset|"
    rb"xsl:stylesheet)[\s/>]|<\?xml-stylesheet",
    re.IGNORECASE,
)
SNIFF_BYTES = 8192
MAX_IMAGE_PIXELS = 60_000_000  # a 48 MP phone photo fits; a decompression bomb doesn't


@dataclass(frozen=True)
class UploadCheck:
    name: str  # the cleaned original name, for display and Content-Disposition
    ext: str  # lower case, without the dot
    content_type: str  # sniffed, never the browser's claim
    inline_safe: bool
    size: int


def clean_filename(name: str) -> str:
    """The last path component, without control characters, NFC-normalised, at most 200 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" or ch == "\u200c").strip(" .")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 190 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name or "file"


def _allowed_list(allowed: set[str]) -> str:
    return join_list(sorted(allowed))


def _read_head(file: IO[bytes]) -> bytes:
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    return head or b""


def _file_size(file) -> int:
    size = getattr(file, "size", None)
    if size is not None:
        return int(size)
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def _sniff(head: bytes) -> tuple[str | None, str | None]:
    """(extension, mime) from magic bytes, with OLE compound files (doc/xls/ppt) reported as "ole"."""
    if head.startswith(_OLE_MAGIC):
        return "ole", "application/x-ole-storage"
    kind = filetype.guess(head)
    if kind is None:
        return None, None
    return kind.extension, kind.mime


def _text_start(head: bytes) -> bytes:
    """The first KiB after a BOM and leading white space (UTF-16 decoded to UTF-8 so its markup is seen too)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1024]


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a BOM
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls <= len(head) // 100


def _office_mime(ext: str, sniffed_mime: str | None) -> str:
    office = {
        "doc": "application/msword",
        "xls": "application/vnd.ms-excel",
        "ppt": "application/vnd.ms-powerpoint",
    }
    return office.get(ext) or sniffed_mime or "application/octet-stream"


def validate_upload(file, *, site=None) -> UploadCheck:
    """Check one uploaded file; raise ValidationError with a clear message, or return what was found.

    Leaves the file positioned at its start. `site` defaults to the cached site settings.
    """
    if site is None:
        site = get_site_settings()
    name = clean_filename(getattr(file, "name", "") or "")
    size = _file_size(file)
    allowed = set(site.allowed_extensions) - DANGEROUS_EXTENSIONS

    if size > site.max_upload_bytes:
        raise ValidationError(
            MSG_TOO_LARGE,
            code="file_too_large",
            params={
                "name": isolate(name),
                "size": format_file_size(size),
                "limit": format_file_size(site.max_upload_bytes),
            },
        )
    if size == 0:
        raise ValidationError(MSG_EMPTY, code="empty", params={"name": isolate(name)})

    parts = [p.lower() for p in name.split(".")]
    if len(parts) < 2 or not parts[-1]:
        raise ValidationError(
            MSG_NO_EXTENSION, code="no_extension", params={"name": isolate(name), "allowed": _allowed_list(allowed)}
        )
    ext = parts[-1]
    if ext in DANGEROUS_EXTENSIONS:
        raise ValidationError(MSG_DANGEROUS_TYPE, code="dangerous_type")
    if any(inner in DANGEROUS_EXTENSIONS for inner in parts[1:-1]):
        raise ValidationError(MSG_DOUBLE_EXTENSION, code="double_extension", params={"name": isolate(name)})
    if ext not in allowed:
        raise ValidationError(
            MSG_TYPE_NOT_ALLOWED, code="type_not_allowed", params={"ext": ext, "allowed": _allowed_list(allowed)}
        )

    head = _read_head(file)
    if head.startswith(_EXECUTABLE_MAGIC):
        raise ValidationError(MSG_EXECUTABLE, code="executable", params={"name": isolate(name)})
    sniffed_ext, sniffed_mime = _sniff(head)
    if sniffed_ext in {"exe", "elf", "swf", "crx", "wasm", "deb", "rpm"}:
        raise ValidationError(MSG_EXECUTABLE, code="executable", params={"name": isolate(name)})
    # Browsers that sniff look at the start of a file; markup further into a long log or CSV is just text
    # (and is served as a download with nosniff anyway).
    if sniffed_ext is None and _MARKUP.search(_text_start(head)):
        raise ValidationError(MSG_MARKUP, code="markup", params={"name": isolate(name)})

    if ext in TEXT_EXTENSIONS:
        if sniffed_ext is not None or not _looks_like_text(head):
            raise ValidationError(
                MSG_CONTENT_MISMATCH,
                code="content_mismatch",
                params={"name": isolate(name), "ext": ext.upper(), "detected": sniffed_ext or "binary"},
            )
        content_type = TEXT_CONTENT_TYPES.get(ext, "text/plain")
        return UploadCheck(name=name, ext=ext, content_type=content_type, inline_safe=False, size=size)

    family = FAMILIES.get(ext, frozenset({ext}))
    if sniffed_ext is None:
        raise ValidationError(MSG_UNRECOGNISED, code="unrecognised", params={"name": isolate(name), "ext": ext.upper()})
    if sniffed_ext not in family:
        raise ValidationError(
            MSG_CONTENT_MISMATCH,
            code="content_mismatch",
            params={"name": isolate(name), "ext": ext.upper(), "detected": sniffed_ext.upper()},
        )
    assert sniffed_mime is not None  # _sniff gives a MIME type with every extension it detects
    content_type = _office_mime(ext, sniffed_mime) if sniffed_ext == "ole" else sniffed_mime
    if sniffed_ext == "apng":
        content_type = "image/png"
    return UploadCheck(
        name=name, ext=ext, content_type=content_type, inline_safe=content_type in INLINE_SAFE_TYPES, size=size
    )


def _reencode_image(file, check: UploadCheck) -> File:
    """JPEG and PNG are decoded and written again (upright, no metadata, nothing appended);
    GIF and WebP are fully decoded to prove they are images, and kept as sent (animation survives), a GIF cut at
    its trailer: whatever was appended after it (an HTML page, a ZIP archive) is dropped."""
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise ValidationError(MSG_BAD_IMAGE, code="bad_image", params={"name": check.name})
                image.load()
                if check.content_type == "image/gif":
                    file.seek(0)
                    data = file.read()
                    return ContentFile(data[: gif_length(data)])
                if check.content_type not in ("image/jpeg", "image/png"):
                    file.seek(0)
                    return File(file)
                upright = ImageOps.exif_transpose(image) or image
                out = io.BytesIO()
                if check.content_type == "image/jpeg":
                    if upright.mode not in ("RGB", "L", "CMYK"):
                        upright = upright.convert("RGB")
                    upright.save(out, format="JPEG", quality=90, optimize=True)
                else:
                    upright.save(out, format="PNG", optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(MSG_BAD_IMAGE, code="bad_image", params={"name": check.name}) from exc
    except Image.DecompressionBombWarning as exc:
        raise ValidationError(MSG_BAD_IMAGE, code="bad_image", params={"name": check.name}) from exc
    finally:
        file.seek(0)
    return ContentFile(out.getvalue())


def gif_length(data: bytes) -> int:
    """Where a GIF ends: the offset just past its trailer (0x3B), found by walking its blocks (header, screen
    descriptor and colour table, then extensions and images, each a chain of sub-blocks), so a 0x3B byte inside
    image data or a comment is never taken for the end; without a trailer, the end of its last block. Raises
    ValueError for a stream that stops inside a block."""
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise ValueError("not a GIF")

    def colour_table(flags: int) -> int:
        return 3 * 2 ** ((flags & 0x07) + 1) if flags & 0x80 else 0

    def sub_blocks(pos: int) -> int:
        while True:
            if pos >= len(data):
                raise ValueError("GIF ends inside a block")
            size = data[pos]
            pos += 1 + size
            if size == 0:
                return pos

    pos = 13 + colour_table(data[10])
    while pos < len(data):
        introducer = data[pos]
        if introducer == 0x3B:  # trailer
            return pos + 1
        if introducer == 0x21:  # extension: introducer, label, sub-blocks
            pos = sub_blocks(pos + 2)
        elif introducer == 0x2C:  # image: descriptor (10 bytes), local colour table, LZW code size, sub-blocks
            if pos + 10 > len(data):
                raise ValueError("GIF ends inside an image descriptor")
            pos = sub_blocks(pos + 10 + colour_table(data[pos + 9]) + 1)
        else:  # not a block: the trailer is missing and what follows was appended
            return pos
    return pos


def prepare_upload(file, *, site=None) -> tuple[UploadCheck, File]:
    """Validate `file` and return its description and the content to store (re-encoded for images).

    Services call this for every file *before* writing anything, so a bad file leaves nothing behind.
    """
    check = validate_upload(file, site=site)
    if check.content_type in PILLOW_CHECKED_TYPES:
        content = _reencode_image(file, check)
        size = content.size
        return UploadCheck(
            name=check.name, ext=check.ext, content_type=check.content_type, inline_safe=check.inline_safe, size=size
        ), content
    file.seek(0)
    return check, File(file)
