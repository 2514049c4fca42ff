"""E2E fixtures: the real app in its own process over a small jurisdiction, and Debian's Chromium."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.markup_kit import Watched, open_watched
from tests.e2e.server import CHROMIUM, Jurisdiction, LiveApp, launch_chromium, running_app

SMALL = Jurisdiction(grids=120, streets=4, communities=24, seed=5)
VIEWPORT = {"width": 1920, "height": 1080}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The app serving a 120-grid jurisdiction on a free port (its own SQLite file and Redis prefix)."""
    with running_app(tmp_path_factory.mktemp("e2e"), SMALL) as live:
        yield live


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium from /usr/bin/chromium (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        yield chromium
        chromium.close()


@pytest.fixture
def screen_page(browser, live_app: LiveApp) -> Iterator[object]:  # noqa: ANN001 - playwright Browser
    """/screen at 1920x1080, connected (indicator live, snapshot applied) with its grid polygons drawn."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The wall opens with its display token, as a command hall's kiosk does.
    page.goto(f"{live_app.base_url}/screen?token={live_app.tokens['screen']}")
    page.wait_for_function("() => window.gridcmdLive && window.gridcmdLive.state === 'live'", timeout=20_000)
    page.locator("#screen-conn.is-live").wait_for(timeout=5_000)
    page.wait_for_function("() => window.gridcmdLive.gridCount() > 0", timeout=20_000)  # grids are on a canvas
    yield page
    context.close()
    assert not errors, f"page errors: {errors}"


@pytest.fixture
def watched(browser) -> Iterator[Callable[[], Watched]]:  # noqa: ANN001 - playwright Browser
    """Opens pages, each in a fresh context, that record dialogs, console, page errors and CSP violations (the
    markup tests, tests/e2e/markup_kit.py)."""
    contexts: list[object] = []
    yield lambda: open_watched(browser, contexts)
    for context in contexts:
        context.close()
