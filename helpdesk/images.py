"""Uploaded images: checked by their content (never by name or declared type), then re-encoded.

Re-encoding is the defence: what is stored is a fresh PNG/WebP that Pillow wrote itself, so a polyglot file
(an HTML page with a PNG name, a JPEG with a script appended, EXIF with GPS data) never reaches the disk.
The logo uses `logo_from_upload()`; image attachments can call `reencode_image()` with their own limits.
"""

from __future__ import annotations

import io
import secrets
import warnings
from typing import IO, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .l10n import format_file_size

# Formats Pillow may even try to parse. Everything else (EPS runs Ghostscript, TIFF/BMP/ICO are rarely what a
# person meant) is refused before decoding.
ACCEPTED_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
ACCEPT_ATTRIBUTE = "image/png,image/jpeg,image/gif,image/webp"

# An uploaded image may be at most this many pixels on a side (a decompression bomb is refused before decoding).
MAX_INPUT_SIDE = 6000
MAX_INPUT_PIXELS = 24_000_000
LOGO_MAX_SIDE = 512

MSG_NOT_IMAGE = _("The file is not an image or is damaged. Upload a PNG, JPEG, GIF or WebP image.")
MSG_TOO_LARGE = _("The file is %(size)s; the largest allowed is %(limit)s.")
MSG_TOO_MANY_PIXELS = _("The image is %(width)s×%(height)s pixels; it may be at most %(limit)s pixels on each side.")
MSG_EMPTY = _("The file is empty.")

OutputFormat = Literal["PNG", "WEBP"]


def check_image(file: IO[bytes], *, max_bytes: int, max_side: int = MAX_INPUT_SIDE) -> tuple[int, int]:
    """Raise ValidationError unless `file` is a PNG/JPEG/GIF/WebP image within the limits; return its size in pixels.

    Leaves the file positioned at its start.
    """
    size = _file_size(file)
    if size == 0:
        raise ValidationError(MSG_EMPTY, code="empty")
    if size > max_bytes:
        raise ValidationError(
            MSG_TOO_LARGE,
            code="file_too_large",
            params={"size": format_file_size(size), "limit": format_file_size(max_bytes)},
        )
    try:
        file.seek(0)
        with Image.open(file, formats=ACCEPTED_FORMATS) as image:
            width, height = image.size  # read from the header, nothing decoded yet
            if width > max_side or height > max_side or width * height > MAX_INPUT_PIXELS:
                raise ValidationError(
                    MSG_TOO_MANY_PIXELS,
                    code="image_too_large",
                    params={"width": width, "height": height, "limit": max_side},
                )
            image.verify()  # checksums and structure, without decoding the pixels
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(MSG_NOT_IMAGE, code="not_image") from exc
    finally:
        file.seek(0)
    return width, height


def reencode_image(
    file: IO[bytes],
    *,
    max_bytes: int,
    max_output_side: int,
    output_format: OutputFormat = "PNG",
    max_input_side: int = MAX_INPUT_SIDE,
) -> ContentFile:
    """Validate `file` (see `check_image`) and return a new image file with a random name.

    The result is rotated upright (EXIF orientation), shrunk to fit `max_output_side`, has no metadata
    (EXIF, GPS, comments, ICC profile) and holds only the first frame of an animation.
    """
    check_image(file, max_bytes=max_bytes, max_side=max_input_side)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=ACCEPTED_FORMATS) as source:
                source.seek(0)
                source.load()
                image = ImageOps.exif_transpose(source) or source
                image = _normalise_mode(image)
                image.thumbnail((max_output_side, max_output_side), Image.Resampling.LANCZOS)
                image.info = {}  # nothing of the original's metadata is carried over
                out = io.BytesIO()
                if output_format == "WEBP":
                    image.save(out, format="WEBP", quality=90, method=6)
                else:
                    image.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(MSG_NOT_IMAGE, code="not_image") from exc
    except Image.DecompressionBombWarning as exc:
        raise ValidationError(MSG_NOT_IMAGE, code="not_image") from exc
    finally:
        file.seek(0)
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(16)}.{output_format.lower()}")


def logo_from_upload(file: IO[bytes]) -> ContentFile:
    """The site logo (F23): at most `settings.LOGO_MAX_BYTES`, stored as a PNG of at most 512 px a side."""
    return reencode_image(file, max_bytes=settings.LOGO_MAX_BYTES, max_output_side=LOGO_MAX_SIDE)


def check_logo(file: IO[bytes]) -> None:
    """The validation half of `logo_from_upload()`, for forms that want the error before saving."""
    check_image(file, max_bytes=settings.LOGO_MAX_BYTES)


def _normalise_mode(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    has_alpha = "transparency" in image.info or image.mode in ("PA", "RGBa", "La")
    if image.mode == "CMYK":
        return image.convert("RGB")
    return image.convert("RGBA" if has_alpha else "RGB")


def _file_size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is not None:
        return int(size)
    position = file.tell()
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(position)
    return size
