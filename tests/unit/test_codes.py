"""15-digit grid codes and the west→east, north→south ordering."""

from __future__ import annotations

import random

import pytest

from dashboard.domain import codes


def test_make_and_parse_round_trip() -> None:
    code = codes.make_grid_code("110112", 3, 27, 4)
    assert code == "110112003027004"
    parts = codes.parse_grid_code(code)
    assert parts == codes.GridCode("110112", 3, 27, 4)
    assert parts.street_code == "110112003" == codes.make_street_code("110112", 3)
    assert parts.community_code == "110112003027" == codes.make_community_code("110112", 3, 27)
    assert parts.code == code


@pytest.mark.parametrize("code", ["110112001001001", "110112999999999", "650102010020030"])
def test_valid_grid_codes(code: str) -> None:
    assert codes.is_grid_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "11011200100100",  # 14 digits
        "1101120010010011",  # 16 digits
        "11011200100100a",
        "110112000001001",  # street 000
        "110112001000001",  # community 000
        "110112001001000",  # grid 000
        "001234001001001",  # no province 00
        "１１０１１２００１００１００１",  # full-width digits are not a code
        " 110112001001001",
        "",
        None,
        110112001001001,
    ],
)
def test_invalid_grid_codes(code: object) -> None:
    assert not codes.is_grid_code(code)


def test_parse_names_the_problem() -> None:
    with pytest.raises(ValueError, match="15 digits"):
        codes.parse_grid_code("123")
    with pytest.raises(ValueError, match="grid sequence"):
        codes.parse_grid_code("110112001001000")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("11011", 1, 1, 1), "county"),
        (("110112", 0, 1, 1), "street"),
        (("110112", 1, 1000, 1), "community"),
        (("110112", 1, 1, 0), "grid"),
    ],
)
def test_make_rejects_out_of_range(args: tuple[str, int, int, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        codes.make_grid_code(*args)


def test_county_code() -> None:
    assert codes.is_county_code("110112")
    assert not codes.is_county_code("11011")
    assert not codes.is_county_code("000112")
    assert not codes.is_county_code(110112)


def _pos(p: tuple[str, float, float]) -> tuple[float, float]:
    return p[1], p[2]


def test_order_reads_bands_north_to_south_then_west_to_east() -> None:
    # A jittered 3×3 block at Beijing's latitude (lon spacing widened by 1/cos lat so it is square on the ground).
    rng = random.Random(3)
    points = []
    for row in range(3):
        for col in range(3):
            lon = 116.6 + col * 0.013 + rng.uniform(-0.002, 0.002)
            lat = 39.9 - row * 0.01 + rng.uniform(-0.002, 0.002)
            points.append((f"r{row}c{col}", lon, lat))
    shuffled = points[:]
    rng.shuffle(shuffled)
    ordered = codes.order_west_east_north_south(shuffled, _pos)
    assert [p[0] for p in ordered] == [f"r{r}c{c}" for r in range(3) for c in range(3)]


def test_order_of_a_row_and_a_column() -> None:
    row = [("e", 3.0, 0.0), ("w", 1.0, 0.0), ("m", 2.0, 0.0)]
    assert [p[0] for p in codes.order_west_east_north_south(row, _pos)] == ["w", "m", "e"]
    column = [("s", 0.0, 1.0), ("n", 0.0, 3.0), ("m", 0.0, 2.0)]
    assert [p[0] for p in codes.order_west_east_north_south(column, _pos)] == ["n", "m", "s"]


def test_order_is_total_and_independent_of_input_order() -> None:
    rng = random.Random(11)
    points = [(str(i), rng.uniform(116.5, 116.9), rng.uniform(39.6, 40.0)) for i in range(57)]
    first = codes.order_west_east_north_south(points, _pos)
    for _ in range(5):
        rng.shuffle(points)
        assert codes.order_west_east_north_south(points, _pos) == first
    assert sorted(first) == sorted(points)


def test_order_of_trivial_inputs() -> None:
    assert codes.order_west_east_north_south([], _pos) == []
    one = [("a", 1.0, 1.0)]
    assert codes.order_west_east_north_south(one, _pos) == one
    same = [("a", 1.0, 1.0), ("b", 1.0, 1.0)]
    assert codes.order_west_east_north_south(same, _pos) == same
