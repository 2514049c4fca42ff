"""The pure part of case photos (dashboard/domain/photos.py) and the content check (services/photo_check.py)."""

from __future__ import annotations

import io
from fractions import Fraction

import pytest
from PIL import Image

from dashboard.domain.photos import (
    dms_degrees,
    gps_position,
    parse_photo_url,
    photo_url,
    png_end,
    shard,
    thumb_url,
    trailing_bytes,
    webp_end,
)
from dashboard.services.errors import FieldError, TooLarge
from dashboard.services.photo_check import PhotoLimits, check_photo
from tests.photo_samples import photo_bytes

SHA = "0123456789abcdef" * 4
LIMITS = PhotoLimits(max_bytes=2_000_000, max_pixels=4_000_000, thumb_px=320)


def test_dms_becomes_degrees_from_every_form_pillow_hands_over() -> None:
    assert dms_degrees((39, 54, 36)) == pytest.approx(39.91)
    assert dms_degrees(((39, 1), (54, 1), (3600, 100))) == pytest.approx(39.91)
    assert dms_degrees((Fraction(116), Fraction(23, 2), 0.0)) == pytest.approx(116.191666, abs=1e-6)


@pytest.mark.parametrize(
    "dms",
    [
        None,
        "39,54,36",
        (39, 54),
        (39, 61, 0),
        (39, 0, 61),
        (-1, 0, 0),
        (39, (1, 0), 0),
        (float("nan"), 0, 0),
        (True, 0, 0),
    ],
)
def test_malformed_dms_is_no_position(dms) -> None:  # noqa: ANN001
    assert dms_degrees(dms) is None


def test_references_set_the_hemisphere_and_bad_ones_give_nothing() -> None:
    assert gps_position("N", (39, 54, 0), "E", (116, 39, 0)) == pytest.approx((39.9, 116.65))
    assert gps_position(b"S\x00", (33, 52, 0), "W", (151, 12, 0)) == pytest.approx((-33.8667, -151.2), abs=1e-4)
    assert gps_position("X", (39, 54, 0), "E", (116, 39, 0)) is None
    assert gps_position("N", (91, 0, 0), "E", (116, 39, 0)) is None
    assert gps_position("N", (0, 0, 0), "E", (0, 0, 0)) is None  # a receiver without a fix writes zeros
    assert gps_position(None, None, None, None) is None


def test_our_photo_urls_round_trip_and_nothing_else_parses() -> None:
    assert parse_photo_url(photo_url(SHA, "jpg")) == (SHA, "jpg")
    assert thumb_url(SHA) == f"/media/{SHA}/thumb"
    for other in (
        f"https://host.example/media/{SHA}.jpg",
        f"/media/{SHA}.gif",
        f"/media/{SHA.upper()}.jpg",
        f"/media/{SHA}.jpg?x=1",
        f"/media/../{SHA}.jpg",
        None,
        42,
    ):
        assert parse_photo_url(other) is None, other
    assert shard(SHA) == ("01", "23")


def test_container_ends_find_what_follows_a_png_or_webp() -> None:
    png, webp, jpeg = photo_bytes("PNG", seed=1), photo_bytes("WEBP", seed=1), photo_bytes("JPEG", seed=1)
    assert png_end(png) == len(png) and webp_end(webp) == len(webp)
    assert trailing_bytes("PNG", png) == 0 and trailing_bytes("WEBP", webp) == 0
    assert trailing_bytes("PNG", png + b"PK\x03\x04zip") == 7
    assert trailing_bytes("WEBP", webp + b"<html>") == 6
    assert trailing_bytes("PNG", png[:-12]) == len(png) - 12  # no IEND: all of it is suspect
    assert trailing_bytes("JPEG", jpeg + b"motion photo video") == 0  # phones append data after JPEG's end


def test_check_reads_gps_applies_orientation_and_strips_metadata() -> None:
    raw = photo_bytes("JPEG", seed=2, gps=(116.65, 39.9), orientation=8, width=200, height=100)
    checked = check_photo(raw, "photos[0]", LIMITS)
    assert checked.gps == pytest.approx((39.9, 116.65), abs=1e-6)
    assert (checked.width, checked.height) == (100, 200)
    served = Image.open(io.BytesIO(checked.served))
    assert served.size == (100, 200) and not served.getexif()
    thumb = Image.open(io.BytesIO(checked.thumb))
    assert thumb.format == "WEBP" and thumb.size == (100, 200)  # never enlarged
    assert check_photo(raw, "photos[0]", LIMITS).sha256 == checked.sha256  # the hash of the bytes as sent


def test_check_refuses_by_content_and_size() -> None:
    with pytest.raises(TooLarge) as big:
        check_photo(b"\xff" * (LIMITS.max_bytes + 1), "photos[3]", LIMITS)
    assert big.value.field == "photos[3]"
    for bad in (b"", b"%PDF-1.7", photo_bytes("PNG", seed=3) + b"tail", photo_bytes("JPEG", seed=4)[:120]):
        with pytest.raises(FieldError) as err:
            check_photo(bad, "photos[0]", LIMITS)
        assert err.value.field == "photos[0]" and not isinstance(err.value, TooLarge)
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    with pytest.raises(FieldError, match="JPEG, PNG or WebP"):
        check_photo(gif.getvalue(), "photos[0]", LIMITS)
    with pytest.raises(FieldError, match="pixels"):
        check_photo(photo_bytes("PNG", width=2100, height=2000), "photos[0]", LIMITS)
