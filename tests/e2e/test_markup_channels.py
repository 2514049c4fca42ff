"""Markup that arrives through the intake channels (issue 15) stays text on every view that shows it, in Chromium
under the strict CSP — the sibling of test_markup.py, with its machinery (tests/e2e/markup_kit.py).

One app of its own, its 12345 callbacks pointed at a receiver that always fails with markup in its answer (one try,
then a dead letter). Planted through the channels' own endpoints:
- 12345 orders (POST /api/v1/hotline/orders): markup in `caller`, `address`, `category` and `content`; a markup
  `order_id` is refused (422 naming it) and planted behind the API instead, as a dead letter; one order is located
  by its coordinates and supervised (the desk, the wall's ticker, the leader's needs-me list and case sheet), one
  has only a markup address (待定位 on the desk), one is rejected with a markup reason (its 退单 dies at the receiver,
  whose markup answer the admin's 12345 tab shows);
- Open311 (POST /open311/v2/requests.json, form-encoded): markup in `description`, `address_string`, the contact
  fields and `media_url`; markup `attribute[...]` keys and values are refused (400 naming them); the read side
  (requests.xml, requests.json, requests/{id}.*) gives the markup back escaped: well-formed XML, valid JSON;
- the grid-worker app (multipart POST /api/v1/cases): markup in the photo parts' filenames and the text fields.
Each view: no dialog, no element or attribute from the markup, the markup as literal text where it is shown, no
CSP violation.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from tests.e2e.markup_kit import IFRAME, IMG, SVG, api, run_command, shot, text_of, wait_text
from tests.e2e.server import Jurisdiction, LiveApp, running_app
from tests.e2e.test_dispatch import READY, _report_street, _row
from tests.e2e.test_leader import LOADED
from tests.photo_samples import photo_bytes

pytestmark = pytest.mark.e2e

SIZES = Jurisdiction(grids=60, streets=3, communities=12, seed=11)
SHORT = "<svg/onload=1>"  # fits the 20 characters of a phone number
ANSWER = f"<html><body>{IMG} {SVG}</body></html>"  # what the failing hotline answers every callback with
CATEGORY = f"{IFRAME}噪音"
CONTENT = f"夜间施工扰民 {IMG} {SVG}"
ADDRESS = f"{SVG}某小区3号楼"
MEDIA = 'https://evil.example/"><img/src=x/onerror=alert(9)>.png'  # no space: an http(s) URL intake takes
PHOTO_NAMES = ('"><img src=x onerror=alert(7)>.jpg', f"{IFRAME}.png")


class FailingHotline:
    """The 12345 callback URL, answering every POST with 502 and markup."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = ANSWER.encode("utf-8")
                self.send_response(502)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Channels:
    """The app, and the cases each channel made with markup in them."""

    live: LiveApp
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)  # what → {id, code, …}
    refused: dict[str, requests.Response] = field(default_factory=dict)


# ---- planting -----------------------------------------------------------------------------------------------


def _token(live: LiveApp, role: str, **extra: str) -> str:
    """A fresh account of `role` and a token for it, through the admin API."""
    user = api(live, "POST", "/api/v1/admin/users", name=f"{role}-{uuid.uuid4().hex[:6]}", role=role, **extra)
    assert user.status_code == 201, user.text
    issued = api(live, "POST", f"/api/v1/admin/users/{user.json()['id']}/tokens", label=f"{role} {IMG}")
    assert issued.status_code == 201, issued.text
    return issued.json()["token"]


def _order(**fields: Any) -> dict[str, Any]:
    received = (datetime.now(UTC) - timedelta(minutes=5)).isoformat(timespec="seconds")
    return {
        "order_id": f"GD{uuid.uuid4().hex[:12].upper()}",
        "received_at": received,
        "caller": IMG,
        "phone": "13800001234",
        "address": ADDRESS,
        "category": CATEGORY,
        "content": CONTENT,
        "urgency": "紧急",
        **fields,
    }


def _plant_hotline(ch: Channels, channel: str) -> None:
    live = ch.live
    post = lambda body: api(live, "POST", "/api/v1/hotline/orders", channel, **body)  # noqa: E731
    ch.refused["order_id"] = post(_order(order_id=IFRAME))
    lon, lat = live.inside_points(5)[1]
    for what, extra in (("located", {"lat": lat, "lon": lon}), ("unlocated", {}), ("rejected", {})):
        resp = post(_order(**extra))
        assert resp.status_code == 201 and resp.json()["located"] == (what == "located"), resp.text
        ch.cases[what] = {"id": resp.json()["case_id"], "code": resp.json()["case_code"]}
    dispatcher = live.tokens["dispatcher"]
    for note in (f"督办 {IFRAME}", f"再督办 {SVG}"):  # twice: on the leader's needs-me list and the wall's ticker
        run_command(live, dispatcher, ch.cases["located"]["id"], "supervise", note=note)
    run_command(live, dispatcher, ch.cases["rejected"]["id"], "reject", note=f"退单 {IMG} 非本区")


def _plant_dead_letter_with_markup_order_id(live: LiveApp, case_id: int) -> None:
    """A markup order_id, refused by the API, as an older adapter could have stored it: a dead letter."""
    from dashboard.domain.clock import utcnow
    from dashboard.store.db import session_scope
    from dashboard.store.hotline_models import HotlineCallback

    now = utcnow()
    with session_scope(live.env["DATABASE_URL"]) as session:
        session.add(
            HotlineCallback(
                order_id=IFRAME,
                case_id=case_id,
                verb="returned",
                payload={"order_id": IFRAME, "reason": IMG},
                attempts=1,
                next_attempt_at=now,
                state="dead",
                last_error=f"HTTP 500: {SVG}",
                created_at=now,
                last_attempt_at=now,
            )
        )


def _service(live: LiveApp) -> tuple[str, str]:
    """(service_code, condition code) of a service with a condition attribute."""
    services = requests.get(f"{live.base_url}/open311/v2/services.json", timeout=10).json()
    code = next(s["service_code"] for s in services if s["metadata"])
    definition = requests.get(f"{live.base_url}/open311/v2/services/{code}.json", timeout=10).json()
    return code, definition["attributes"][0]["values"][0]["key"]


def _plant_open311(ch: Channels, channel: str) -> None:
    live = ch.live
    code, condition = _service(live)
    lon, lat = live.inside_points(5)[3]
    form = {
        "api_key": channel,
        "service_code": code,
        "attribute[condition]": condition,
        "lat": str(lat),
        "long": str(lon),
        "address_string": ADDRESS,
        "description": f"井盖破损 {IMG} {IFRAME}",
        "first_name": IMG,
        "last_name": IFRAME,
        "email": '"<svg/onload=alert(1)>"@example.cn',
        "phone": SHORT,
        "media_url": MEDIA,
    }
    url = f"{live.base_url}/open311/v2/requests.json"
    ch.refused["attribute key"] = requests.post(url, data={**form, f"attribute[{IMG}]": "1"}, timeout=10)
    ch.refused["attribute value"] = requests.post(url, data={**form, "attribute[condition]": SVG}, timeout=10)
    for what, extra in (("open311", {}), ("open311-address", {"lat": "", "long": ""})):
        resp = requests.post(url, data={**form, **extra}, timeout=10)
        assert resp.status_code == 200, resp.text  # the spec's answer to a created request
        case_id = int(resp.json()[0]["service_request_id"])
        case = api(live, "GET", f"/api/v1/cases/{case_id}").json()
        ch.cases[what] = {"id": case_id, "code": case["code"], "form": {**form, **extra}}
    assert ch.cases["open311"]["id"] != ch.cases["open311-address"]["id"]


def _plant_photos(ch: Channels) -> None:
    live = ch.live
    point = live.inside_points(5)[4]
    worker = _token(live, "worker", scope=_report_street(live, point))
    files = [
        ("photos", (PHOTO_NAMES[0], photo_bytes("JPEG", seed=71, width=640, height=480), "image/jpeg")),
        ("photos", (PHOTO_NAMES[1], photo_bytes("PNG", seed=72, width=480, height=640), "image/png")),
    ]
    data = {
        "description": f"共享单车堆放 {IMG}",
        "reporter": SVG,
        "source": "grid_worker",
        "lon": str(point[0]),
        "lat": str(point[1]),
    }
    resp = requests.post(
        f"{live.base_url}/api/v1/cases",
        data=data,
        files=files,
        headers={"Authorization": f"Bearer {worker}"},
        timeout=30,
    )
    assert resp.status_code == 201, resp.text
    ch.cases["photos"] = {"id": resp.json()["id"], "code": resp.json()["code"], "form": data}


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Channels]:
    hotline = FailingHotline()
    settings = {
        "HOTLINE_CALLBACK_URL": hotline.url,
        "HOTLINE_MAX_ATTEMPTS": "1",  # the first failure is a dead letter
        "HOTLINE_SEND_PERIOD_S": "0.2",
    }
    try:
        with running_app(tmp_path_factory.mktemp("markup-channels"), SIZES, settings) as live:
            ch = Channels(live=live)
            channel = _token(live, "channel")
            _plant_hotline(ch, channel)
            _plant_dead_letter_with_markup_order_id(live, ch.cases["rejected"]["id"])
            _plant_open311(ch, channel)
            _plant_photos(ch)
            yield ch
    finally:
        hotline.close()


# ---- the API's answers and the Open311 read side -----------------------------------------------------------


def test_markup_ids_and_attributes_are_refused_naming_the_field(planted: Channels) -> None:
    order_id = planted.refused["order_id"]
    assert order_id.status_code == 422 and order_id.json()["field"] == "order_id"
    for what in ("attribute key", "attribute value"):
        resp = planted.refused[what]
        assert resp.status_code == 400, (what, resp.text)
        (error,) = resp.json()
        assert error["code"] == 400 and "attribute[" in error["description"]


def test_the_open311_read_side_gives_the_markup_back_escaped(planted: Channels) -> None:
    base = f"{planted.live.base_url}/open311/v2"
    ids = [planted.cases["open311"]["id"], planted.cases["open311-address"]["id"]]
    form = planted.cases["open311"]["form"]
    listed = f"service_request_id={','.join(map(str, ids))}"
    for path in (f"requests.json?{listed}", f"requests/{ids[0]}.json", f"requests/{ids[1]}.json"):
        resp = requests.get(f"{base}/{path}", timeout=10)
        assert resp.ok and resp.headers["Content-Type"].startswith("application/json"), path
        for row in json.loads(resp.text):  # valid JSON, the markup as it was sent
            assert (row["description"], row["address"], row["media_url"]) == (
                form["description"],
                ADDRESS,
                MEDIA,
            ), path
    for path in (f"requests.xml?{listed}", f"requests/{ids[0]}.xml", f"requests/{ids[1]}.xml"):
        resp = requests.get(f"{base}/{path}", timeout=10)
        assert resp.ok and "xml" in resp.headers["Content-Type"], path
        assert b"<img" not in resp.content and b"<iframe" not in resp.content and b"<svg" not in resp.content
        root = ET.fromstring(resp.content)  # well-formed
        found = root.findall("request")
        assert found, path
        for request in found:
            assert request.findtext("description") == form["description"], path
            assert request.findtext("address") == ADDRESS and request.findtext("media_url") == MEDIA, path


# ---- the views ----------------------------------------------------------------------------------------------


def _select(page: Any, case: dict[str, Any], *needles: str) -> str:
    """Select `case` on the desk and wait for each of `needles` in its panel (the row's fields come first, the
    detail's — reporter, phone, photos, timeline — after its fetch); the panel's text."""
    page.wait_for_function("id => !!window.gridcmdDispatch.row(id)", arg=case["id"], timeout=15_000)
    page.evaluate("id => window.gridcmdDispatch.select(id)", case["id"])
    for needle in (case["code"], *needles):
        wait_text(page, "#dispatch-panel", needle)
    return text_of(page, "#dispatch-panel")


def test_the_desk_shows_every_channels_markup_as_text(watched, planted: Channels) -> None:  # noqa: ANN001
    live, cases = planted.live, planted.cases
    w = watched()
    page = w.page
    live.login(page, "dispatcher")
    page.goto(f"{live.base_url}/dispatch/")
    page.wait_for_function(READY, timeout=20_000)
    page.evaluate("window.gridcmdDispatch.setTab('all')")

    # 12345, located: the queue's row and the panel (description, caller, the category note in the timeline).
    located = cases["located"]
    text = _select(page, located, CONTENT, f"督办 {IFRAME}")
    for needle in (CATEGORY, CONTENT, ADDRESS, IMG, f"督办 {IFRAME}", f"分类「{CATEGORY}」"):
        assert needle in text, f"12345 panel: {needle!r} not shown as text"
    assert CONTENT in _row(page, located["code"]).inner_text()

    # 12345, unlocated: 待定位 in its row and panel, the markup address in its description.
    unlocated = cases["unlocated"]
    text = _select(page, unlocated, ADDRESS, f"分类「{CATEGORY}」")
    assert "待定位" in _row(page, unlocated["code"]).inner_text()
    assert page.locator("#dispatch-panel-unlocated").is_visible()
    assert IMG in text and CATEGORY in text

    # Open311, with a point and with only an address: description, requester, phone, media_url as text.
    for what in ("open311", "open311-address"):
        form = cases[what]["form"]
        text = _select(page, cases[what], form["description"], SHORT)
        for needle in (form["description"], f"{IMG} {IFRAME}", SHORT):
            assert needle in text, f"{what} panel: {needle!r} not shown as text"
        # Another host's photo: a text link (the CSP loads images from this origin only), the URL its text.
        links = page.eval_on_selector_all(
            "#dispatch-panel a.pn-photo--link", "as => as.map(a => [a.textContent, a.getAttribute('href')])"
        )
        assert len(links) == 1 and links[0][0] == MEDIA and links[0][1].startswith("https://evil.example/"), what
    assert ADDRESS in text  # the address-only request carries its address in the description

    # The worker's photos: thumbnails of ours that load, labelled by us, never by the part's filename.
    photos, form = cases["photos"], cases["photos"]["form"]
    text = _select(page, photos, form["description"], SVG)
    assert form["description"] in text and SVG in text
    page.wait_for_function(
        "() => { const i = [...document.querySelectorAll('#dispatch-panel .pn-photo-group img')];"
        " return i.length === 2 && i.every(x => x.complete && x.naturalWidth > 0); }",
        timeout=10_000,
    )
    alts = page.eval_on_selector_all("#dispatch-panel .pn-photo-group img", "is => is.map(i => i.alt)")
    assert alts == ["上报照片 1", "上报照片 2"]
    assert not any(name in (text + json.dumps(alts)) for name in PHOTO_NAMES)
    shot(page, "channels-dispatch")
    w.assert_inert("/dispatch (channels)")


def test_the_wall_announces_the_hotline_case_inertly(watched, planted: Channels) -> None:  # noqa: ANN001
    live, located = planted.live, planted.cases["located"]
    w = watched()
    w.page.goto(f"{live.base_url}/screen?token={live.tokens['screen']}")
    w.page.wait_for_function("() => window.gridcmdLive && window.gridcmdLive.state === 'live'", timeout=20_000)
    w.page.wait_for_function(
        "id => window.gridcmdLive.tickerKeys().split(' ').includes('supervised:' + id)",
        arg=located["id"],
        timeout=20_000,
    )
    item = next(x for x in w.page.evaluate("window.gridcmdLive.tickerTexts()") if f":{located['id']}" in x["key"])
    assert item["text"]  # category (or source) and grid: the wall shows no description, caller or address
    body = w.page.evaluate("document.body.textContent")
    assert CONTENT not in body and IMG not in body  # personal data and reports stay off the wall
    shot(w.page, "channels-screen")
    w.assert_inert("/screen (channels)")


def test_the_leader_sees_the_hotline_case_as_text(watched, planted: Channels) -> None:  # noqa: ANN001
    live, located = planted.live, planted.cases["located"]
    w = watched()
    page = w.page
    live.login(page, "leader")
    page.goto(f"{live.base_url}/leader/")
    page.wait_for_function(LOADED, timeout=20_000)
    page.locator(f'.leader-need[data-id="{located["id"]}"]').wait_for(timeout=15_000)
    page.evaluate("id => window.gridcmdLeader.openSheet(id)", located["id"])
    wait_text(page, ".leader-sheet-desc", CONTENT)
    assert ADDRESS in text_of(page, ".leader-sheet-desc")
    timeline = text_of(page, ".leader-sheet-timeline")
    assert f"督办 {IFRAME}" in timeline and f"再督办 {SVG}" in timeline
    shot(page, "channels-leader")
    w.assert_inert("/leader (channels)")


def _dead_letter_of(live: LiveApp, case_code: str) -> str:
    """The last error of the case's real dead letter ("" while there is none)."""
    rows = api(live, "GET", "/api/v1/admin/hotline/callbacks").json()["callbacks"]
    return next((r["last_error"] for r in rows if r["case_code"] == case_code and r["order_id"] != IFRAME), "")


def test_the_admin_lists_the_markup_dead_letters_as_text(watched, planted: Channels) -> None:  # noqa: ANN001
    live, rejected = planted.live, planted.cases["rejected"]
    w = watched()
    page = w.page
    live.login(page, "admin")
    # The 退单 of the rejected order dies at the receiver (the scheduler's sender, a pass every 0.2 s).
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _dead_letter_of(live, rejected["code"]):
        time.sleep(0.2)
    assert _dead_letter_of(live, rejected["code"]).startswith("HTTP 502")
    page.goto(f"{live.base_url}/admin/hotline")
    wait_text(page, "#admin-hotline-table", rejected["code"], timeout=15_000)
    table = text_of(page, "#admin-hotline-table")
    assert f"HTTP 502: {ANSWER}" in table  # the receiver's markup answer, as text
    assert IFRAME in table and f"HTTP 500: {SVG}" in table  # the markup order_id planted behind the API
    titles = page.eval_on_selector_all("#admin-hotline-table td[title]", "ts => ts.map(t => t.title)")
    assert any(IMG in t for t in titles)
    shot(page, "channels-admin-hotline")
    w.assert_inert("/admin/hotline (channels)")
