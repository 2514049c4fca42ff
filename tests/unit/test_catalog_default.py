"""The default catalog and departments, and the catalog time-limit parser."""

from __future__ import annotations

from dashboard.domain import catalog_default as cat
from dashboard.domain.time_limits import parse_time_limit

MAJORS = ["社会治安", "公共安全", "城市管理", "环境保护", "民生服务", "综合执法", "政策咨询", "综合管理"]


def test_eight_major_classes_in_order_with_three_to_six_minors() -> None:
    assert [m.name for m in cat.DEFAULT_CATALOG] == MAJORS
    for major in cat.DEFAULT_CATALOG:
        assert 3 <= len(major.minors) <= 6, major.name
        assert all(minor.conditions for minor in major.minors)


def test_codes_are_2_4_6_digits_and_nest() -> None:
    entries = cat.catalog_entries()
    assert len({e.code for e in entries}) == len(entries)
    for e in entries:
        assert len(e.major_code) == 2 and len(e.minor_code) == 4 and len(e.code) == 6
        assert e.code.isdigit()
        assert e.minor_code.startswith(e.major_code) and e.code.startswith(e.minor_code)
    assert entries[0].code == "010101"
    assert {e.major_code for e in entries} == {f"{i:02d}" for i in range(1, 9)}


def test_every_condition_is_complete() -> None:
    departments = {d.code for d in cat.DEFAULT_DEPARTMENTS}
    for e in cat.catalog_entries():
        assert e.condition and e.closing_standard
        assert e.level in ("A", "B", "C")
        assert e.department_code in departments
        assert e.limit_kind in ("urgent_hours", "work_hours", "work_days", "natural_days")
        assert e.limit_amount > 0
        limit = parse_time_limit(e.time_limit)
        assert (e.limit_kind, e.limit_amount) == (limit.kind.value, limit.amount)


def test_catalog_uses_the_real_time_limit_forms() -> None:
    forms = {e.time_limit for e in cat.catalog_entries()}
    assert {"2紧急工作时", "4工作时", "1工作日", "3个工作日", "5个工作日", "15天", "即时"} <= forms


def test_departments() -> None:
    names = {d.name for d in cat.DEFAULT_DEPARTMENTS}
    for name in [
        "区城市管理委员会", "区城管执法局", "区住房和城乡建设委员会", "区交通局", "区水务局", "区生态环境局",
        "区市场监管局", "公安通州分局", "区卫生健康委", "区民政局", "区应急管理局", "区园林绿化局",
        "区人力社保局", "区信访办", "供电公司", "燃气集团", "自来水公司",
    ]:  # fmt: skip
        assert name in names
    codes = [d.code for d in cat.DEFAULT_DEPARTMENTS]
    assert len(set(codes)) == len(codes)
    assert all(c.isascii() and c.isalnum() and c.isupper() and len(c) <= 16 for c in codes)
    assert all(d.tier in ("district", "street") for d in cat.DEFAULT_DEPARTMENTS)
    assert "区公安分局" in {d.name for d in cat.district_departments()}


def test_street_departments() -> None:
    specs = cat.street_departments("110112001", "第01街道")
    assert [d.code for d in specs] == ["110112001ZF", "110112001CG", "110112001PA"]
    assert all(d.tier == "street" and d.name.startswith("第01街道") and len(d.code) <= 16 for d in specs)
