"""Case photos, the pure part: kinds, the formats we keep, our media URLs, EXIF GPS in degrees, container ends.

A photo is named by the SHA-256 of the bytes the phone sent. Its served copy is `/media/<sha>.<ext>` and its
thumbnail `/media/<sha>/thumb`; on disk both sit in folders sharded by the hash's first four hex digits.
Standard library only: the decoding itself (Pillow) is in dashboard/services/photo_check.py.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any


class PhotoKind(StrEnum):
    """When a photo was taken, as the case panel groups them (上报 / 处置前 / 处置后)."""

    REPORT = "report"  # with the report (POST /cases)
    BEFORE = "before"  # 处置前: a grid worker's self-handle, before fixing
    AFTER = "after"  # 处置后: the same, after fixing
    HANDLED = "handled"  # 办结反馈: the department's report-handled


@dataclass(frozen=True)
class ImageFormat:
    """A format we accept: Pillow's name for it, our file extension, and its MIME type."""

    pillow: str
    ext: str
    mime: str


FORMATS: dict[str, ImageFormat] = {
    f.pillow: f
    for f in (
        ImageFormat("JPEG", "jpg", "image/jpeg"),
        ImageFormat("PNG", "png", "image/png"),
        ImageFormat("WEBP", "webp", "image/webp"),
    )
}
BY_EXT: dict[str, ImageFormat] = {f.ext: f for f in FORMATS.values()}
THUMB = ImageFormat("WEBP", "webp", "image/webp")  # every thumbnail, whatever the photo's format

MEDIA_PREFIX = "/media/"
_SHA = re.compile(r"[0-9a-f]{64}")
_MEDIA_URL = re.compile(r"/media/([0-9a-f]{64})\.(jpg|png|webp)")


def is_sha256(value: Any) -> bool:
    """True for 64 lower-case hex digits."""
    return isinstance(value, str) and _SHA.fullmatch(value) is not None


def photo_url(sha: str, ext: str) -> str:
    """The served photo's path."""
    return f"{MEDIA_PREFIX}{sha}.{ext}"


def thumb_url(sha: str) -> str:
    """The thumbnail's path."""
    return f"{MEDIA_PREFIX}{sha}/thumb"


def parse_photo_url(url: Any) -> tuple[str, str] | None:
    """(sha, ext) of one of our photo paths (`/media/<sha>.<ext>`), else None.

    Only the path form is ours: `https://host/media/…` may be another server's file, kept as a plain link.
    """
    found = _MEDIA_URL.fullmatch(url) if isinstance(url, str) else None
    return (found.group(1), found.group(2)) if found else None


def shard(sha: str) -> tuple[str, str]:
    """The two folder levels a photo lives under (65,536 folders: no folder grows past a few hundred files)."""
    return sha[:2], sha[2:4]


# ---- EXIF GPS --------------------------------------------------------------------------------------------


def _number(value: Any) -> Fraction | None:
    """An EXIF RATIONAL as Pillow hands it (IFDRational, a (num, den) pair, int or float) as a Fraction."""
    if isinstance(value, bool):
        return None
    if isinstance(value, tuple) and len(value) == 2:
        num, den = value
    else:
        num, den = getattr(value, "numerator", value), getattr(value, "denominator", 1)
    if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in (num, den)):
        return None
    try:
        return Fraction(num) / Fraction(den)  # NaN, infinity and a zero denominator raise
    except (ValueError, OverflowError, ZeroDivisionError):
        return None


def dms_degrees(dms: Any) -> float | None:
    """Degrees from EXIF's (degrees, minutes, seconds); None when it is not three finite non-negative numbers."""
    if not isinstance(dms, Sequence) or isinstance(dms, str | bytes) or len(dms) != 3:
        return None
    parts = [_number(x) for x in dms]
    if any(p is None or p < 0 for p in parts):
        return None
    deg, minutes, seconds = parts  # type: ignore[misc]
    if minutes > 60 or seconds > 60:  # type: ignore[operator]  # 60 itself: a phone's rounding of 59.99…
        return None
    return float(deg + minutes / 60 + seconds / 3600)  # type: ignore[operator]


def _ref(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value.strip("\x00 ").upper() if isinstance(value, str) else ""


def gps_position(lat_ref: Any, lat: Any, lon_ref: Any, lon: Any) -> tuple[float, float] | None:
    """(lat, lon) in WGS-84 degrees from EXIF GPSLatitudeRef/GPSLatitude/GPSLongitudeRef/GPSLongitude.

    Phones write WGS-84, the datum we store. None when a value is missing or malformed, a reference is not
    N/S and E/W, the point is out of range, or it is exactly 0,0 (a receiver without a fix writes zeros).
    """
    north, east = _ref(lat_ref), _ref(lon_ref)
    if north not in ("N", "S") or east not in ("E", "W"):
        return None
    lat_deg, lon_deg = dms_degrees(lat), dms_degrees(lon)
    if lat_deg is None or lon_deg is None or lat_deg > 90 or lon_deg > 180:
        return None
    if lat_deg == 0 and lon_deg == 0:
        return None
    return (-lat_deg if north == "S" else lat_deg, -lon_deg if east == "W" else lon_deg)


# ---- where a container ends ------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_end(data: bytes) -> int | None:
    """The offset just past a PNG's IEND chunk, walking the chunks by their lengths; None when it has none."""
    if not data.startswith(PNG_SIGNATURE):
        return None
    at = len(PNG_SIGNATURE)
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        end = at + 12 + length
        if end > len(data):
            return None
        if kind == b"IEND":
            return end
        at = end
    return None


def webp_end(data: bytes) -> int | None:
    """The offset just past a WebP's RIFF container (its size field plus the 8-byte header, padded to even)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    (size,) = struct.unpack("<I", data[4:8])
    end = 8 + size + (size & 1)
    return end if end <= len(data) else None


def trailing_bytes(pillow_format: str, data: bytes) -> int:
    """How many bytes follow the image's own container (PNG after IEND, WebP after its RIFF size); 0 for JPEG.

    JPEG is not checked: phones append their own data after the end-of-image marker (motion photos carry a
    whole video there), and what we serve is always our own re-encoding, never the bytes as sent.
    """
    if pillow_format == "PNG":
        end = png_end(data)
    elif pillow_format == "WEBP":
        end = webp_end(data)
    else:
        return 0
    return len(data) if end is None else len(data) - end
