"""The grid-worker app (社管通) on SQLite and PostgreSQL: multipart reports with photos, checks by content, EXIF
GPS, content-addressed storage with thumbnails, and photos served only to those who may read the case.
"""

from __future__ import annotations

import io
import random
import struct
import uuid
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from dashboard.services.accounts import create_user, issue_token
from dashboard.store.models import Case, Street
from dashboard.store.photo_models import CasePhoto
from tests.photo_samples import photo_bytes

MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def bearer(grid_app, role: str, scope: str = "110112", department: str | None = None) -> dict[str, str]:  # noqa: ANN001
    with grid_app.runtime.session() as session:
        user = create_user(
            session=session, name=f"{role}-{uuid.uuid4().hex[:8]}", role=role, scope=scope, department_code=department
        )
        return {"Authorization": f"Bearer {issue_token(session=session, user=user, label='测试手机')}"}


def streets(grid_app) -> list[str]:  # noqa: ANN001
    with grid_app.runtime.session() as session:
        return list(session.scalars(select(Street.code).order_by(Street.code)))


def point_in(grid_app, street: str, seed: int = 1) -> tuple[float, float]:  # noqa: ANN001
    """(lon, lat) inside a grid of `street`."""
    index = grid_app.runtime.grid_index()
    code = next(c for c in index.codes() if c.startswith(street))
    return index.random_point_in(code, random.Random(seed))


def report_form(lon: float | None, lat: float | None, *photos: tuple[bytes, str], **fields: str) -> dict:
    """A multipart body: the report's text fields and `photos` parts as (bytes, file name)."""
    data: dict = {"description": "占道经营，影响通行", "source": "grid_worker", **fields}
    if lat is not None:
        data["lat"] = repr(lat)
    if lon is not None:
        data["lon"] = repr(lon)
    if photos:
        data["photos"] = [(io.BytesIO(b), name, "image/jpeg") for b, name in photos]
    return data


def post_report(client, headers: dict, data: dict, **kwargs):  # noqa: ANN001, ANN201
    return client.post("/api/v1/cases", data=data, headers=headers, content_type="multipart/form-data", **kwargs)


def media_files(grid_app) -> list[Path]:  # noqa: ANN001
    root = grid_app.runtime.settings.media_root()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def counts(grid_app) -> tuple[int, int]:  # noqa: ANN001
    with grid_app.runtime.session() as session:
        return session.scalar(select(func.count(Case.id))), session.scalar(select(func.count(CasePhoto.id)))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_photo_posted_as_multipart_becomes_a_case_with_its_photo_and_thumbnail(client, grid_app, fmt) -> None:
    street = streets(grid_app)[0]
    worker = bearer(grid_app, "worker", street)
    lon, lat = point_in(grid_app, street)
    raw = photo_bytes(fmt, seed=hash(fmt) % 1000, width=800, height=600)
    resp = post_report(client, worker, report_form(lon, lat, (raw, f"现场.{EXT[fmt]}")))
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert created["state"] == "reported"
    detail = client.get(f"/api/v1/cases/{created['id']}").get_json()
    (url,) = detail["photos"]
    assert url.startswith("/media/") and url.endswith("." + EXT[fmt])
    (item,) = detail["photo_items"]
    assert item["kind"] == "report" and item["mime"] == MIME[fmt] and (item["width"], item["height"]) == (800, 600)
    photo = client.get(url, headers=worker)
    assert photo.status_code == 200 and photo.mimetype == MIME[fmt]
    assert Image.open(io.BytesIO(photo.data)).size == (800, 600)
    thumb = client.get(item["thumb"], headers=worker)
    assert thumb.status_code == 200 and thumb.mimetype == "image/webp"
    small = Image.open(io.BytesIO(thumb.data))
    assert small.format == "WEBP" and max(small.size) == 320
    with grid_app.runtime.session() as session:
        row = session.scalar(select(CasePhoto).where(CasePhoto.case_id == created["id"]))
        assert row is not None and row.kind == "report" and row.uploaded_by.startswith("worker-")
        assert row.bytes == len(photo.data)


def test_exif_gps_places_a_report_sent_without_coordinates_and_never_reaches_a_viewer(client, grid_app) -> None:
    street = streets(grid_app)[0]
    worker = bearer(grid_app, "worker", street)
    lon, lat = point_in(grid_app, street, seed=7)
    # Orientation 6: the sensor's pixels are 640×480, the photo is meant upright as 480×640.
    raw = photo_bytes("JPEG", seed=71, gps=(lon, lat), orientation=6, width=640, height=480)
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the upload does carry GPS
    resp = post_report(client, worker, report_form(None, None, (raw, "IMG_0001.JPG")))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["lat"] == pytest.approx(lat, abs=1e-5) and body["lon"] == pytest.approx(lon, abs=1e-5)
    assert body["grid_code"] == grid_app.runtime.grid_index().locate(lon, lat).code
    (item,) = client.get(f"/api/v1/cases/{body['id']}").get_json()["photo_items"]
    for url in (item["url"], item["thumb"]):
        served = client.get(url, headers=worker)
        assert served.status_code == 200
        img = Image.open(io.BytesIO(served.data))
        assert not img.getexif(), f"{url} still carries EXIF"
        assert b"GridPhone" not in served.data and "xmp" not in img.info
    assert Image.open(io.BytesIO(client.get(item["url"], headers=worker).data)).size == (480, 640)


def test_the_same_image_twice_is_stored_once(client, grid_app) -> None:
    street = streets(grid_app)[0]
    lon, lat = point_in(grid_app, street, seed=3)
    raw = photo_bytes("PNG", seed=303)
    before = len(media_files(grid_app))
    first = post_report(client, {}, report_form(lon, lat, (raw, "a.png"), description="第一次上报"))
    second = post_report(client, {}, report_form(lon, lat, (raw, "b.png"), (raw, "c.png"), description="再报"))
    assert first.status_code == 201 and second.status_code == 201, second.get_json()
    assert len(media_files(grid_app)) == before + 2  # one photo and one thumbnail
    urls = [client.get(f"/api/v1/cases/{r.get_json()['id']}").get_json()["photos"] for r in (first, second)]
    assert urls[0] == urls[1] and len(urls[0]) == 1  # the same photo twice in one form is one photo
    with grid_app.runtime.session() as session:
        rows = session.scalars(
            select(CasePhoto).where(CasePhoto.case_id.in_([r.get_json()["id"] for r in (first, second)]))
        )
        assert len(list(rows)) == 2


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


BROKEN = {
    "text renamed .jpg": b"just some text, named IMG_0001.jpg",
    "html renamed .jpg": b"<html><script>alert(1)</script></html>",
    "GIF/JS polyglot": b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00;*/=alert(1);//" + b"\x00" * 16,
    "PNG followed by a page": photo_bytes("PNG", seed=5) + b"<html><script>alert(1)</script></html>",
    "PNG followed by a ZIP": photo_bytes("PNG", seed=6) + b"PK\x03\x04" + b"\x00" * 40,
    "truncated JPEG": photo_bytes("JPEG", seed=8, width=400, height=300)[:900],
    "truncated PNG": photo_bytes("PNG", seed=9, width=300, height=200)[:-40],
    "JPEG header then markup": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"<svg onload=alert(1)>" * 20,
    "decompression bomb": _png_bomb(60_000, 60_000),
}


@pytest.mark.parametrize("what", list(BROKEN))
def test_what_is_not_a_plain_photo_is_422_naming_it_and_nothing_is_written(client, grid_app, what) -> None:
    street = streets(grid_app)[0]
    lon, lat = point_in(grid_app, street)
    good = photo_bytes("JPEG", seed=404)
    before, files = counts(grid_app), media_files(grid_app)
    resp = post_report(client, {}, report_form(lon, lat, (good, "ok.jpg"), (BROKEN[what], "IMG_0002.jpg")))
    assert resp.status_code == 422, (what, resp.get_json())
    assert resp.get_json()["field"] == "photos[1]", resp.get_json()
    assert counts(grid_app) == before and media_files(grid_app) == files  # not even the good photo


def test_pixels_over_the_limit_are_refused(grid_app, client) -> None:
    grid_app.runtime.settings.media_max_pixels = 100_000
    try:
        lon, lat = point_in(grid_app, streets(grid_app)[0])
        big = photo_bytes("PNG", seed=1, width=400, height=300)  # 120,000 pixels
        resp = post_report(client, {}, report_form(lon, lat, (big, "big.png")))
        assert resp.status_code == 422 and resp.get_json()["field"] == "photos[0]"
        assert "pixels" in resp.get_json()["error"]
    finally:
        grid_app.runtime.settings.media_max_pixels = 50_000_000


def test_a_photo_or_a_request_too_large_is_413_naming_photos(grid_app, client) -> None:
    settings = grid_app.runtime.settings
    lon, lat = point_in(grid_app, streets(grid_app)[0])
    settings.media_max_photo_bytes = 20_000
    try:
        noisy = Image.effect_noise((300, 300), 80).convert("RGB")
        out = io.BytesIO()
        noisy.save(out, "PNG")
        assert len(out.getvalue()) > 20_000
        one = post_report(client, {}, report_form(lon, lat, (out.getvalue(), "noise.png")))
        assert one.status_code == 413 and one.get_json()["field"] == "photos[0]", one.get_json()
        # The whole request beyond every photo at its limit plus 1 MB of fields: refused before it is read.
        huge = post_report(client, {}, report_form(lon, lat, (b"\xff" * (settings.media_request_bytes() + 1), "x.jpg")))
        assert huge.status_code == 413 and huge.get_json()["field"] == "photos", huge.get_json()
    finally:
        settings.media_max_photo_bytes = 10 * 1024 * 1024
    many = post_report(client, {}, report_form(lon, lat, *[(photo_bytes(seed=i), f"{i}.jpg") for i in range(10)]))
    assert many.status_code == 422 and many.get_json()["field"] == "photos"


def test_without_coordinates_or_exif_gps_is_422_naming_lat(client, grid_app) -> None:
    before = counts(grid_app)
    resp = post_report(client, {}, report_form(None, None, (photo_bytes("WEBP", seed=2), "x.webp")))
    assert resp.status_code == 422 and resp.get_json()["field"] == "lat", resp.get_json()
    lon, _ = point_in(grid_app, streets(grid_app)[0])
    only_lon = post_report(client, {}, report_form(lon, None, (photo_bytes("WEBP", seed=2), "x.webp")))
    assert only_lon.status_code == 422 and only_lon.get_json()["field"] == "lat"
    bad = post_report(client, {}, {**report_form(lon, None), "lat": "NaN"})
    assert bad.status_code == 422 and bad.get_json()["field"] == "lat"
    assert counts(grid_app) == before


def test_media_is_served_only_to_those_who_may_read_the_case(client, grid_app, anonymous) -> None:
    street, other = streets(grid_app)[:2]
    worker = bearer(grid_app, "worker", street)
    lon, lat = point_in(grid_app, street, seed=11)
    created = post_report(client, worker, report_form(lon, lat, (photo_bytes("JPEG", seed=1111), "p.jpg"))).get_json()
    (item,) = client.get(f"/api/v1/cases/{created['id']}").get_json()["photo_items"]
    sha = item["url"].split("/")[-1].split(".")[0]
    allowed = {
        "reporting worker": worker,
        "street dispatcher": bearer(grid_app, "dispatcher", street),
        "district leader": bearer(grid_app, "leader"),
    }
    for who, headers in allowed.items():
        resp = client.get(item["url"], headers=headers)
        assert resp.status_code == 200, who
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Cache-Control"].startswith("private")
        assert resp.headers["Content-Disposition"].startswith("inline")
        assert resp.mimetype == "image/jpeg"
    refused = {
        "other street's dispatcher": (bearer(grid_app, "dispatcher", other), 404),
        "other street's worker": (bearer(grid_app, "worker", other), 404),
        "a handler of no such case": (bearer(grid_app, "handler", department=f"{street}ZF"), 404),
        "a channel that did not report it": (bearer(grid_app, "channel"), 404),
        "a screen account": (bearer(grid_app, "screen"), 403),
    }
    for who, (headers, status) in refused.items():
        for url in (item["url"], item["thumb"]):
            assert client.get(url, headers=headers).status_code == status, (who, url)
    assert anonymous.get(item["url"]).status_code == 401
    assert anonymous.get(item["thumb"]).status_code == 401
    # A hash no case holds, a wrong extension, and junk answer like a missing photo.
    for url in (f"/media/{'0' * 64}.jpg", f"/media/{sha}.png", "/media/..%2f..%2fetc%2fpasswd", f"/media/{sha}"):
        assert client.get(url).status_code == 404, url


def test_a_report_refused_after_its_photos_were_stored_leaves_no_row_and_the_sweep_takes_the_file(
    client, grid_app
) -> None:
    from dashboard.services.media_store import MediaStore, sweep_orphans

    lon, lat = point_in(grid_app, streets(grid_app)[0], seed=13)
    kept = post_report(client, {}, report_form(lon, lat, (photo_bytes("PNG", seed=1301), "kept.png")))
    assert kept.status_code == 201
    files, before = media_files(grid_app), counts(grid_app)
    # The category is checked inside the transaction, after the photo was stored: the transaction rolls back.
    refused = post_report(
        client, {}, report_form(lon, lat, (photo_bytes("PNG", seed=1302), "lost.png"), category_code="999999")
    )
    assert refused.status_code == 422 and refused.get_json()["field"] == "category_code"
    assert counts(grid_app) == before  # no case, no photo row
    orphans = sorted(set(media_files(grid_app)) - set(files))
    assert len(orphans) == 2  # the photo and its thumbnail: on disk, named by no row
    store = MediaStore(grid_app.runtime.settings.media_root())
    with grid_app.runtime.session() as session:
        assert sweep_orphans(store, session=session).removed == []  # younger than the grace period
        swept = sweep_orphans(store, session=session, older_than_s=0)
    assert sorted(swept.removed) == orphans
    assert media_files(grid_app) == files  # every file a case names is still there
    detail = client.get(f"/api/v1/cases/{kept.get_json()['id']}").get_json()
    assert client.get(detail["photo_items"][0]["thumb"]).status_code == 200
