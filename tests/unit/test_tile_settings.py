"""TILE_URL: validated at start-up, and its origin is what the CSP must let images come from."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dashboard.config import Settings


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("", None),
        ("/tiles/{z}/{x}/{y}.png", None),  # same origin: 'self' covers it
        ("http://tiles.intranet:8080/{z}/{x}/{y}.png", "http://tiles.intranet:8080"),
        ("https://{s}.gis.local/wmts/{z}/{y}/{x}", "https://*.gis.local"),
    ],
)
def test_tile_origin(url: str, origin: str | None) -> None:
    assert Settings(tile_url=url).tile_origin() == origin


@pytest.mark.parametrize(
    "url",
    [
        "tiles.intranet/{z}/{x}/{y}.png",  # no scheme
        "ftp://tiles.intranet/{z}/{x}/{y}.png",
        "http://tiles.intranet/tile.png",  # no placeholders
        "http://tiles.intranet/{z}/{x}.png",
        "javascript:alert(1)//{z}{x}{y}",
    ],
)
def test_bad_tile_urls_are_refused_naming_the_setting(url: str) -> None:
    with pytest.raises(ValidationError, match="TILE_URL"):
        Settings(tile_url=url)
