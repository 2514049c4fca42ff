"""Which scripts and styles each view's page loads: its own folder, the shared helpers, the live client on live
views, and only the component libraries it uses (the wall once downloaded the desk's 1.3 MB AG Grid bundle).

Read from the page Dash writes, so a Dash upgrade that changes how assets reach the page fails here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from layouts.dash_app import ASSETS, LIVE_VIEWS
from layouts.screen import WORKER_FOLDER, worker_url

VIEWS = {"screen": "/screen/", "dispatch": "/dispatch/", "admin": "/admin/", "leader": "/leader/"}
LIBRARIES = {"screen": {"dash_leaflet"}, "dispatch": {"dash_leaflet", "dash_ag_grid"}, "admin": set(), "leader": set()}
_REF = re.compile(r'<(?:script|link)\b[^>]*?(?:src|href)="(?P<url>[^"]+)"')


def _loaded(client: Any, view: str) -> list[str]:
    resp = client.get(VIEWS[view])
    assert resp.status_code == 200
    return [m.group("url").split("?")[0] for m in _REF.finditer(resp.get_data(as_text=True))]


def _suites(urls: list[str]) -> set[str]:
    return {u.split("/_dash-component-suites/")[1].split("/")[0] for u in urls if "/_dash-component-suites/" in u}


def _own_assets(urls: list[str]) -> set[str]:
    return {u.split("/assets/", 1)[1] for u in urls if "/assets/" in u}


@pytest.mark.parametrize("view", VIEWS)
def test_a_view_loads_its_own_folder_and_no_other_views_files(client: Any, view: str) -> None:
    urls = _loaded(client, view)
    folder = ASSETS / view
    own = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.suffix in (".js", ".css")}
    own = {name for name in own if not name.startswith(f"{WORKER_FOLDER}/")}  # workers are fetched, not injected
    assert _own_assets(urls) == own
    others = [u for u in urls if u.startswith("/static/") and not u.startswith(("/static/shared/", "/static/vendor/"))]
    assert not others, others


@pytest.mark.parametrize("view", VIEWS)
def test_a_view_loads_only_the_component_libraries_it_uses(client: Any, view: str) -> None:
    assert _suites(_loaded(client, view)) == LIBRARIES[view] | {"dash"}


@pytest.mark.parametrize("view", VIEWS)
def test_the_live_client_is_served_to_live_views_only(client: Any, view: str) -> None:
    urls = _loaded(client, view)
    assert ("/static/shared/live.js" in urls) == (view in LIVE_VIEWS)
    assert ("/static/vendor/socket.io.min.js" in urls) == (view in LIVE_VIEWS)
    assert "/static/shared/text.js" in urls  # every view renders data as text with it


def test_the_wall_loads_neither_the_desks_scripts_nor_ag_grid(client: Any) -> None:
    urls = _loaded(client, "screen")
    assert not [u for u in urls if "dispatch" in u or "ag_grid" in u or "ag-grid" in u], urls


def test_shared_scripts_come_before_the_views_own(client: Any) -> None:
    urls = [u for u in _loaded(client, "dispatch") if u.endswith(".js")]
    first_own = min(i for i, u in enumerate(urls) if "/assets/" in u)
    assert max(i for i, u in enumerate(urls) if u.startswith("/static/")) < first_own


def test_the_patrol_worker_is_served_to_the_wall_but_not_injected(client: Any) -> None:
    """A worker script run as a page script would paint nothing and throw: it must only be fetched by URL."""
    assert not [u for u in _loaded(client, "screen") if f"/{WORKER_FOLDER}/" in u]
    url = worker_url()
    assert url.startswith("/screen/assets/workers/patrols.js?m=")
    resp = client.get(url)
    assert resp.status_code == 200
    assert "javascript" in resp.mimetype
    assert b"Painter" in resp.get_data()


def test_the_leader_pass_leaves_dashs_unused_bundles_off_the_phone(client: Any) -> None:
    """The pass is html components only: no dcc or dash_table bundle (470 KB of a cold load), renderer and html kept;
    the desk, which uses dcc, still gets it."""
    urls = _loaded(client, "leader")
    suites = [u.split("/_dash-component-suites/dash/")[1] for u in urls if "/_dash-component-suites/dash/" in u]
    assert not [u for u in suites if u.startswith(("dcc/", "dash_table/"))], suites
    assert any(u.startswith("dash-renderer/") for u in suites) and any(u.startswith("html/") for u in suites)
    assert [u for u in _loaded(client, "dispatch") if "/_dash-component-suites/dash/dcc/" in u]
