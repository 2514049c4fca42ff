"""Issue 10, findings 4 and 9: every bad input gets a 4xx JSON answer naming its field, never a 500.

One test per cause the hostile run found (non-ASCII digits, ids past 64 bits, dates out of range, unhashable
values, huge integers, deep nesting, lone surrogates, Redis GEO limits with a half-applied batch) plus body size,
NUL, unsafe patrol ids and patrol fixes dated in the future. Each failed on what had landed.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from dashboard.services import validate
from dashboard.store.models import Case, User

HUGE = "99999999999999999999"  # > 2**64
SURROGATE = "\ud800"


def _post(client: Any, path: str, body: Any) -> Any:
    """POST `body` as JSON text (json.dumps escapes a lone surrogate as \\ud800, as a hostile client sends it)."""
    return client.post(path, data=json.dumps(body), content_type="application/json")


def _field(resp: Any) -> str | None:
    assert resp.is_json, resp.get_data(as_text=True)[:200]
    return resp.get_json().get("field")


def _report(lon: float, lat: float, **extra: Any) -> dict[str, Any]:
    return {"description": "井盖缺失", "lat": lat, "lon": lon, "source": "grid_worker", **extra}


@pytest.fixture
def case_id(client, inside_point) -> int:  # noqa: ANN001
    """A fresh case in state reported, version 1."""
    lon, lat = inside_point
    resp = client.post("/api/v1/cases", json=_report(lon, lat))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def _case_count(grid_app: Any) -> int:
    with grid_app.runtime.session() as session:
        return session.scalar(select(func.count(Case.id)))


# ---- 1. non-ASCII digits pass str.isdigit() -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/cases?limit=²", "limit"),
        ("/api/v1/cases?limit=１０", "limit"),  # full-width digits: int() reads them, isdigit() passes them
        ("/api/v1/cases?since=²", "since"),
        ("/api/v1/screen/summary?min_id=²", "min_id"),
        ("/api/v1/patrols/nearest?lat=39.9&lon=116.7&k=²", "k"),
        ("/api/v1/admin/audit?page=²", "page"),
        ("/api/v1/admin/audit?size=٣", "size"),
    ],
)
def test_non_ascii_digits_are_422_naming_the_argument(client, path: str, field: str) -> None:  # noqa: ANN001
    resp = client.get(path)
    assert resp.status_code == 422 and _field(resp) == field


def test_non_ascii_digits_in_a_path_id_match_no_route(client, case_id: int) -> None:  # noqa: ANN001
    arabic = str(case_id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert client.get(f"/api/v1/cases/{case_id}").status_code == 200
    assert client.get(f"/api/v1/cases/{arabic}").status_code == 404  # werkzeug's \\d+ read it as the case id


# ---- 2. ids past 64 bits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("get", f"/api/v1/cases/{HUGE}", "case_id"),
        ("get", f"/api/v1/cases/{HUGE}/suggestions", "case_id"),
        ("post", f"/api/v1/cases/{HUGE}/reject", "case_id"),
        ("get", f"/api/v1/admin/users/{HUGE}", "user_id"),
        ("post", f"/api/v1/admin/users/{HUGE}/password", "user_id"),
        ("post", f"/api/v1/admin/users/{HUGE}/deactivate", "user_id"),
        ("post", f"/api/v1/admin/tokens/{HUGE}/revoke", "token_id"),
        ("get", f"/api/v1/cases?since={HUGE}", "since"),
    ],
)
def test_ids_past_64_bits_in_paths_are_422(client, method: str, path: str, field: str) -> None:  # noqa: ANN001
    resp = getattr(client, method)(path, json={"expected_version": 1, "note": "x", "password": "long-enough-1"})
    assert resp.status_code == 422 and _field(resp) == field


@pytest.mark.parametrize(
    ("command", "body", "field"),
    [
        ("merge", {"expected_version": 1, "into": 2**70}, "into"),
        ("reject", {"expected_version": 2**70, "note": "duplicate"}, "expected_version"),
        ("reject", {"expected_version": -(2**70), "note": "duplicate"}, "expected_version"),
    ],
)
def test_ids_past_64_bits_in_bodies_are_422(client, case_id: int, command: str, body: dict, field: str) -> None:  # noqa: ANN001
    resp = _post(client, f"/api/v1/cases/{case_id}/{command}", body)
    assert resp.status_code == 422 and _field(resp) == field


# ---- 3. dates past year 1 or 9999 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/kpis?from=0001-01-01T00:00%2B08:00", "from"),
        ("/api/v1/kpis?from=2026-01-01T00:00%2B08:00&to=9999-12-31T23:59%2B00:00", "to"),
        ("/api/v1/kpis?from=0001-01-01", "from"),
        ("/api/v1/sla/deadline?limit=1天&start=9999-12-31T00:00", "start"),
        ("/api/v1/sla/deadline?limit=1天&start=0001-01-01T00:00", "start"),
        ("/api/v1/admin/audit?from=0001-01-01", "from"),
        ("/api/v1/admin/audit?to=9999-12-31", "to"),
    ],
)
def test_dates_out_of_range_in_queries_are_422(client, path: str, field: str) -> None:  # noqa: ANN001
    resp = client.get(path)
    assert resp.status_code == 422 and _field(resp) == field


@pytest.mark.parametrize(
    "occurred_at",
    ["0001-01-01T00:00+08:00", "9999-12-31T23:00-08:00", "2999-01-01T00:00+08:00", "1969-12-31T23:59+00:00"],
)
def test_occurred_at_out_of_range_or_in_the_future_is_422(client, grid_app, inside_point, occurred_at) -> None:  # noqa: ANN001
    lon, lat = inside_point
    before = _case_count(grid_app)
    resp = _post(client, "/api/v1/cases", _report(lon, lat, occurred_at=occurred_at))
    assert resp.status_code == 422 and _field(resp) == "occurred_at"
    assert _case_count(grid_app) == before


def test_occurred_at_a_moment_ago_is_accepted(client, inside_point) -> None:  # noqa: ANN001
    lon, lat = inside_point
    resp = _post(client, "/api/v1/cases", _report(lon, lat, occurred_at="2025-03-01T08:00:00+08:00"))
    assert resp.status_code == 201, resp.get_json()


# ---- 4. unhashable values where a choice is expected ---------------------------------------------------------


@pytest.mark.parametrize("value", [[], {}, [["grid_worker"]]])
def test_unhashable_source_is_422(client, inside_point, value: Any) -> None:  # noqa: ANN001
    lon, lat = inside_point
    resp = _post(client, "/api/v1/cases", _report(lon, lat, source=value))
    assert resp.status_code == 422 and _field(resp) == "source"


# ---- 5. integers too large for a float ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["lat", "lon"])
def test_a_400_digit_coordinate_is_422(client, inside_point, name: str) -> None:  # noqa: ANN001
    lon, lat = inside_point
    body = json.dumps(_report(lon, lat)).replace(f'"{name}": {lat if name == "lat" else lon}', f'"{name}": {"9" * 400}')
    assert "9" * 400 in body
    resp = client.post("/api/v1/cases", data=body, content_type="application/json")
    assert resp.status_code == 422 and _field(resp) == name


def test_a_400_digit_patrol_coordinate_and_huge_query_numbers_are_422(client) -> None:  # noqa: ANN001
    body = '{"positions": [{"id": "W1", "lat": ' + "9" * 400 + ', "lon": 116.7}]}'
    resp = client.post("/api/v1/patrols/positions", data=body, content_type="application/json")
    assert resp.status_code == 422 and _field(resp) == "positions[0].lat"
    resp = client.get("/api/v1/patrols/nearest?lat=" + "9" * 400 + "&lon=116.7")
    assert resp.status_code == 422 and _field(resp) == "lat"
    resp = client.get("/api/v1/patrols/nearest?lat=39.9&lon=1e400")
    assert resp.status_code == 422 and _field(resp) == "lon"


# ---- 6. JSON nested 1,000 deep ------------------------------------------------------------------------------


DEEP = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


@pytest.mark.parametrize("deep", [DEEP, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases",
        "/api/v1/cases/1/reject",
        "/api/v1/patrols/positions",
        "/api/v1/admin/users",
        "/api/v1/admin/users/1/password",
        "/api/v1/admin/users/1/tokens",
    ],
)
def test_deep_json_is_422_naming_the_body(client, path: str, deep: str) -> None:  # noqa: ANN001
    resp = client.post(path, data=deep, content_type="application/json")
    assert resp.status_code == 422 and _field(resp) == "body"


def test_deep_json_to_a_dash_callback_is_a_4xx(client) -> None:  # noqa: ANN001
    resp = client.post("/screen/_dash-update-component", data=DEEP, content_type="application/json")
    assert 400 <= resp.status_code < 500


def test_reasonable_nesting_still_parses() -> None:
    assert validate.json_document(b'{"a": [[[{"b": "[[[[[\\"]"}]]]}') == {"a": [[[{"b": '[[[[["]'}]]]}
    too_deep = "[" * (validate.MAX_JSON_DEPTH + 1) + "]" * (validate.MAX_JSON_DEPTH + 1)
    assert validate.json_document("[" * validate.MAX_JSON_DEPTH + "]" * validate.MAX_JSON_DEPTH)
    with pytest.raises(validate.FieldError):
        validate.json_document(too_deep)


# ---- 7. lone surrogates and NUL -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [SURROGATE, f"井盖{SURROGATE}缺失", "\udfff", "a\x00b"])
@pytest.mark.parametrize("name", ["description", "reporter"])
def test_surrogates_and_nul_in_report_text_are_422(client, grid_app, inside_point, name, text) -> None:  # noqa: ANN001
    lon, lat = inside_point
    before = _case_count(grid_app)
    resp = _post(client, "/api/v1/cases", _report(lon, lat, **{name: text}))
    assert resp.status_code == 422 and _field(resp) == name
    assert _case_count(grid_app) == before


@pytest.mark.parametrize("command", ["reject", "supervise", "escalate"])
def test_a_surrogate_in_a_note_is_422(client, case_id: int, command: str) -> None:  # noqa: ANN001
    resp = _post(client, f"/api/v1/cases/{case_id}/{command}", {"expected_version": 1, "note": SURROGATE})
    assert resp.status_code == 422 and _field(resp) == "note"


def test_an_emoji_written_as_a_surrogate_pair_is_fine(client, inside_point) -> None:  # noqa: ANN001
    lon, lat = inside_point
    resp = client.post(
        "/api/v1/cases",
        data=json.dumps(_report(lon, lat, description="井盖缺失 😀")),  # ensure_ascii: \ud83d\ude00
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.get_json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "abc-sur", "role": "leader", "password": SURROGATE * 8}, "password"),
        ({"name": "abc-sur2", "role": "leader", "display_name": SURROGATE}, "display_name"),
        ({"name": "abc\x00", "role": "leader"}, "name"),
        ({"name": "abc-dep", "role": "handler", "department": "A\x00"}, "department"),
    ],
)
def test_surrogates_and_nul_in_admin_fields_are_422(client, grid_app, body: dict, field: str) -> None:  # noqa: ANN001
    resp = _post(client, "/api/v1/admin/users", body)
    assert resp.status_code == 422 and _field(resp) == field
    with grid_app.runtime.session() as session:
        name = body["name"].replace("\x00", "")  # PostgreSQL cannot even be asked about a name with NUL
        assert session.scalar(select(User).where(User.name == name)) is None


def test_a_surrogate_in_a_token_label_is_422(client) -> None:  # noqa: ANN001
    users = client.get("/api/v1/admin/users").get_json()["users"]
    resp = _post(client, f"/api/v1/admin/users/{users[0]['id']}/tokens", {"label": SURROGATE})
    assert resp.status_code == 422 and _field(resp) == "label"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/cases?grid=%00", "grid"),
        ("/api/v1/cases?street=11011200%00", "street"),
        ("/api/v1/grids/%00", "code"),
        ("/api/v1/sla/deadline?limit=1%00天&start=2026-01-05T09:00", "limit"),
    ],
)
def test_nul_in_query_and_path_text_is_422(client, path: str, field: str) -> None:  # noqa: ANN001
    # SQLite takes NUL; PostgreSQL refuses it inside the driver, which was a 500.
    resp = client.get(path)
    assert resp.status_code == 422 and _field(resp) == field


def _filed(client: Any, case_id: int) -> dict[str, Any]:
    """File the case under the first catalog condition; that condition."""
    item = client.get("/api/v1/catalog").get_json()["conditions"][0]
    filed = _post(client, f"/api/v1/cases/{case_id}/file", {"expected_version": 1, "condition": item["code"]})
    assert filed.status_code == 200, filed.get_json()
    return item


def test_nul_in_command_codes_is_422(client, case_id: int) -> None:  # noqa: ANN001
    resp = _post(client, f"/api/v1/cases/{case_id}/file", {"expected_version": 1, "condition": "01\x00"})
    assert resp.status_code == 422 and _field(resp) == "condition"
    _filed(client, case_id)
    resp = _post(client, f"/api/v1/cases/{case_id}/dispatch", {"expected_version": 2, "department": "JD\x00"})
    assert resp.status_code == 422 and _field(resp) == "department"


# ---- 8. Redis GEO limits, and a batch applied whole or not at all -------------------------------------------


@pytest.mark.parametrize("lat", [-85.1, 85.06, 89.9])
def test_a_patrol_latitude_redis_geo_refuses_is_422_and_nothing_of_the_batch_is_applied(client, grid_app, lat) -> None:  # noqa: ANN001
    body = {"positions": [{"id": "W1", "lat": 39.9, "lon": 116.7}, {"id": "W2", "lat": lat, "lon": 116.7}]}
    resp = _post(client, "/api/v1/patrols/positions", body)
    assert resp.status_code == 422 and _field(resp) == "positions[1].lat"
    assert grid_app.runtime.patrols.all_rows() == []


def test_nearest_with_a_latitude_redis_geo_refuses_is_422_not_503(client) -> None:  # noqa: ANN001
    resp = client.get("/api/v1/patrols/nearest?lat=89&lon=116.7")
    assert resp.status_code == 422 and _field(resp) == "lat"


# ---- finding 9: patrol fixes dated in the future, body size --------------------------------------------------


def test_a_fix_dated_far_in_the_future_does_not_freeze_its_patrol(client, grid_app) -> None:  # noqa: ANN001
    now_ms = int(time.time() * 1000)
    ten_years = 10 * 365 * 86_400_000
    first = {"positions": [{"id": "W1", "lat": 39.90, "lon": 116.70, "ts": now_ms + ten_years}]}
    assert _post(client, "/api/v1/patrols/positions", first).status_code == 202
    later = {"positions": [{"id": "W1", "lat": 39.91, "lon": 116.71, "ts": int(time.time() * 1000) + 1000}]}
    resp = _post(client, "/api/v1/patrols/positions", later)
    assert resp.status_code == 202 and resp.get_json()["accepted"] == 1
    assert grid_app.runtime.patrols.all_rows() == [["W1", 116.71, 39.91, "available"]]


def test_a_fix_a_little_ahead_keeps_its_own_time(client, grid_app) -> None:  # noqa: ANN001
    ahead = int(time.time() * 1000) + 2000  # clocks differ by a little; within the skew nothing changes
    resp = _post(
        client, "/api/v1/patrols/positions", {"positions": [{"id": "W1", "lat": 39.9, "lon": 116.7, "ts": ahead}]}
    )
    assert resp.status_code == 202
    state = grid_app.runtime.redis.hget(grid_app.runtime.keys.patrol_state, "W1")
    assert state.endswith(f",{ahead}")


@pytest.mark.parametrize("pid", ["<iframe onload=alert(1)>", "a b", "W1,2", "x" * 25, "", "é", 7])
def test_patrol_ids_outside_the_safe_alphabet_are_422(client, pid: Any) -> None:  # noqa: ANN001
    resp = _post(client, "/api/v1/patrols/positions", {"positions": [{"id": pid, "lat": 39.9, "lon": 116.7}]})
    assert resp.status_code == 422 and _field(resp) == "positions[0].id"


@pytest.mark.parametrize("pid", ["110112001001001-01", "110112001-X01", "W1", "car_7.a:b"])
def test_real_patrol_ids_pass(client, pid: str) -> None:  # noqa: ANN001
    # Staff codes of the built jurisdiction (grid code + member, street code + inspector) and simple unit names.
    resp = _post(client, "/api/v1/patrols/positions", {"positions": [{"id": pid, "lat": 39.9, "lon": 116.7}]})
    assert resp.status_code == 202, resp.get_json()


def test_patrol_id_in_dispatch_is_checked_like_the_feed(client, case_id: int) -> None:  # noqa: ANN001
    item = _filed(client, case_id)
    body = {"expected_version": 2, "department": item["department"], "patrol": "<b>x</b>"}
    resp = _post(client, f"/api/v1/cases/{case_id}/dispatch", body)
    assert resp.status_code == 422 and _field(resp) == "patrol"


def test_a_body_over_the_limit_is_413_naming_the_body(client, grid_app) -> None:  # noqa: ANN001
    limit = grid_app.server.config["MAX_CONTENT_LENGTH"]
    assert 1_000_000 <= limit <= 16_000_000
    body = '{"description": "' + "x" * limit + '"}'
    resp = client.post("/api/v1/cases", data=body, content_type="application/json")
    assert resp.status_code == 413 and _field(resp) == "body"


def test_a_full_batch_of_positions_fits_under_the_body_limit(client, grid_app) -> None:  # noqa: ANN001
    now_ms = int(time.time() * 1000)
    fixes = [
        {
            "id": f"110112001001{i:03d}-{i % 100:02d}",
            "lat": 39.912345,
            "lon": 116.712345,
            "status": "available",
            "ts": now_ms,
        }
        for i in range(20_000)
    ]
    body = json.dumps({"positions": fixes}, indent=1)
    assert len(body) < grid_app.server.config["MAX_CONTENT_LENGTH"]
    resp = client.post("/api/v1/patrols/positions", data=body, content_type="application/json")
    assert resp.status_code == 202, resp.get_json()


@pytest.mark.parametrize("key", ["a\x01b", "x" * 129])
def test_an_idempotency_key_with_controls_or_too_long_is_422(client, inside_point, key: str) -> None:  # noqa: ANN001
    lon, lat = inside_point
    resp = client.post("/api/v1/cases", json=_report(lon, lat), headers={"Idempotency-Key": key})
    assert resp.status_code == 422 and _field(resp) == "Idempotency-Key"


# ---- the login form ------------------------------------------------------------------------------------------


def test_login_with_a_non_ascii_csrf_token_is_400_not_500(anonymous) -> None:  # noqa: ANN001
    anonymous.get("/login")  # the session now holds a CSRF token
    resp = anonymous.post("/login", data={"csrf": "é" * 32, "name": "a", "password": "b"})
    assert resp.status_code == 400


def test_login_with_nul_in_the_name_is_a_4xx(anonymous) -> None:  # noqa: ANN001
    page = anonymous.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    resp = anonymous.post("/login", data={"csrf": csrf, "name": "adm\x00in", "password": "whatever-1"})
    assert 400 <= resp.status_code < 500
