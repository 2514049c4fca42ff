"""Generated and hostile requests at every Open311 endpoint (hypothesis, SQLite and PostgreSQL): whatever arrives,
the answer is never a 5xx, it parses in the format its path asks for, and a POST either commits its case with its
Open311 row, audit and outbox rows, or writes nothing at all.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dashboard.store.models import Case, CaseEvent, Outbox
from dashboard.store.open311_models import Open311Request
from tests.integration.conftest import make_token
from tests.integration.test_fuzz_api import HOSTILE, HUGE_TEXT, _segment

EXAMPLES = 200
FIELDS = (
    "api_key",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "attribute[condition]",
    "description",
    "media_url",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "jurisdiction_id",
)
QUERY = ("service_request_id", "service_code", "start_date", "end_date", "status", "jurisdiction_id", "api_key")
ODD_KEYS = ("attribute[]", "attribute[x", "attribute[condition][]", "attribute[<b>]", "attribute[\x00]", "", "&", "=")
CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "multipart/form-data; boundary=XyZ",
    "multipart/form-data",
    "application/json",
    "text/xml",
    "text/plain",
)
RAW = (
    b"",
    b"=&=&&==",
    b"api_key=%ZZ&service_code=%",
    b"\xff\xfe\x00\x01",
    b'--XyZ\r\nContent-Disposition: form-data; name="api_key"\r\n\r\nabc',  # cut off mid-part
    b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--\r\n",  # a part without a name
    b"--XyZ--",
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>',
    b'{"api_key": "x", "service_code": "0101"}',
    b"a=" + b"x" * 200_000,
)
PLAUSIBLE = ("0101", "0103", "1", "2", "999999999")
hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=16), st.just(HUGE_TEXT[:5000]))


@dataclass
class World:
    client: Any
    app: Any
    key: str
    point: tuple[float, float]


@pytest.fixture
def world(settings) -> Iterator[World]:  # noqa: ANN001
    import app as app_module

    # No rate limit here: 200 posts a minute from one key is the point, not an abuse.
    grid = app_module.create_app(settings.model_copy(update={"rate_limits": "open311=0"}), start_loops=False)
    index = grid.runtime.grid_index()
    point = index.random_point_in(index.codes()[0], random.Random(5))
    yield World(grid.server.test_client(), grid, make_token(grid, "channel"), point)


def _form(world: World) -> dict[str, str]:
    lon, lat = world.point
    return {
        "api_key": world.key,
        "service_code": "0101",
        "lat": repr(lat),
        "long": repr(lon),
        "attribute[condition]": "010101",
        "description": "模糊测试：楼道堆物",
        "device_id": "fuzz-device",
    }


def _encoded(pairs: list[tuple[str, str]]) -> bytes:
    return "&".join(f"{_segment(k)}={_segment(v)}" for k, v in pairs).encode("ascii")


@st.composite
def post_bodies(draw: st.DrawFn, world: World) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(("mutated", "mutated", "mutated", "generated", "raw")))
    if kind == "raw":
        return draw(st.sampled_from(RAW)), draw(st.sampled_from(CONTENT_TYPES))
    if kind == "generated":
        keys = st.sampled_from(FIELDS) | st.sampled_from(ODD_KEYS) | st.text(max_size=8)
        pairs = draw(st.lists(st.tuples(keys, hostile), max_size=8))
    else:
        form = _form(world)
        for _ in range(draw(st.integers(1, 3))):
            form[draw(st.sampled_from(FIELDS) | st.sampled_from(ODD_KEYS))] = draw(hostile)
        pairs = list(form.items())
        if draw(st.integers(0, 4)) == 0:
            pairs.append((draw(st.sampled_from(FIELDS)), draw(hostile)))  # a field sent twice
    types = st.sampled_from(CONTENT_TYPES[:2]) if draw(st.integers(0, 3)) else st.sampled_from(CONTENT_TYPES)
    return _encoded(pairs), draw(types)


@st.composite
def requests_to(draw: st.DrawFn, world: World) -> tuple[str, dict[str, Any]]:
    # Mostly a real format and a real resource, so the hostile part meets the code behind the routing.
    fmt = draw(hostile.map(_segment)) if draw(st.integers(0, 9)) == 0 else draw(st.sampled_from(("json", "xml")))
    kind = draw(st.sampled_from(("post", "post", "post", "services", "service", "requests", "request", "other")))
    segment = draw(hostile.map(_segment)) if draw(st.integers(0, 2)) == 0 else draw(st.sampled_from(PLAUSIBLE))
    path = {
        "post": f"requests.{fmt}",
        "services": f"services.{fmt}",
        "service": f"services/{segment}.{fmt}",
        "requests": f"requests.{fmt}",
        "request": f"requests/{segment}.{fmt}",
        "other": draw(hostile.map(lambda s: _segment(s, safe="/"))),
    }[kind]
    pairs = draw(st.lists(st.tuples(st.sampled_from(QUERY) | st.text(max_size=5), hostile), max_size=4))
    url = f"/open311/v2/{path}" + ("?" + _encoded(pairs).decode() if pairs else "")
    kwargs: dict[str, Any] = {"method": "POST" if kind == "post" else "GET", "headers": {}}
    if draw(st.integers(0, 4)) == 0:
        kwargs["headers"]["Idempotency-Key"] = draw(st.sampled_from(HOSTILE).filter(lambda s: s.isascii()))
    if kind == "post":
        kwargs["data"], kwargs["content_type"] = draw(post_bodies(world))
    return url, kwargs


def _written(world: World) -> tuple[int, int, int, int]:
    with world.app.runtime.session() as session:
        return (
            session.scalar(select(func.count(Case.id)).where(Case.source == "open311")),
            session.scalar(select(func.count(Open311Request.case_id))),
            session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.command == "report")),
            session.scalar(select(func.count(Outbox.id))),
        )


def _parses(url: str, resp: Any) -> None:
    path = url.split("?", 1)[0]
    if path.endswith(".xml"):
        assert resp.headers["Content-Type"] == "text/xml; charset=utf-8", url
        ET.fromstring(resp.get_data())
    else:
        assert resp.headers["Content-Type"] == "application/json; charset=utf-8", url
        json.loads(resp.get_data())


def test_hostile_requests_never_5xx_and_never_half_write(world: World) -> None:
    outcomes: dict[int, int] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(request=requests_to(world))
    def one(request: tuple[str, dict[str, Any]]) -> None:
        url, kwargs = request
        before = _written(world)
        resp = world.client.open(url, **kwargs)
        outcomes[resp.status_code] = outcomes.get(resp.status_code, 0) + 1
        assert resp.status_code < 500, (url, kwargs, resp.get_data()[:300])
        _parses(url, resp)
        after = _written(world)
        grew = tuple(b - a for a, b in zip(before, after, strict=True))
        if kwargs["method"] == "POST" and resp.status_code == 200:
            made = grew[0]
            assert made in (0, 1) and grew[:3] == (made, made, made) and grew[3] == made, (url, grew)
            if url.split("?", 1)[0].endswith(".xml"):
                request_id = ET.fromstring(resp.get_data()).findtext("./request/service_request_id")
            else:
                request_id = json.loads(resp.get_data())[0]["service_request_id"]
            assert world.client.get(f"/open311/v2/requests/{request_id}.json").status_code == 200
        else:
            assert grew == (0, 0, 0, 0), (url, resp.status_code, grew)

    one()
    # The generated mix reached past the checks: some created, some refused for fields, keys and resources.
    assert outcomes.get(200, 0) and outcomes.get(400, 0) and outcomes.get(403, 0) and outcomes.get(404, 0), outcomes
