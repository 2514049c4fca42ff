"""Which files of assets/ each view's page loads: its own, the shared helpers, and the live client on live views."""

from __future__ import annotations

import re

import pytest

from layouts.dash_app import ASSETS, LIVE_VIEWS, assets_ignore

VIEWS = ("screen", "dispatch", "leader", "admin", "login")


def _served(view: str) -> set[str]:
    ignore = re.compile(assets_ignore(view))
    return {p.name for p in ASSETS.iterdir() if p.is_file() and not ignore.search(p.name)}


@pytest.mark.parametrize("view", VIEWS)
def test_the_live_client_is_served_to_live_views_only(view: str) -> None:
    assert ("gridcmd-live.js" in _served(view)) == (view in LIVE_VIEWS)


@pytest.mark.parametrize("view", VIEWS)
def test_a_view_loads_no_other_views_files(view: str) -> None:
    others = {f for f in _served(view) if f.startswith("gridcmd-")} - {"gridcmd-live.js", "gridcmd-text.js"}
    assert all(f.startswith(f"gridcmd-{view}.") or f.startswith(f"gridcmd-{view}-") for f in others), others


def test_the_wall_and_the_desk_share_one_live_client() -> None:
    assert {"gridcmd-live.js", "gridcmd-screen.js"} <= _served("screen")
    assert {"gridcmd-live.js", "gridcmd-dispatch.js"} <= _served("dispatch")
    assert "gridcmd-dispatch.js" not in _served("screen") and "gridcmd-screen.js" not in _served("dispatch")
