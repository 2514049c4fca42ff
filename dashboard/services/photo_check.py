"""Is it a photo? Checked by its content with Pillow, never by its file name or the part's Content-Type.

A part passes when Pillow recognises it as JPEG, PNG or WebP (no other decoder is even tried), `verify()` finds
its structure sound, nothing follows a PNG's or WebP's own end (a polyglot: an image that is also a ZIP or a
page), its pixel count stays under the limit (decompression bombs are refused from the header, before a pixel
is decoded), and it decodes whole (a truncated file does not). What we keep and serve is our own re-encoding:
orientation applied and no metadata at all — no EXIF (GPS, device serials), no XMP, no comments — so a photo
never tells a viewer where a grid worker stood. The position is read from EXIF GPS first, when the report needs it.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from dashboard.config import Settings
from dashboard.domain.photos import FORMATS, THUMB, ImageFormat, gps_position, trailing_bytes
from dashboard.services.errors import FieldError, TooLarge

log = logging.getLogger(__name__)
ACCEPTED = tuple(FORMATS)  # Pillow plugin names: Image.open tries these and no other
JPEG_QUALITY = 90
WEBP_QUALITY = 90
THUMB_QUALITY = 80


@dataclass(frozen=True)
class PhotoLimits:
    """What one photo may be: bytes as sent, pixels decoded, and the thumbnail's longest side."""

    max_bytes: int
    max_pixels: int
    thumb_px: int

    @classmethod
    def of(cls, settings: Settings) -> PhotoLimits:
        """The limits configured in settings (MEDIA_MAX_PHOTO_BYTES, MEDIA_MAX_PIXELS, MEDIA_THUMB_PX)."""
        return cls(settings.media_max_photo_bytes, settings.media_max_pixels, settings.media_thumb_px)


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo that passed: its hash (of the bytes as sent), format, served size, EXIF position, encodings."""

    sha256: str
    format: ImageFormat
    width: int  # of the served copy, orientation applied
    height: int
    gps: tuple[float, float] | None  # (lat, lon) from EXIF, WGS-84
    served: bytes = b""
    thumb: bytes = b""


def check_photo(data: bytes, name: str, limits: PhotoLimits) -> CheckedPhoto:
    """The photo in `data` checked and re-encoded; FieldError (422) or TooLarge (413) naming `name` otherwise."""
    if not data:
        raise FieldError(name, "is empty: expected a JPEG, PNG or WebP photo")
    if len(data) > limits.max_bytes:
        raise TooLarge(name, f"is larger than {limits.max_bytes // (1024 * 1024)} MB ({len(data)} bytes)")
    fmt = _verified_format(data, name, limits)
    extra = trailing_bytes(fmt.pillow, data)
    if extra:
        raise FieldError(name, f"has {extra} bytes after the end of the {fmt.pillow} image: not a plain photo")
    image = _decoded(data, name)
    gps = _exif_position(image)
    try:
        upright = ImageOps.exif_transpose(image)
        served = _encode(upright, fmt)
        thumb = _thumbnail(upright, limits.thumb_px)
    except (OSError, ValueError, TypeError) as exc:  # a pixel format Pillow cannot convert or write
        raise FieldError(name, f"cannot be converted for display ({type(exc).__name__})") from exc
    return CheckedPhoto(
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        width=upright.width,
        height=upright.height,
        gps=gps,
        served=served,
        thumb=thumb,
    )


def _verified_format(data: bytes, name: str, limits: PhotoLimits) -> ImageFormat:
    """The format, from the header, once the structure verifies and the pixel count is within the limit."""
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED) as image:
            width, height = image.size
            if width < 1 or height < 1 or width * height > limits.max_pixels:
                raise FieldError(name, f"has {width}×{height} pixels; at most {limits.max_pixels:,} are accepted")
            fmt = FORMATS.get(image.format or "")
            if fmt is None:
                raise FieldError(name, "is not a JPEG, PNG or WebP image")
            image.verify()
    except UnidentifiedImageError as exc:
        raise FieldError(name, "is not a JPEG, PNG or WebP image (checked by its content)") from exc
    except Image.DecompressionBombError as exc:
        raise FieldError(name, f"decodes to more pixels than the {limits.max_pixels:,} accepted") from exc
    except FieldError:
        raise
    except Exception as exc:  # Pillow's parsers raise many types on hostile input (SyntaxError, struct.error …)
        raise FieldError(name, f"is damaged or not a plain image ({type(exc).__name__})") from exc
    return fmt


def _decoded(data: bytes, name: str) -> Image.Image:
    """Every pixel decoded (verify() reads structure only: a truncated file fails here)."""
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED)
        image.load()
    except Exception as exc:  # as above: truncated data is an OSError, a broken chunk a SyntaxError or ValueError
        raise FieldError(name, f"is truncated or damaged ({type(exc).__name__})") from exc
    return image


def _exif_position(image: Image.Image) -> tuple[float, float] | None:
    """(lat, lon) from the photo's EXIF GPS block, None without one (a malformed block counts as none)."""
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # EXIF is the phone's free-form data: a broken block means no position, not a bad photo
        log.debug("unreadable EXIF block ignored")
        return None
    if not gps:
        return None
    return gps_position(
        gps.get(ExifTags.GPS.GPSLatitudeRef),
        gps.get(ExifTags.GPS.GPSLatitude),
        gps.get(ExifTags.GPS.GPSLongitudeRef),
        gps.get(ExifTags.GPS.GPSLongitude),
    )


def _encode(image: Image.Image, fmt: ImageFormat) -> bytes:
    """The served copy: same format, no metadata (only the colour profile, which says nothing about anyone)."""
    out = io.BytesIO()
    icc = image.info.get("icc_profile")
    extra = {"icc_profile": icc} if icc else {}
    if fmt.pillow == "JPEG":
        rgb = image if image.mode in ("RGB", "L") else image.convert("RGB")
        # comment="": Pillow would otherwise copy the original's JPEG comment.
        rgb.save(out, "JPEG", quality=JPEG_QUALITY, comment="", **extra)
    elif fmt.pillow == "PNG":
        keep = image if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else image.convert("RGBA")
        keep.save(out, "PNG", **extra)
    else:
        _rgb_or_rgba(image).save(out, "WEBP", quality=WEBP_QUALITY, **extra)
    return out.getvalue()


def _thumbnail(image: Image.Image, px: int) -> bytes:
    """A WebP at most `px` on its longest side, from the upright image."""
    small = _rgb_or_rgba(image).copy()
    small.thumbnail((px, px))
    out = io.BytesIO()
    small.save(out, THUMB.pillow, quality=THUMB_QUALITY)
    return out.getvalue()


def _rgb_or_rgba(image: Image.Image) -> Image.Image:
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    wanted = "RGBA" if alpha else "RGB"
    return image if image.mode == wanted else image.convert(wanted)
