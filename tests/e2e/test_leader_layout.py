"""The leader pass's layout on every screen it is made for (issue 14): phones 390×844 upright and 844×390 on their
side, tablets 1024×768, 768×1024, 1366×1024 and 1024×1366 — no sideways scrolling, nothing cut off at the right,
every button and link at least 44×44 px, and body text at a contrast of at least 4.5:1 against what is behind it
(computed from the computed styles). Checked on the district's first view and on a street's, whose map, case
sheet and 督办 dialog are open in turn. One app, one browser, one context per viewport; screenshots in
test-results/leader-layout-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.server import ROOT, LiveApp
from tests.e2e.test_leader import LOADED, _needy_case

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "test-results"
VIEWPORTS = {
    "phone": (390, 844, True),
    "phone-landscape": (844, 390, True),
    "tablet-landscape": (1024, 768, False),
    "tablet-portrait": (768, 1024, False),
    "tablet-large": (1366, 1024, False),
    "tablet-large-portrait": (1024, 1366, False),
}
# Every touch target of the pass: buttons, links and the tabs (buttons too).
TARGETS = "#leader-root button, #leader-root a, #leader-dialog-host button, #leader-dialog-host select"
# The text a leader reads, each checked against its own background.
TEXT = (
    ".leader-header h1, .leader-scope-name, .leader-conn, .leader-logout, .leader-status span, .leader-crumb, "
    ".leader-toggle-btn, .leader-tab, .leader-card-label, .leader-card-value, .leader-card-target, "
    ".leader-card-change, .leader-card-trend-label, .leader-section-head h2, .leader-section-note, "
    "#leader-rank-level, .leader-rank-head, .leader-rank-name, .leader-rank-figure, .leader-rank-side, "
    ".leader-need-code, .leader-badge, .leader-need-what, .leader-need-meta span, .leader-need-reply, .leader-act, "
    ".leader-map-key, .leader-empty, .leader-updated, .leader-dialog-title, .leader-dialog-label, .leader-btn, "
    ".leader-sheet-head, .leader-sheet-desc, .leader-sheet-event-head"
)
# Elements that must lie wholly inside the viewport's width.
KEY = (
    ".leader-header, .leader-status, #leader-crumbs, #leader-toggle, .leader-card, .leader-section, "
    ".leader-map-canvas, .leader-need, .leader-dialog, " + TARGETS
)

MEASURE = """([targets, text, key]) => {
  const visible = (el) => el.offsetParent !== null || getComputedStyle(el).position === 'fixed';
  const shown = (sel) => Array.from(document.querySelectorAll(sel)).filter(visible);
  const label = (el) => (el.id ? '#' + el.id : el.className || el.tagName) + ' ' +
    (el.textContent || '').trim().slice(0, 24);
  const width = window.innerWidth;
  const overflow = [document.documentElement.scrollWidth, width];
  const clipped = shown(key).map((el) => [label(el), el.getBoundingClientRect()])
    .filter(([, r]) => r.left < -0.5 || r.right > width + 0.5).map(([l, r]) => [l, r.left, r.right]);
  const small = shown(targets).map((el) => [label(el), el.getBoundingClientRect()])
    .filter(([, r]) => r.height < 44 || r.width < 44).map(([l, r]) => [l, r.width, r.height]);
  const parse = (c) => { const m = c.match(/[\\d.]+/g) || [0, 0, 0, 0];
    return [+m[0], +m[1], +m[2], m.length > 3 ? +m[3] : 1]; };
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);  // WCAG 2
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]);
  };
  const low = [];
  let checked = 0;
  for (const el of shown(text)) {
    if (!(el.textContent || '').trim()) continue;
    const bg = background(el);
    const fg = over(parse(getComputedStyle(el).color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    checked += 1;
    if (ratio < 4.5) low.push([label(el), Math.round(ratio * 100) / 100, getComputedStyle(el).color]);
  }
  return {overflow, clipped, small, low, checked};
}"""


@pytest.fixture(scope="module")
def signed_in(browser, live_app: LiveApp) -> dict[str, Any]:  # noqa: ANN001 - playwright Browser
    """The district leader's session (cookies), signed in once through the form, reused by every viewport."""
    context = browser.new_context()
    page = context.new_page()
    live_app.login(page, "leader")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(params=list(VIEWPORTS))
def at_viewport(request: pytest.FixtureRequest, browser, live_app: LiveApp, signed_in) -> Iterator[tuple[str, Any]]:  # noqa: ANN001
    name = request.param
    width, height, phone = VIEWPORTS[name]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        storage_state=signed_in,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        has_touch=True,
        is_mobile=phone,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_app.base_url}/leader/")
    page.wait_for_function(LOADED, timeout=20_000)
    yield name, page
    context.close()
    assert not errors, f"page errors: {errors}"


def _check(page: Any, where: str) -> int:
    found = page.evaluate(MEASURE, [TARGETS, TEXT, KEY])
    assert found["overflow"][0] <= found["overflow"][1], f"{where}: sideways overflow {found['overflow']}"
    assert not found["clipped"], f"{where}: cut off at the edge: {found['clipped']}"
    assert not found["small"], f"{where}: touch targets under 44×44 px: {found['small']}"
    assert not found["low"], f"{where}: text under 4.5:1 contrast: {found['low']}"
    return found["checked"]


@pytest.fixture(scope="module")
def needy(live_app: LiveApp) -> dict[str, Any]:
    """A case supervised twice (a needs-me row with both buttons) in the first street (its map has a dot)."""
    return _needy_case(live_app, "领导通版式检查")


def test_the_pass_fits_every_phone_and_tablet(at_viewport, needy, live_app: LiveApp) -> None:  # noqa: ANN001
    name, page = at_viewport
    page.locator(f'.leader-need[data-id="{needy["id"]}"]').wait_for(timeout=10_000)
    assert _check(page, f"{name} district") > 40  # the check read the page's text, not an empty frame

    # A street: its map, the departments' ranking, then the case sheet and the 督办 dialog open over it.
    street = needy["grid_code"][:9]
    page.locator('.leader-tab[data-by="overdue"]').click()  # 超期案件 lists every street of this small district
    page.locator(f'button.leader-rank-row[data-code="{street}"]').first.click()
    page.wait_for_function(
        "(code) => { const v = window.gridcmdLeaderView; return v.summary().scope === code && v.mapDraws() > 0; }",
        arg=street,
        timeout=15_000,
    )
    page.locator('.leader-tab[data-of="departments"]').click()
    _check(page, f"{name} street")
    # Scrolled to the end, the header (scope, connection, sign-out) is still at the top of the screen.
    top = page.evaluate(
        """() => { window.scrollTo(0, document.documentElement.scrollHeight);
                   return [window.scrollY, document.querySelector('.leader-header').getBoundingClientRect().top]; }"""
    )
    assert top[1] == 0 and (top[0] > 0 or name.startswith("tablet-large")), f"{name}: header scrolled away {top}"
    page.evaluate("() => window.scrollTo(0, 0)")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"leader-layout-{name}.png"), full_page=True)

    page.evaluate("(id) => window.gridcmdLeader.openSheet(id)", needy["id"])
    page.locator(".leader-sheet .leader-sheet-close").wait_for(timeout=10_000)
    _check(page, f"{name} case sheet")
    page.locator(".leader-sheet button[data-sheet-cmd='supervise']").click()
    page.locator("#leader-dialog-within").wait_for()
    _check(page, f"{name} 督办 dialog")
    page.keyboard.press("Escape")
