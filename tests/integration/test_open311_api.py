"""Open311 GeoReport v2 under /open311/v2 on SQLite and PostgreSQL: every endpoint in json and xml, the spec's form
POST, api_key refusals, missing resources, bad fields naming themselves, repeats, and what the reads never show.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import func, select

from dashboard.store.models import AuditEntry, Case, CaseEvent, CatalogItem, Outbox
from dashboard.store.open311_models import Open311Request
from tests.integration.conftest import make_token

FORM = "application/x-www-form-urlencoded"
OFFSET = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00")
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def channel_key(grid_app) -> str:  # noqa: ANN001
    """The api_key of a fresh Open311 channel account."""
    return make_token(grid_app, "channel")


def spec_form(key: str, lon: float, lat: float, **extra: str) -> dict[str, str]:
    """The spec's example POST, on our catalog and inside our jurisdiction."""
    return {
        "api_key": key,
        "jurisdiction_id": "tongzhou.gov.cn",
        "service_code": "0101",
        "lat": repr(lat),
        "long": repr(lon),
        "address_string": "通州区新华大街1号",
        "email": "zhang.san@example.cn",
        "device_id": f"dev-{uuid.uuid4().hex[:8]}",
        "account_id": "acct-778899",
        "first_name": "三",
        "last_name": "张",
        "phone": "13912345678",
        "description": "楼上漏水，邻里纠纷，请求调解",
        "media_url": "https://img.example.cn/2212426634_5ed477a060.jpg",
        "attribute[condition]": "010101",
        **extra,
    }


def post(client, fmt: str, form: dict[str, str], **kwargs: Any):  # noqa: ANN001, ANN201
    return client.post(f"/open311/v2/requests.{fmt}", data=urlencode(form), content_type=FORM, **kwargs)


def counts(grid_app) -> tuple[int, int, int]:  # noqa: ANN001
    with grid_app.runtime.session() as session:
        return (
            session.scalar(select(func.count(Case.id))),
            session.scalar(select(func.count(Open311Request.case_id))),
            session.scalar(select(func.count(Outbox.id))),
        )


def xml_of(resp) -> ET.Element:  # noqa: ANN001
    text = resp.get_data(as_text=True)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert resp.headers["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(resp.get_data())


def errors_of(resp, fmt: str) -> list[dict[str, Any]]:  # noqa: ANN001
    if fmt == "json":
        assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
        return resp.get_json()
    root = xml_of(resp)
    assert root.tag == "errors" and all(e.tag == "error" for e in root)
    return [{"code": int(e.findtext("code")), "description": e.findtext("description")} for e in root]


# ---- services -------------------------------------------------------------------------------------------------


def test_services_are_the_minor_classes_in_json_and_xml(anonymous, grid_app) -> None:
    with grid_app.runtime.session() as session:
        minors = Counter(item.minor_code for item in session.scalars(select(CatalogItem)))
    listed = anonymous.get("/open311/v2/services.json")
    assert listed.status_code == 200 and listed.headers["Content-Type"] == "application/json; charset=utf-8"
    services = listed.get_json()
    assert [s["service_code"] for s in services] == sorted(minors)
    for service in services:
        assert list(service) == SERVICE_FIELDS
        assert service["type"] == "realtime" and service["metadata"] is (minors[service["service_code"]] > 1)
    root = xml_of(anonymous.get("/open311/v2/services.xml"))
    assert root.tag == "services" and [e.tag for e in root] == ["service"] * len(services)
    first = root[0]
    assert [e.tag for e in first] == SERVICE_FIELDS
    assert first.findtext("service_code") == services[0]["service_code"]
    assert first.findtext("metadata") == str(services[0]["metadata"]).lower()
    assert first.findtext("group") == services[0]["group"] == "社会治安"


def test_service_definition_offers_the_filing_conditions(anonymous, grid_app) -> None:
    with grid_app.runtime.session() as session:
        conditions = [(c.code, c.condition) for c in session.scalars(select(CatalogItem).order_by(CatalogItem.code))]
    mine = [(code, text) for code, text in conditions if code.startswith("0101")]
    body = anonymous.get("/open311/v2/services/0101.json").get_json()
    assert body["service_code"] == "0101"
    (attribute,) = body["attributes"]
    assert attribute["code"] == "condition" and attribute["datatype"] == "singlevaluelist"
    assert attribute["required"] is True and attribute["variable"] is True and attribute["order"] == 1
    assert [(v["key"], v["name"]) for v in attribute["values"]] == mine
    root = xml_of(anonymous.get("/open311/v2/services/0101.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "0101"
    keys = [v.findtext("key") for v in root.findall("./attributes/attribute/values/value")]
    assert keys == [code for code, _ in mine]
    assert root.findtext("./attributes/attribute/datatype") == "singlevaluelist"
    # One condition: nothing to choose, so no attributes (the service list says metadata false).
    single = anonymous.get("/open311/v2/services/0103.json").get_json()
    assert single == {"service_code": "0103", "attributes": []}
    assert [e.tag for e in xml_of(anonymous.get("/open311/v2/services/0103.xml"))] == ["service_code", "attributes"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_service_request_format_and_path_are_404(anonymous, fmt: str) -> None:
    for path in (
        f"/open311/v2/services/9999.{fmt}",
        f"/open311/v2/requests/999999999.{fmt}",
        f"/open311/v2/requests/abc.{fmt}",
        f"/open311/v2/requests/{2**64}.{fmt}",
        f"/open311/v2/tokens/1.{fmt}",
    ):
        resp = anonymous.get(path)
        assert resp.status_code == 404, path
        (error,) = errors_of(resp, fmt)
        assert error["code"] == 404 and error["description"]
    for path in ("/open311/v2/services.csv", "/open311/v2/requests/1.html"):
        resp = anonymous.get(path)
        assert resp.status_code == 404 and "json or xml" in resp.get_json()[0]["description"]


def test_a_case_of_another_channel_is_not_a_service_request(client, anonymous, inside_point) -> None:
    lon, lat = inside_point
    made = client.post("/api/v1/cases", json={"description": "热线来电", "lat": lat, "lon": lon, "source": "wechat"})
    assert made.status_code == 201
    assert anonymous.get(f"/open311/v2/requests/{made.get_json()['id']}.json").status_code == 404


def test_wrong_method_is_405_with_allow(anonymous) -> None:
    resp = anonymous.post("/open311/v2/services.json")
    assert resp.status_code == 405 and resp.headers["Allow"] == "GET"
    resp = anonymous.delete("/open311/v2/requests.xml")
    assert resp.status_code == 405 and resp.headers["Allow"] == "GET, POST"
    assert errors_of(resp, "xml")[0]["code"] == 405


# ---- POST -------------------------------------------------------------------------------------------------------


def test_the_specs_form_post_makes_one_traceable_case(anonymous, grid_app, channel_key, inside_point) -> None:
    lon, lat = inside_point
    form = spec_form(channel_key, lon, lat)
    before = counts(grid_app)
    resp = post(anonymous, "json", form)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    (answer,) = resp.get_json()
    assert list(answer) == ["service_request_id", "service_notice", "account_id"]
    assert answer["account_id"] == "acct-778899"
    assert answer["service_notice"] == "调解完毕，双方签字确认或明确表示不再争执"  # the condition's 结案条件
    case_id = int(answer["service_request_id"])
    assert counts(grid_app) == (before[0] + 1, before[1] + 1, before[2] + 1)
    with grid_app.runtime.session() as session:
        case = session.get(Case, case_id)
        sent = session.get(Open311Request, case_id)
        report = session.scalar(select(CaseEvent).where(CaseEvent.case_id == case_id))
        audited = session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.target == case.code))
        assert (case.source, case.state, case.category_code, case.level) == ("open311", "reported", "010101", "C")
        assert (case.reporter, case.phone, case.photos) == ("张三", "13912345678", [form["media_url"]])
        assert case.description == form["description"] and case.grid_code
        assert report.command == "report" and report.actor == sent.channel and sent.channel.startswith("channel-")
        assert audited == 1
        assert (sent.service_code, sent.attributes) == ("0101", {"condition": "010101"})
        assert (sent.email, sent.device_id, sent.account_id) == (form["email"], form["device_id"], "acct-778899")
        assert sent.address_string == "通州区新华大街1号" and sent.token_id is not None


def test_xml_post_answers_xml_and_a_single_condition_needs_no_attribute(
    anonymous, grid_app, channel_key, inside_point
) -> None:
    lon, lat = inside_point
    form = {"api_key": channel_key, "service_code": "0103", "lat": str(lat), "long": str(lon)}
    resp = post(anonymous, "xml", form)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    root = xml_of(resp)
    assert root.tag == "service_requests" and [e.tag for e in root] == ["request"]
    assert [e.tag for e in root[0]] == ["service_request_id", "service_notice", "account_id"]
    assert root[0].findtext("account_id") == ""
    with grid_app.runtime.session() as session:
        case = session.get(Case, int(root[0].findtext("service_request_id")))
        # No description sent: the service and its only condition stand for it; no name, no phone.
        assert case.category_code == "010301" and case.description.startswith("黄赌毒：")
        assert case.reporter is None and case.phone is None


def test_multipart_form_post_is_read_like_a_form(anonymous, channel_key, inside_point) -> None:
    lon, lat = inside_point
    form = {"api_key": channel_key, "service_code": "0103", "lat": str(lat), "long": str(lon)}
    resp = anonymous.post("/open311/v2/requests.json", data=form, content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_bad_or_unfit_api_key_is_403_and_writes_nothing(anonymous, grid_app, inside_point, fmt: str) -> None:
    lon, lat = inside_point
    revoked = make_token(grid_app, "channel")
    from dashboard.services.accounts import _digest
    from dashboard.store.models import ApiToken

    with grid_app.runtime.session() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(revoked)))
        row.revoked_at = row.created_at
    keys = {
        "missing": None,
        "empty": "",
        "bad": "gct_not-a-token",
        "huge": "k" * 5000,
        "revoked": revoked,
        "dispatcher": make_token(grid_app, "dispatcher"),
        "worker": make_token(grid_app, "worker"),
        "screen": make_token(grid_app, "screen"),
    }
    before = counts(grid_app)
    for label, key in keys.items():
        form = spec_form("", lon, lat)
        if key is None:
            del form["api_key"]
        else:
            form["api_key"] = key
        resp = post(anonymous, fmt, form)
        assert resp.status_code == 403, (label, resp.get_data(as_text=True))
        (error,) = errors_of(resp, fmt)
        assert error["code"] == 403 and error["description"].startswith("api_key:"), label
    in_url = anonymous.post(
        f"/open311/v2/requests.{fmt}?api_key={keys['dispatcher']}", data=urlencode(spec_form("", lon, lat))
    )
    assert in_url.status_code == 403 and "not in the URL" in errors_of(in_url, fmt)[0]["description"]
    assert counts(grid_app) == before


def test_an_admin_key_may_post(anonymous, admin_token, inside_point) -> None:
    lon, lat = inside_point
    assert post(anonymous, "json", spec_form(admin_token, lon, lat)).status_code == 200


def test_a_signed_in_browser_lends_its_session_nothing(grid_app, inside_point) -> None:
    """An admin signed in through the login form, posting cross-site: no api_key, so 403; the cookie is not read."""
    from dashboard.services.accounts import create_user

    lon, lat = inside_point
    name = f"admin-{uuid.uuid4().hex[:6]}"
    with grid_app.runtime.session() as session:
        create_user(session=session, name=name, role="admin", scope="110112", password="open311-pass-1")
    browser = grid_app.server.test_client()
    csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/login").get_data(as_text=True))
    assert csrf is not None
    signed_in = browser.post("/login", data={"csrf": csrf.group(1), "name": name, "password": "open311-pass-1"})
    assert signed_in.status_code == 302 and browser.get("/api/v1/cases?limit=1").status_code == 200
    before = counts(grid_app)
    form = spec_form("", lon, lat)
    del form["api_key"]
    resp = post(browser, "json", form, headers={"Origin": "http://evil.example"})
    assert resp.status_code == 403 and counts(grid_app) == before
    assert "api_key" in resp.get_json()[0]["description"]
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
