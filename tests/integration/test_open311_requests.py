"""Open311 service requests on SQLite and PostgreSQL: bad fields answer 400 naming the field and write nothing,
repeats answer the first request, the key's rate limit, the searches of GET requests, timestamps with their
offset, and no personal data on the public read side.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import select, update

from dashboard.services.clock import utcnow
from dashboard.store.models import Case, CaseEvent, Community
from dashboard.store.open311_models import Open311Request
from tests.integration.conftest import make_token
from tests.integration.test_open311_api import FORM, OFFSET, REQUEST_FIELDS, counts, errors_of, post, spec_form, xml_of


@pytest.fixture
def channel_key(grid_app) -> str:  # noqa: ANN001
    return make_token(grid_app, "channel")


@pytest.mark.parametrize(
    ("patch", "field", "status"),
    [
        ({"service_code": ""}, "service_code", 400),
        ({"service_code": "9999"}, "service_code", 404),
        ({"long": ""}, "long", 400),
        ({"lat": "abc"}, "lat", 400),
        ({"lat": "nan"}, "lat", 400),
        ({"long": "200"}, "long", 400),
        ({"lat": "31.23", "long": "121.47"}, "lat/long", 400),  # Shanghai: outside every grid
        ({"attribute[condition]": ""}, "attribute[condition]", 400),
        ({"attribute[condition]": "010301"}, "attribute[condition]", 400),  # another service's condition
        ({"attribute[colour]": "red"}, "attribute[colour]", 400),
        ({"attribute[condition][]": "010101"}, "attribute[condition][]", 400),
        ({"description": "x" * 2001}, "description", 400),
        ({"description": "a\x00b"}, "description", 400),
        ({"first_name": "<b>\x07</b>"}, "first_name", 400),
        ({"phone": "1" * 21}, "phone", 400),
        ({"email": "not-an-address"}, "email", 400),
        ({"media_url": "javascript:alert(1)"}, "media_url", 400),
        ({"device_id": "d" * 129}, "device_id", 400),
        ({"lat": "", "long": "", "address_string": ""}, "lat", 400),
        ({"lat": "", "long": "", "address_string": "", "address_id": "A-17"}, "address_id", 400),
    ],
)
def test_bad_fields_name_themselves_and_write_nothing(
    anonymous, grid_app, channel_key, inside_point, patch, field, status
) -> None:
    lon, lat = inside_point
    before = counts(grid_app)
    for fmt in ("json", "xml"):
        resp = post(anonymous, fmt, {**spec_form(channel_key, lon, lat), **patch})
        assert resp.status_code == status, resp.get_data(as_text=True)
        (error,) = errors_of(resp, fmt)
        assert error["code"] == status and error["description"].startswith(field), error
    assert counts(grid_app) == before


def test_an_address_alone_is_placed_by_the_names_it_contains(anonymous, grid_app, channel_key) -> None:
    with grid_app.runtime.session() as session:
        community = session.scalars(select(Community).order_by(Community.code)).first()
        name, code = community.name, community.code
    form = {"api_key": channel_key, "service_code": "0103", "address_string": f"{name}5号楼东侧"}
    resp = post(anonymous, "json", form)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    request_id = int(resp.get_json()[0]["service_request_id"])
    with grid_app.runtime.session() as session:
        case = session.get(Case, request_id)
        note = session.scalar(select(CaseEvent.note).where(CaseEvent.case_id == request_id))
        assert case.community_code == code and case.lat is not None and name in note
        assert case.description.endswith(f"（地址：{name}5号楼东侧）")  # the desk shows the address
    (row,) = anonymous.get(f"/open311/v2/requests/{request_id}.json").get_json()
    assert row["address"] == f"{name}5号楼东侧" and row["lat"] == round(case.lat, 6)
    assert row["description"] == case.description.removesuffix(f"（地址：{name}5号楼东侧）")


def test_an_address_naming_nothing_waits_unlocated(anonymous, grid_app, channel_key) -> None:
    form = {"api_key": channel_key, "service_code": "0103", "address_string": "某小区门口", "description": "有人聚赌"}
    resp = post(anonymous, "xml", form)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    request_id = xml_of(resp).findtext("./request/service_request_id")
    with grid_app.runtime.session() as session:
        case = session.get(Case, int(request_id))
        assert (case.lat, case.grid_code, case.tier, case.state) == (None, None, "district", "reported")
    (row,) = anonymous.get(f"/open311/v2/requests/{request_id}.json").get_json()
    assert (row["lat"], row["long"], row["address"], row["description"]) == (None, None, "某小区门口", "有人聚赌")
    assert xml_of(anonymous.get(f"/open311/v2/requests/{request_id}.xml")).findtext("./request/lat") == ""


def test_a_field_sent_twice_is_refused(anonymous, grid_app, channel_key, inside_point) -> None:
    lon, lat = inside_point
    body = urlencode(spec_form(channel_key, lon, lat)) + "&description=second"
    resp = anonymous.post("/open311/v2/requests.json", data=body, content_type=FORM)
    assert resp.status_code == 400 and resp.get_json()[0]["description"].startswith("description:")


def test_idempotency_key_answers_the_first_request(anonymous, grid_app, channel_key, inside_point) -> None:
    lon, lat = inside_point
    form = spec_form(channel_key, lon, lat)
    key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    before = counts(grid_app)
    first = post(anonymous, "json", form, headers=key)
    again = post(anonymous, "xml", form, headers=key)
    assert first.status_code == again.status_code == 200
    request_id = first.get_json()[0]["service_request_id"]
    assert xml_of(again).findtext("./request/service_request_id") == request_id
    assert counts(grid_app) == (before[0] + 1, before[1] + 1, before[2] + 1)
    changed = post(anonymous, "json", {**form, "description": "另一件事"}, headers=key)
    assert changed.status_code == 400 and changed.get_json()[0]["description"].startswith("Idempotency-Key")
    # Another channel's key never meets this one's Idempotency-Key: its request is its own.
    other = post(anonymous, "json", {**form, "api_key": make_token(grid_app, "channel")}, headers=key)
    assert other.status_code == 200 and other.get_json()[0]["service_request_id"] != request_id
    assert counts(grid_app)[0] == before[0] + 2


def test_concurrent_retries_with_one_idempotency_key_make_one_case(grid_app, channel_key, inside_point) -> None:
    """Retries racing each other: the unique key lets one commit, the others answer with its request."""
    lon, lat = inside_point
    body = urlencode(spec_form(channel_key, lon, lat))
    key = {"Idempotency-Key": f"race-{uuid.uuid4()}"}
    before = counts(grid_app)
    start = threading.Barrier(6)

    def send(_: int) -> tuple[int, str]:
        client = grid_app.server.test_client()
        start.wait()
        resp = client.post("/open311/v2/requests.json", data=body, content_type=FORM, headers=key)
        return resp.status_code, resp.get_data(as_text=True)

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(send, range(6)))
    assert {status for status, _ in answers} == {200}, answers
    assert len({text for _, text in answers}) == 1
    assert counts(grid_app)[:2] == (before[0] + 1, before[1] + 1)


def test_the_race_loser_answers_with_the_winners_request(anonymous, grid_app, channel_key, inside_point) -> None:
    """What the API does after the unique Idempotency-Key refused its insert (the lost race, made deterministic)."""
    from dashboard.services.errors import FieldError
    from dashboard.services.open311 import catalog_services
    from dashboard.services.open311_intake import existing_answer, idempotency_key, parse_post

    lon, lat = inside_point
    form = spec_form(channel_key, lon, lat)
    header = f"lost-{uuid.uuid4()}"
    won = post(anonymous, "json", form, headers={"Idempotency-Key": header}).get_json()[0]["service_request_id"]
    with grid_app.runtime.session() as session:
        sent = session.get(Open311Request, int(won))
        services = catalog_services(session=session)
        key, channel = idempotency_key(header, sent.token_id), sent.channel
        posted = parse_post({k: [v] for k, v in form.items()}, services=services)
        answer = existing_answer(session=session, key=key, channel=channel, posted=posted, tz="Asia/Shanghai")
        assert answer is not None and (str(answer.case_id), answer.created) == (won, False)
        changed = parse_post({k: [v] for k, v in {**form, "phone": "13000000000"}.items()}, services=services)
        with pytest.raises(FieldError) as refused:
            existing_answer(session=session, key=key, channel=channel, posted=changed, tz="Asia/Shanghai")
        assert refused.value.field == "Idempotency-Key"


def test_a_device_resending_within_the_window_gets_the_first_request(
    anonymous, grid_app, channel_key, inside_point
) -> None:
    lon, lat = inside_point
    form = spec_form(channel_key, lon, lat)
    first = post(anonymous, "json", form).get_json()[0]["service_request_id"]
    assert post(anonymous, "json", form).get_json()[0]["service_request_id"] == first
    # Another device, or the same report once the window has passed, is a new request.
    assert post(anonymous, "json", {**form, "device_id": "other"}).get_json()[0]["service_request_id"] != first
    with grid_app.runtime.session() as session:
        session.execute(
            update(Open311Request)
            .where(Open311Request.case_id == int(first))
            .values(created_at=utcnow() - timedelta(minutes=11))
        )
    assert post(anonymous, "json", form).get_json()[0]["service_request_id"] != first


def test_posts_are_rate_limited_per_api_key(grid_app, settings, inside_point, monkeypatch) -> None:
    import app as app_module
    from dashboard.api import rate_limit

    monkeypatch.setattr(rate_limit, "_now", lambda: 1_800_000_000.0)  # one window for the whole test
    limited = app_module.create_app(settings.model_copy(update={"rate_limits": "open311=2"}), start_loops=False)
    client = limited.server.test_client()
    lon, lat = inside_point
    key, other = make_token(limited, "channel"), make_token(limited, "channel")
    for n in range(2):
        assert post(client, "json", spec_form(key, lon, lat, device_id=f"d{n}")).status_code == 200
    refused = post(client, "xml", spec_form(key, lon, lat, device_id="d3"))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert errors_of(refused, "xml")[0]["description"].startswith("api_key:")
    assert post(client, "json", spec_form(other, lon, lat)).status_code == 200  # each key its own budget
    assert client.get("/open311/v2/requests.json").status_code == 200  # reads are not limited by a key


# ---- reading them back ------------------------------------------------------------------------------------------


def _posted(anonymous, key: str, lon: float, lat: float, **extra: str) -> str:  # noqa: ANN001
    resp = post(anonymous, "json", spec_form(key, lon, lat, **extra))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()[0]["service_request_id"]


def test_requests_read_back_with_offsets_and_no_personal_data(anonymous, channel_key, inside_point) -> None:
    lon, lat = inside_point
    secret = uuid.uuid4().hex[:10]
    form = spec_form(
        channel_key,
        lon,
        lat,
        first_name=f"F{secret}",
        last_name=f"L{secret}",
        phone=f"139{secret[:8]}"[:20],
        email=f"e{secret}@example.cn",
        device_id=f"dev{secret}",
        account_id=f"acct{secret}",
    )
    resp = post(anonymous, "json", form)
    assert resp.status_code == 200
    request_id = resp.get_json()[0]["service_request_id"]
    bodies = [
        anonymous.get(f"/open311/v2/{path}").get_data(as_text=True)
        for fmt in ("json", "xml")
        for path in (
            f"requests/{request_id}.{fmt}",
            f"requests.{fmt}",
            f"requests.{fmt}?service_request_id={request_id}",
        )
    ]
    assert all(request_id in body for body in bodies)
    for body in bodies:
        assert secret not in body and secret[:8] not in body and channel_key not in body
    (row,) = anonymous.get(f"/open311/v2/requests/{request_id}.json").get_json()
    assert list(row) == REQUEST_FIELDS
    assert (row["status"], row["service_code"], row["service_name"]) == ("open", "0101", "矛盾纠纷")
    assert row["address"] == "通州区新华大街1号" and row["media_url"] == form["media_url"]
    assert (row["lat"], row["long"]) == (round(lat, 6), round(lon, 6))
    assert OFFSET.fullmatch(row["requested_datetime"]) and OFFSET.fullmatch(row["updated_datetime"])
    item = xml_of(anonymous.get(f"/open311/v2/requests/{request_id}.xml")).find("request")
    assert [e.tag for e in item] == REQUEST_FIELDS
    assert item.findtext("requested_datetime") == row["requested_datetime"] and item.findtext("zipcode") == ""


def test_request_searches(anonymous, grid_app, channel_key, inside_point) -> None:
    lon, lat = inside_point
    a = _posted(anonymous, channel_key, lon, lat, device_id="s-a")
    b = _posted(anonymous, channel_key, lon, lat, device_id="s-b", service_code="0103", **{"attribute[condition]": ""})
    old = _posted(anonymous, channel_key, lon, lat, device_id="s-old")
    with grid_app.runtime.session() as session:
        session.execute(update(Case).where(Case.id == int(old)).values(reported_at=utcnow() - timedelta(days=100)))

    def ids(query: str) -> list[str]:
        resp = anonymous.get(f"/open311/v2/requests.json?{query}")
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return [r["service_request_id"] for r in resp.get_json()]

    assert ids(f"service_request_id={a},{b}&service_code=0102") == sorted([a, b], key=int, reverse=True)
    assert ids(f"service_request_id={old}") == [old]  # ids override the default 90 days
    recent = ids("")
    assert a in recent and b in recent and old not in recent
    assert b in ids("service_code=0103") and a not in ids("service_code=0103")
    assert a in ids("service_code=0102,0101") and a in ids("service_code=0102&service_code=0101")
    assert a in ids("status=open") and a not in ids("status=closed") and a in ids("status=closed,open")
    day = (utcnow() - timedelta(days=100)).strftime("%Y-%m-%d")
    assert old in ids(f"start_date={day}T00:00:00Z") and a not in ids(f"start_date={day}")
    assert old in ids(f"end_date={(utcnow() - timedelta(days=99)).isoformat()}")
    with grid_app.runtime.session() as session:
        assert session.scalar(select(Case.source).where(Case.id == int(a))) == "open311"
    for query, field in (
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "end_date"),
        ("start_date=2026-03-01T00:00:00Z&end_date=2026-02-01T00:00:00Z", "end_date"),
        ("start_date=2026-03-01T08:00", "start_date"),  # w3 times carry their offset
        ("start_date=yesterday", "start_date"),
        ("status=pending", "status"),
        ("service_request_id=1,x", "service_request_id"),
        ("service_request_id=" + ",".join(["1"] * 1001), "service_request_id"),
        ("service_code=<b>", "service_code"),
    ):
        resp = anonymous.get(f"/open311/v2/requests.xml?{query}")
        assert resp.status_code == 400, query
        assert errors_of(resp, "xml")[0]["description"].startswith(field), query
