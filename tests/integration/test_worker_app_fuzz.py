"""Property test of the worker app's multipart endpoints: broken bodies and hostile fields never give a 5xx, and
nothing is half-written — no case names a photo without its row and file, no photo row lacks its case, a refused
request adds no case and no row, and an accepted report holds exactly the photos it was sent.
"""

from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dashboard.domain.photos import parse_photo_url
from dashboard.store.models import Case
from dashboard.store.photo_models import CasePhoto
from tests.integration.test_worker_app import bearer, point_in, streets
from tests.photo_samples import photo_bytes

HOSTILE = (
    "",
    " ",
    "NaN",
    "inf",
    "-1e400",
    "1e400",
    "91",
    "-181",
    "３９.９",
    "99999999999999999999",
    "\x00",
    "a\x00b",
    "\ud800",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE cases; --",
    "javascript:alert(1)",
    "路" * 3000,
    "x" * 70_000,
    "grid_worker",
    "1",
    "2026-13-45T99:00",
    "2026-01-01T08:00:00+08:00",
)
FIELDS = ("description", "lat", "lon", "source", "category_code", "reporter", "phone", "occurred_at", "self_handled")
FILE_FIELDS = ("photos", "photos_before", "photos_after", "other")


def _samples(lon: float, lat: float) -> list[bytes]:
    good = [photo_bytes(fmt, seed=i, width=24, height=18) for i, fmt in enumerate(("JPEG", "PNG", "WEBP"))]
    gps = photo_bytes("JPEG", seed=9, gps=(lon, lat), width=24, height=18)
    return [*good, gps, good[0][:60], good[1] + b"<html>", b"GIF89a\x01\x00\x01\x00", b"\x00" * 32, b""]


def _encode(boundary: str, fields: list[tuple[str, str]], files: list[tuple[str, str, str, bytes]]) -> bytes:
    out = bytearray()
    for name, value in fields:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode("utf-8", "surrogatepass") + b"\r\n"
    for name, filename, ctype, data in files:
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n"
        ).encode("utf-8", "surrogatepass")
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


@st.composite
def requests(
    draw: st.DrawFn, samples: list[bytes], place: dict[str, str]
) -> tuple[str, bytes, list[tuple[str, bytes]]]:
    """(Content-Type, body, the file parts as sent): a well-formed form of hostile values, or a broken one."""
    boundary = draw(st.sampled_from(["gcfuzz", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "a" * 70]))
    # A valid form (or one placed by EXIF GPS) with some of its fields made hostile, dropped or repeated.
    valid = {"description": "井盖缺失", "source": "grid_worker", "expected_version": "1", **place}
    if draw(st.integers(0, 3)) == 0:
        valid.pop("lat"), valid.pop("lon")
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=2, unique=True)):
        valid[name] = draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40)))
    fields = list(valid.items())
    if draw(st.integers(0, 9)) == 0:
        fields.append(fields[0])
    files = [
        (
            draw(st.sampled_from(FILE_FIELDS[:1] * 4 + FILE_FIELDS)),
            draw(st.sampled_from(["a.jpg", "../../etc/passwd", "x.php.jpg", "照片.png", "", '"q".jpg'])),
            draw(st.sampled_from(["image/jpeg", "text/html", "application/octet-stream", "image/svg+xml"])),
            draw(st.sampled_from(samples[:4] * 3 + samples)),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    body = _encode(boundary, fields, files)
    mangle = draw(st.sampled_from(["none"] * 8 + ["truncate", "flip", "boundary", "garbage"]))
    if mangle == "truncate":
        body = body[: draw(st.integers(0, len(body)))]
    elif mangle == "flip" and body:
        at = draw(st.integers(0, len(body) - 1))
        body = body[:at] + bytes([body[at] ^ 0xFF]) + body[at + 1 :]
    elif mangle == "boundary":
        boundary = "not-the-boundary"
    elif mangle == "garbage":
        body = draw(st.binary(max_size=300))
    ctype = draw(st.sampled_from([f"multipart/form-data; boundary={boundary}"] * 7 + ["multipart/form-data"]))
    return ctype, body, [(f[0], f[3]) for f in files]


def _state(grid_app) -> tuple[int, int]:  # noqa: ANN001
    with grid_app.runtime.session() as session:
        return session.scalar(select(func.count(Case.id))), session.scalar(select(func.count(CasePhoto.id)))


def _check_whole(grid_app, first_case: int) -> None:  # noqa: ANN001
    """Every photo URL of ours on this test's cases has its row and file; every photo row has its case.

    The database is shared by the session's tests, each with its own media folder: only cases from `first_case`
    on have their files in this test's folder.
    """
    store = grid_app.runtime.settings.media_root()
    with grid_app.runtime.session() as session:
        orphans = session.scalar(select(func.count(CasePhoto.id)).where(CasePhoto.case_id.not_in(select(Case.id))))
        assert orphans == 0
        rows = {(r.case_id, r.sha256) for r in session.scalars(select(CasePhoto))}
        for case in session.scalars(select(Case).where(Case.id >= first_case)):
            for url in case.photos or []:
                ref = parse_photo_url(url)
                if ref is None:
                    continue
                assert (case.id, ref[0]) in rows, (case.id, url)
                sha = ref[0]
                assert (store / sha[:2] / sha[2:4] / f"{sha}.{ref[1]}").is_file()


@pytest.fixture
def fuzz_setup(grid_app):  # noqa: ANN001, ANN201
    street = streets(grid_app)[0]
    lon, lat = point_in(grid_app, street, seed=99)
    return bearer(grid_app, "worker", street), lon, lat


def test_broken_multipart_and_hostile_fields_never_5xx_nor_half_write(client, grid_app, fuzz_setup) -> None:
    worker, lon, lat = fuzz_setup
    samples = _samples(lon, lat)
    case = client.post(
        "/api/v1/cases",
        json={"description": "fuzz target", "lat": lat, "lon": lon, "source": "grid_worker"},
        headers=worker,
    ).get_json()
    paths = ["/api/v1/cases", "/api/v1/cases", "/api/v1/media", f"/api/v1/cases/{case['id']}/self-handle"]
    rng = random.Random(15)

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(requests(samples, {"lat": repr(lat), "lon": repr(lon)}))
    def run(req: tuple[str, bytes, list[tuple[str, bytes]]]) -> None:
        ctype, body, parts = req
        path = paths[rng.randrange(len(paths))]
        before = _state(grid_app)
        resp = client.post(path, data=body, content_type=ctype, headers=worker)
        assert resp.status_code < 500, (path, resp.status_code, resp.get_data()[:300])
        if resp.status_code >= 400:
            assert resp.is_json and "error" in resp.get_json()
            if path == "/api/v1/cases":
                assert _state(grid_app) == before, (resp.status_code, resp.get_json())
        if path == "/api/v1/cases" and resp.status_code == 201:
            sent = {hashlib.sha256(data).hexdigest() for name, data in parts if name == "photos"}
            with grid_app.runtime.session() as session:
                kept = set(
                    session.scalars(
                        select(CasePhoto.sha256).where(
                            CasePhoto.case_id == resp.get_json()["id"], CasePhoto.kind == "report"
                        )
                    )
                )
            assert kept == sent
        _check_whole(grid_app, case["id"])

    run()
