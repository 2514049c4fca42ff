"""Real photos made with Pillow for the worker-app tests: JPEG, PNG and WebP, with or without EXIF GPS.

Each image gets its own pixels (a seed paints a pattern), so two samples never share a content hash unless a
test means them to. GPS is written through Pillow's Exif API as a phone writes it: degrees, minutes, seconds as
rationals with N/S and E/W references, plus an orientation tag when asked.
"""

from __future__ import annotations

import io
import random

from PIL import ExifTags, Image


def _dms(value: float) -> tuple[float, float, float]:
    # In whole ten-thousandths of a second, so rounding never writes 60 seconds.
    total = round(abs(value) * 3600 * 10_000)
    degrees, rest = divmod(total, 3600 * 10_000)
    minutes, seconds = divmod(rest, 60 * 10_000)
    return (float(degrees), float(minutes), seconds / 10_000)


def gps_exif(lat: float, lon: float, *, orientation: int | None = None) -> Image.Exif:
    """An EXIF block with the position (WGS-84) and, optionally, an orientation."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "GridPhone"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N" if lat >= 0 else "S",
        ExifTags.GPS.GPSLatitude: _dms(lat),
        ExifTags.GPS.GPSLongitudeRef: "E" if lon >= 0 else "W",
        ExifTags.GPS.GPSLongitude: _dms(lon),
    }
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    return exif


def image(width: int = 64, height: int = 48, *, seed: int = 0, mode: str = "RGB") -> Image.Image:
    """An image whose pixels depend on `seed`."""
    rng = random.Random(seed)
    img = Image.new(mode, (width, height), tuple(rng.randrange(256) for _ in range(len(mode))))
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        img.paste(tuple(rng.randrange(256) for _ in range(len(mode))), (x, y, min(width, x + 9), min(height, y + 7)))
    return img


def photo_bytes(
    fmt: str = "JPEG",
    *,
    seed: int = 0,
    gps: tuple[float, float] | None = None,
    orientation: int | None = None,
    width: int = 64,
    height: int = 48,
) -> bytes:
    """A photo in `fmt` (JPEG, PNG, WEBP); `gps` is (lon, lat) written as EXIF GPS."""
    img = image(width, height, seed=seed, mode="RGB")
    out = io.BytesIO()
    extra = {}
    if gps is not None or orientation is not None:
        lon, lat = gps if gps is not None else (0.0, 0.0)
        exif = gps_exif(lat, lon, orientation=orientation) if gps is not None else Image.Exif()
        if gps is None and orientation is not None:
            exif[ExifTags.Base.Orientation] = orientation
        extra["exif"] = exif
    img.save(out, fmt, **extra)
    return out.getvalue()
