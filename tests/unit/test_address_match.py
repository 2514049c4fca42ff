"""Which grid, community or street an address names (dashboard/domain/address_match.py)."""

from __future__ import annotations

from dashboard.domain.address_match import Area, match_area

STREET_A = Area("110112001", "新华街道")
STREET_B = Area("110112002", "中仓街道")
COMMUNITY_A1 = Area("110112001001", "新华社区")
COMMUNITY_A2 = Area("110112001002", "西营社区")
COMMUNITY_B1 = Area("110112002001", "中仓社区")
# Real grid names are often just a number within their community.
GRID_A1_1 = Area("110112001001001", "第1网格")
GRID_A2_1 = Area("110112001002001", "第1网格")
GRID_B1_1 = Area("110112002001001", "第1网格")
# The demo jurisdiction's own names (services/jurisdiction.py) carry their parents.
DEMO = [
    Area("110112003", "第03街道"),
    Area("110112003002", "第03街道第02社区"),
    Area("110112003002001", "第03街道第02社区第1网格"),
    Area("110112003002011", "第03街道第02社区第11网格"),
]
ALL = [STREET_A, STREET_B, COMMUNITY_A1, COMMUNITY_A2, COMMUNITY_B1, GRID_A1_1, GRID_A2_1, GRID_B1_1, *DEMO]


def test_the_most_specific_named_area_wins() -> None:
    found = match_area("北京市通州区新华街道新华社区第1网格3号楼", ALL)
    assert found is not None and found.area.code == GRID_A1_1.code
    assert found.names == ("第1网格", "新华社区", "新华街道")


def test_a_grid_name_shared_by_communities_is_placed_by_the_community_named() -> None:
    found = match_area("西营社区第1网格门口", ALL)
    assert found is not None and found.area.code == GRID_A2_1.code


def test_a_shared_grid_name_alone_is_ambiguous() -> None:
    assert match_area("第1网格东侧", [GRID_A1_1, GRID_A2_1, GRID_B1_1]) is None


def test_a_community_or_a_street_alone() -> None:
    community = match_area("新华社区南门外", ALL)
    street = match_area("中仓街道某路口", ALL)
    assert community is not None and community.area.code == COMMUNITY_A1.code and community.area.level == "community"
    assert street is not None and street.area.code == STREET_B.code and street.area.level == "street"


def test_two_places_named_is_ambiguous() -> None:
    assert match_area("新华街道与中仓街道交界处", ALL) is None


def test_longer_demo_names_win_and_a_prefix_does_not_match_a_longer_number() -> None:
    eleven = match_area("第03街道第02社区第11网格", ALL)
    one = match_area("第03街道第02社区第1网格", ALL)
    assert eleven is not None and eleven.area.code == "110112003002011"
    assert one is not None and one.area.code == "110112003002001"


def test_full_width_and_spaces_do_not_hide_a_name() -> None:
    found = match_area("新华 社区　3号楼", ALL)
    assert found is not None and found.area.code == COMMUNITY_A1.code


def test_nothing_named() -> None:
    assert match_area("朝阳区建国路88号", ALL) is None
    assert match_area("", ALL) is None
    assert match_area("新华社区", []) is None
    assert match_area("东", [Area("110112009", "东")]) is None  # one character says nothing
