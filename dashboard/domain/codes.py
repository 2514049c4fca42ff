"""Jurisdiction codes and their ordering.

A grid code has 15 digits (after CJ/T 213 and Beijing DB11): the 6-digit county code of GB/T 2260, then a
3-digit street, a 3-digit community and a 3-digit grid sequence, each counted from 001 within its parent.
A street code is the first 9 digits and a community code the first 12, so every prefix names the parent.

Sequences follow reading order on the map, "west→east, north→south": the items are cut into horizontal
bands from north to south, each band holding an equal share of the items, and each band is read west to
east. The number of bands is about √(n · height / width) of the items' spread (lon scaled by cos lat), so a
square area gives about √n bands of √n items, like lines of text on a page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

COUNTY_DIGITS = 6
STREET_DIGITS = 3
COMMUNITY_DIGITS = 3
GRID_DIGITS = 3
STREET_CODE_LEN = COUNTY_DIGITS + STREET_DIGITS
COMMUNITY_CODE_LEN = STREET_CODE_LEN + COMMUNITY_DIGITS
GRID_CODE_LEN = COMMUNITY_CODE_LEN + GRID_DIGITS
MAX_SEQUENCE = 999


@dataclass(frozen=True)
class GridCode:
    """The four parts of a 15-digit grid code."""

    county: str
    street: int
    community: int
    grid: int

    @property
    def street_code(self) -> str:
        """The 9-digit code of the grid's street."""
        return make_street_code(self.county, self.street)

    @property
    def community_code(self) -> str:
        """The 12-digit code of the grid's community."""
        return make_community_code(self.county, self.street, self.community)

    @property
    def code(self) -> str:
        """The full 15-digit code."""
        return make_grid_code(self.county, self.street, self.community, self.grid)


def is_county_code(code: object) -> bool:
    """True for a plausible 6-digit GB/T 2260 county code (digits, province part not 00)."""
    return (
        isinstance(code, str) and len(code) == COUNTY_DIGITS and code.isascii() and code.isdigit() and code[:2] != "00"
    )


def county_code_from(value: object) -> str | None:
    """The 6-digit county code in a property value (110112, "110112", or the 9/12-digit "110112000000"), else None.

    Longer statistical division codes name the county only when their extra digits are zeros.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()):
        return None
    if len(text) in (9, 12) and set(text[COUNTY_DIGITS:]) == {"0"}:
        text = text[:COUNTY_DIGITS]
    return text if is_county_code(text) else None


def _check_county(county: str) -> None:
    if not is_county_code(county):
        raise ValueError(f"county code must be 6 digits (GB/T 2260, e.g. 110112), got {county!r}")


def _check_seq(name: str, value: int) -> None:
    if not 1 <= value <= MAX_SEQUENCE:
        raise ValueError(f"{name} sequence must be 1..{MAX_SEQUENCE}, got {value}")


def make_street_code(county: str, street: int) -> str:
    """The 9-digit street code: county + 3-digit street sequence."""
    _check_county(county)
    _check_seq("street", street)
    return f"{county}{street:03d}"


def make_community_code(county: str, street: int, community: int) -> str:
    """The 12-digit community code: street code + 3-digit community sequence."""
    _check_seq("community", community)
    return f"{make_street_code(county, street)}{community:03d}"


def make_grid_code(county: str, street: int, community: int, grid: int) -> str:
    """The 15-digit grid code: community code + 3-digit grid sequence."""
    _check_seq("grid", grid)
    return f"{make_community_code(county, street, community)}{grid:03d}"


def parse_grid_code(code: str) -> GridCode:
    """Split a 15-digit grid code into its parts; ValueError names what is wrong."""
    if not isinstance(code, str) or len(code) != GRID_CODE_LEN or not (code.isascii() and code.isdigit()):
        raise ValueError(f"a grid code is {GRID_CODE_LEN} digits, got {code!r}")
    county = code[:COUNTY_DIGITS]
    _check_county(county)
    parts = GridCode(
        county=county,
        street=int(code[COUNTY_DIGITS:STREET_CODE_LEN]),
        community=int(code[STREET_CODE_LEN:COMMUNITY_CODE_LEN]),
        grid=int(code[COMMUNITY_CODE_LEN:]),
    )
    _check_seq("street", parts.street)
    _check_seq("community", parts.community)
    _check_seq("grid", parts.grid)
    return parts


def is_grid_code(code: object) -> bool:
    """True for a well-formed 15-digit grid code (valid county, no 000 sequence)."""
    if not isinstance(code, str):
        return False
    try:
        parse_grid_code(code)
    except ValueError:
        return False
    return True


def order_west_east_north_south(items: Sequence[T], position: Callable[[T], tuple[float, float]]) -> list[T]:
    """`items` in map reading order by `position(item) = (lon, lat)`: bands north→south, each west→east."""
    n = len(items)
    if n <= 1:
        return list(items)
    pos = [position(item) for item in items]
    lons = [p[0] for p in pos]
    lats = [p[1] for p in pos]
    mean_lat = sum(lats) / n
    width = (max(lons) - min(lons)) * math.cos(math.radians(mean_lat))
    height = max(lats) - min(lats)
    if width <= 0:
        bands = n
    elif height <= 0:
        bands = 1
    else:
        bands = round(math.sqrt(n * height / width))
    bands = max(1, min(n, bands))
    # Ties are broken by the other coordinate, then by input position, so the order is total and stable.
    by_lat = sorted(range(n), key=lambda i: (-lats[i], lons[i], i))
    ordered: list[T] = []
    start = 0
    for b in range(bands):
        end = start + n // bands + (1 if b < n % bands else 0)
        band = sorted(by_lat[start:end], key=lambda i: (lons[i], -lats[i], i))
        ordered.extend(items[i] for i in band)
        start = end
    return ordered
