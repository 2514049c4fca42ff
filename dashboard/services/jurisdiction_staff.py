"""Synthetic people for a built or imported jurisdiction: each grid's "3+X" team and each street's inspectors.

Seeded names (by surname frequency) and masked phone numbers, so the same seed gives the same people and no
number can belong to a real person. The official grid import uses these too for grids that arrive without staff.
"""

from __future__ import annotations

import random
from typing import Any

INSPECTORS_PER_STREET = (3, 5)


_SURNAMES: tuple[tuple[str, float], ...] = tuple(
    (s, float(w))
    for s, w in (
        ("王", 71), ("李", 70), ("张", 68), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 21), ("赵", 20),
        ("吴", 18), ("周", 17), ("徐", 14), ("孙", 13), ("马", 12), ("朱", 12), ("胡", 10), ("郭", 10),
        ("何", 9), ("林", 9), ("高", 9), ("罗", 9), ("郑", 8), ("梁", 8), ("谢", 6), ("宋", 6), ("唐", 6),
        ("许", 5), ("韩", 5), ("冯", 5), ("邓", 5), ("曹", 5), ("彭", 5), ("曾", 5), ("肖", 4), ("田", 4),
        ("董", 4), ("袁", 4), ("潘", 4), ("于", 4), ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 4), ("叶", 4),
        ("程", 4), ("苏", 3), ("魏", 3), ("吕", 3), ("丁", 3), ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3),
        ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 2), ("范", 2), ("金", 2), ("石", 2),
        ("廖", 2), ("贾", 2), ("夏", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2), ("孟", 2), ("熊", 2),
        ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2), ("雷", 2), ("侯", 2),
        ("史", 2), ("陶", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("常", 2),
    )
)  # fmt: skip


_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩凯秀丹燕雪琳婷颖欣悦晨阳帆"
    "宁海峰波春梅亮健俊晓佳嘉子涵雨思一博轩宏永庆学德利光荣新成金立东晶淑慧凤云秋瑞祥福鑫"
)


# Real mainland mobile prefixes; the middle four digits are masked so no number can belong to a real person.
_PHONE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157",
    "158", "159", "166", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "199",
)  # fmt: skip


def person_name(rng: random.Random) -> str:
    """A plausible Chinese name drawn by surname frequency (synthetic staff)."""
    surnames, weights = zip(*_SURNAMES, strict=True)
    surname = rng.choices(surnames, weights=weights)[0]
    given = rng.choice(_GIVEN) if rng.random() < 0.35 else rng.choice(_GIVEN) + rng.choice(_GIVEN)
    return surname + given


def masked_phone(rng: random.Random) -> str:
    """A mobile number with its middle four digits masked, so it can belong to nobody."""
    return f"{rng.choice(_PHONE_PREFIXES)}****{rng.randrange(10000):04d}"


def grid_team(grid_code: str, street_code: str, rng: random.Random) -> list[dict[str, Any]]:
    """The grid's "3+X" team: leader, full-time worker, liaison, plus 1–3 part-time workers or volunteers."""
    roles = ["grid_leader", "full_time", "liaison"]
    roles += [rng.choice(("part_time", "volunteer")) for _ in range(rng.randint(1, 3))]
    return [
        {
            "code": f"{grid_code}-{n:02d}",
            "name": person_name(rng),
            "role": role,
            "grid_code": grid_code,
            "street_code": street_code,
            "phone": masked_phone(rng),
        }
        for n, role in enumerate(roles, start=1)
    ]


def street_inspectors(street_code: str, rng: random.Random) -> list[dict[str, Any]]:
    """The street's inspectors (Staff rows X01, X02 …), as many as INSPECTORS_PER_STREET allows, drawn from `rng`."""
    return [
        {
            "code": f"{street_code}-X{n:02d}",
            "name": person_name(rng),
            "role": "inspector",
            "grid_code": None,
            "street_code": street_code,
            "phone": masked_phone(rng),
        }
        for n in range(1, rng.randint(*INSPECTORS_PER_STREET) + 1)
    ]
