"""Which grid, community or street an address names (pure).

A 12345 order or an Open311 request often comes with an address and no coordinates ("通州区新华街道新华社区3号楼").
The jurisdiction's own names are what an address can be matched against: every area whose name the address
contains is a candidate, and the candidate whose chain of names (its own and those of its community and street
that the address also contains) covers most characters wins. So a grid called just "第1网格" is placed only in the
community the address names too, and a longer, more specific name beats a shorter one. When two different areas
tie for the best score (two streets named in one address, a grid name shared by several communities none of
which is named), the address does not say where it is, and nothing is returned: the case waits for a person.

Ancestors follow from the codes (DESIGN.md section 4): a grid's first 12 digits are its community, 9 its street.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MIN_NAME = 2  # a one-character name ("东") would be found in almost any address
MAX_ADDRESS = 500
LEVEL_OF_LENGTH = {9: "street", 12: "community", 15: "grid"}


@dataclass(frozen=True)
class Area:
    """A street (9-digit code), community (12) or grid (15) and its name."""

    code: str
    name: str

    @property
    def level(self) -> str:
        return LEVEL_OF_LENGTH.get(len(self.code), "area")


@dataclass(frozen=True)
class AreaMatch:
    """The area an address names, and the names of its chain the address contains (most specific first)."""

    area: Area
    names: tuple[str, ...]
    score: int


def _flat(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _ancestors(code: str) -> tuple[str, ...]:
    return tuple(code[:n] for n in (12, 9) if n < len(code))


def match_area(address: str, areas: Iterable[Area]) -> AreaMatch | None:
    """The best-named area of `address` (see the module docstring), or None when none or several tie."""
    if not isinstance(address, str):
        return None
    text = _flat(address[:MAX_ADDRESS])
    named: dict[str, Area] = {}
    for area in areas:
        name = _flat(area.name)
        if len(name) >= MIN_NAME and name in text:
            named[area.code] = Area(area.code, name)
    if not named:
        return None
    scored: list[AreaMatch] = []
    for area in named.values():
        chain = [area.name, *(named[c].name for c in _ancestors(area.code) if c in named)]
        scored.append(AreaMatch(area, tuple(chain), sum(len(n) for n in chain)))
    scored.sort(key=lambda m: (-m.score, -len(m.area.code), m.area.code))
    best = scored[0]
    # An equal score elsewhere (not one of best's own ancestors) is another place the address may mean.
    rivals = [m for m in scored[1:] if m.score == best.score and not best.area.code.startswith(m.area.code)]
    if rivals:
        return None
    return best
