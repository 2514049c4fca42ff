"""12345 category text → catalog condition with a confidence (dashboard/domain/category_match.py), on the default
catalog and real 12345 phrasings."""

from __future__ import annotations

import pytest

from dashboard.domain.catalog_default import catalog_entries
from dashboard.domain.category_match import (
    AMBIGUOUS_FACTOR,
    CatalogTerm,
    coverage,
    match_category,
    rewrite,
    segments,
)

TERMS = [CatalogTerm(e.code, e.major_name, e.minor_name, e.condition) for e in catalog_entries()]
THRESHOLD = 0.6  # Settings.hotline_category_threshold's default


@pytest.mark.parametrize(
    ("text", "minor", "how"),
    [
        ("噪音扰民", "噪声污染", "synonym"),
        ("占道经营", "街面秩序", "substring"),
        ("井盖缺失", "道路设施", "synonym"),
        ("路灯不亮", "市政公用设施", "substring"),
        ("垃圾清运不及时", "市容环境", "substring"),
        ("违章建筑", "违法建设", "synonym"),
        ("违法建设", "违法建设", "exact"),
        ("供暖不热", "供暖供水供电", "synonym"),
        ("物业纠纷", "矛盾纠纷", "synonym"),  # 邻里、家庭、物业等一般民间纠纷
        ("投诉噪音扰民问题", "噪声污染", "synonym"),  # the filler of a caller's report says nothing
        ("城市管理-街面秩序-占道经营", "街面秩序", "exact"),  # a hierarchical category: its own minor class
        ("城乡建设>市容市貌>占道经营", "街面秩序", "substring"),
        ("电梯困人", "物业服务", "synonym"),
        ("燃气泄漏", "燃气安全", "synonym"),
    ],
)
def test_real_12345_phrasings_reach_their_class_above_the_threshold(text: str, minor: str, how: str) -> None:
    match = match_category(text, TERMS)
    assert (match.minor_name, match.how) == (minor, how)
    assert THRESHOLD <= match.confidence <= 1.0
    assert match.code is not None and match.code.startswith(next(t.code[:4] for t in TERMS if t.minor_name == minor))


def test_confidence_orders_the_ways_of_matching() -> None:
    exact = match_category("违法建设", TERMS).confidence
    substring = match_category("占道经营", TERMS).confidence
    synonym = match_category("违章建筑", TERMS).confidence
    assert exact == 1.0 and exact > substring > synonym


def test_the_content_picks_the_condition_within_the_class() -> None:
    night = match_category("噪音扰民", TERMS, context="夜间工地施工，电钻声很大")
    shop = match_category("噪音扰民", TERMS, context="楼下商铺喇叭一直放音乐，广场舞")
    assert night.minor_name == shop.minor_name == "噪声污染"
    by_code = {t.code: t.condition for t in TERMS}
    assert "施工" in by_code[night.code] and "广场舞" in by_code[shop.code]


@pytest.mark.parametrize("text", ["安全", "设施"])
def test_a_word_several_classes_share_is_ambiguous_and_below_the_threshold(text: str) -> None:
    match = match_category(text, TERMS)
    assert match.code is not None  # the best guess is kept for the dispatcher …
    assert match.confidence == pytest.approx(0.85 * AMBIGUOUS_FACTOR)
    assert match.confidence < THRESHOLD  # … but the case is left unclassified


@pytest.mark.parametrize("text", ["", "　", "天气", "狗咬人", "a" * 500, "\u0000\u0001", "<script>alert(1)</script>"])
def test_nothing_or_noise_matches_nothing(text: str) -> None:
    match = match_category(text, TERMS)
    assert match.code is None and match.confidence == 0.0 and match.how == "none"


def test_partial_wording_gets_an_ngram_confidence_below_the_substring_one() -> None:
    match = match_category("小区停水", TERMS)
    assert match.how == "ngram" and 0 < match.confidence < THRESHOLD


def test_helpers() -> None:
    assert segments("城市管理 - 街面秩序 / 占道经营") == [
        "占道经营",
        "街面秩序",
        "城市管理",
        "城市管理街面秩序占道经营",
    ]
    assert rewrite("夜间噪音") == "夜间噪声"
    assert rewrite("暖气不热") == "室温不达标"  # the longest key wins
    assert coverage("物业纠纷", "邻里家庭物业等一般民间纠纷") == 1.0
    assert coverage("井盖缺失", "井盖丢失破损") == 0.5
    assert coverage("x", "xx") == 0.0
    assert match_category("占道经营", []).code is None
