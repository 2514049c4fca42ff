"""Bodies of the intake channels for the endpoint fuzz (test_fuzz_api.py): multipart with photos good and hostile,
broken multipart, XML, Open311 forms and 12345 orders — each plausible enough to pass the first check, with one
field or one part made hostile.

The photos are made here with Pillow (a real JPEG with EXIF GPS, a PNG, a WebP) or are bytes no image decoder should
accept: text and markup renamed .jpg, a GIF/JS polyglot, a PNG followed by HTML, a truncated JPEG, a PNG header
claiming 60,000 × 60,000 pixels, a ZIP.
"""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache
from typing import Any

from hypothesis import strategies as st
from PIL import Image

GPS_IFD = 0x8825


def _image(fmt: str, *, gps: bool = False) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", (48, 32), (180, 40, 40))
    if gps:
        exif = Image.Exif()
        exif[GPS_IFD] = {1: "N", 2: (39.0, 54.0, 24.0), 3: "E", 4: (116.0, 39.0, 30.0)}
        img.save(out, fmt, exif=exif)
    else:
        img.save(out, fmt)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png_bomb() -> bytes:
    """A PNG header claiming 60,000 × 60,000 pixels (3.6 gigapixels) over a few bytes of data."""
    header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(b"\0" * 64))


@cache
def photo_parts() -> tuple[tuple[bytes, str, str], ...]:
    """(content, file name, declared content type): real images first, then what must be refused."""
    jpeg = _image("JPEG", gps=True)
    return (
        (jpeg, "scene.jpg", "image/jpeg"),
        (_image("PNG"), "scene.png", "image/png"),
        (_image("WEBP"), "scene.webp", "image/webp"),
        (b"<script>alert(1)</script>", "x.jpg", "image/jpeg"),
        (b"GIF89a/*\x00\x00*/=1;alert(document.domain)//", "poly.gif", "image/gif"),
        (_image("PNG") + b"<html><script>alert(1)</script>", "tail.png", "image/png"),
        (jpeg[: len(jpeg) // 2], "half.jpg", "image/jpeg"),
        (_png_bomb(), "bomb.png", "image/png"),
        (b"PK\x03\x04" + b"\x00" * 40, "a.zip", "application/zip"),
        (b"", "empty.jpg", "image/jpeg"),
        (jpeg, "../../etc/passwd", "text/html"),
    )


PHOTO_FIELDS = ("photos", "photos_before", "photos_after", "photo", "file")


@st.composite
def multipart_bodies(draw: st.DrawFn, fields: dict[str, Any], hostile: st.SearchStrategy[Any]) -> dict[str, Any]:
    """Form fields (one made hostile, or a field dropped) and one to three photo parts, for the test client."""
    form: dict[str, Any] = {k: "" if v is None else str(v) for k, v in fields.items()}
    if form and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(form)))
        if draw(st.integers(0, 3)) == 0:
            del form[key]
        else:
            value = draw(hostile)
            form[key] = value if isinstance(value, str) else repr(value)
    parts = photo_parts()
    files = []
    for _ in range(draw(st.integers(0, 3))):
        content, name, mime = draw(st.sampled_from(parts))
        files.append((draw(st.sampled_from(PHOTO_FIELDS)), (io.BytesIO(content), name, mime)))
    data: dict[str, Any] = {}
    for key, value in form.items():
        data[key] = value.encode("utf-8", "surrogatepass")
    for name, part in files:
        data.setdefault(name, []).append(part)
    return data


BROKEN_MULTIPART: tuple[tuple[bytes, str], ...] = (
    (b'--x\r\nContent-Disposition: form-data; name="photos"\r\n\r\nabc', "multipart/form-data; boundary=x"),
    (b"--x--", "multipart/form-data"),  # no boundary parameter
    (b"garbage without any boundary", "multipart/form-data; boundary=zz"),
    (
        b'--b\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        + b"\xff\xd8\xff" * 10,
        "multipart/form-data; boundary=b",
    ),  # unterminated file part
    (
        b"--b\r\n" + b'Content-Disposition: form-data; name="' + b"a" * 70_000 + b'"\r\n\r\n1\r\n--b--\r\n',
        "multipart/form-data; boundary=b",
    ),
    (b"--" + b"b" * 200 + b"\r\n\r\n", "multipart/form-data; boundary=" + "b" * 200),
)

XML_BODIES: tuple[bytes, ...] = (
    b"<service_requests><request><service_code>1</service_code>",  # unclosed
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><r>&d;&d;&d;</r>',
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
    b"<r><description><![CDATA[<script>alert(1)</script>]]></description></r>",
    b"\xff\xfe<\x00r\x00>\x00",
    b"<" * 5000,
)
XML_TYPES = ("application/xml", "text/xml")


def open311_form(point: tuple[float, float], api_key: str) -> dict[str, Any]:
    """A GeoReport v2 POST as the spec writes it (form fields), with a real key and position."""
    lon, lat = point
    return {
        "api_key": api_key,
        "service_code": "0101",
        "lat": f"{lat:.6f}",
        "long": f"{lon:.6f}",
        "address_string": "通州区某某社区",
        "attribute[condition]": "010101",
        "description": "路灯不亮",
        "media_url": "https://example.org/p.jpg",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800000000",
        "email": "a@example.org",
        "device_id": "fz-device",
    }


def hotline_order(point: tuple[float, float], serial: int) -> dict[str, Any]:
    """A 12345 work order in the adapter's JSON shape."""
    lon, lat = point
    return {
        "order_id": f"FZ{serial:08d}",
        "received_at": "2026-12-01T09:30:00+08:00",
        "caller": "李四",
        "phone": "13900000000",
        "address": "通州区某某社区门口",
        "lat": lat,
        "lon": lon,
        "category": "噪音扰民",
        "content": "夜间施工噪音扰民",
        "urgency": "一般",
    }
