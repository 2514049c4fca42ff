"""A photo from the grid-worker app (社管通) reaches the desk: a worker's phone posts a report with a JPEG as
multipart, and the dispatcher's case panel shows its thumbnail under 上报 (the image really loads: CSP, cookie
and type all right), which opens the full photo in a new tab.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.e2e.server import LiveApp
from tests.e2e.test_dispatch import READY, _report_street, _row
from tests.photo_samples import photo_bytes

pytestmark = pytest.mark.e2e


def _worker_token(live_app: LiveApp, street: str) -> str:
    """A grid worker of `street` and a token for their phone, made through the admin API as an admin would."""
    base, admin = live_app.base_url, live_app.headers("admin")
    user = requests.post(
        f"{base}/api/v1/admin/users",
        json={"name": f"wgy-{uuid.uuid4().hex[:8]}", "role": "worker", "scope": street},
        headers=admin,
        timeout=10,
    )
    assert user.status_code == 201, user.text
    issued = requests.post(
        f"{base}/api/v1/admin/users/{user.json()['id']}/tokens", json={"label": "网格员手机"}, headers=admin, timeout=10
    )
    assert issued.status_code == 201, issued.text
    return issued.json()["token"]


@pytest.fixture
def desk(browser, live_app: LiveApp) -> Iterator[Any]:  # noqa: ANN001 - playwright Browser
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    live_app.login(page, "dispatcher")
    page.goto(f"{live_app.base_url}/dispatch/")
    page.wait_for_function(READY, timeout=20_000)
    yield page
    context.close()
    assert not errors, f"page errors: {errors}"


def test_a_photo_posted_from_the_worker_app_shows_in_the_desk_panel(desk, live_app: LiveApp) -> None:  # noqa: ANN001
    point = live_app.inside_points(7)[5]
    token = _worker_token(live_app, _report_street(live_app, point))
    resp = requests.post(
        f"{live_app.base_url}/api/v1/cases",
        data={
            "description": "共享单车堆放占用盲道",
            "source": "grid_worker",
            "lon": str(point[0]),
            "lat": str(point[1]),
        },
        files=[("photos", ("IMG_2041.jpg", photo_bytes("JPEG", seed=2041, width=960, height=720), "image/jpeg"))],
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert resp.status_code == 201, resp.text
    case = resp.json()
    _row(desk, case["code"]).wait_for(timeout=10_000)
    desk.evaluate("id => window.gridcmdDispatch.select(id)", case["id"])
    img = desk.locator('#dispatch-panel .pn-photo-group[data-kind="report"] img')
    img.wait_for(timeout=10_000)
    desk.wait_for_function(
        "() => { const i = document.querySelector('#dispatch-panel .pn-photo-group img');"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=10_000,
    )
    assert img.evaluate("i => i.naturalWidth") == 320  # the thumbnail, not the 960-px photo
    assert img.get_attribute("alt") == "上报照片 1"
    assert desk.locator('#dispatch-panel .pn-photo-group[data-kind="report"] .pn-photo-kind').inner_text() == "上报"
    with desk.context.expect_page() as opened:
        img.click()
    full = opened.value
    full.wait_for_load_state()
    assert full.url.endswith(".jpg") and "/media/" in full.url
    assert full.evaluate("() => document.images.length === 1 && document.images[0].naturalWidth") == 960
    full.close()
