"""The grid-worker app's commands with photos, on SQLite and PostgreSQL: self-handle on the spot with before/after
photos (only by the worker who reported it), the one-step report-and-self-handle, a department's report-handled
with photos (multipart and JSON), photos uploaded first and named later, and per-device tokens the admin revokes.
"""

from __future__ import annotations

import io

from sqlalchemy import select

from dashboard.store.models import CatalogItem
from dashboard.store.photo_models import CasePhoto
from tests.integration.test_worker_app import bearer, counts, point_in, post_report, report_form, streets
from tests.photo_samples import photo_bytes


def _parts(*raws: bytes) -> list[tuple[io.BytesIO, str, str]]:
    return [(io.BytesIO(raw), f"p{i}.jpg", "image/jpeg") for i, raw in enumerate(raws)]


def _command(client, case: dict, command: str, headers: dict, data: dict):  # noqa: ANN001, ANN201
    return client.post(
        f"/api/v1/cases/{case['id']}/{command}",
        data={"expected_version": str(case["version"]), **data},
        headers=headers,
        content_type="multipart/form-data",
    )


def _kinds(client, case_id: int) -> list[str]:  # noqa: ANN001
    return [i["kind"] for i in client.get(f"/api/v1/cases/{case_id}").get_json()["photo_items"]]


def test_the_reporting_worker_self_handles_with_before_and_after_photos(client, grid_app) -> None:
    street = streets(grid_app)[0]
    worker, colleague = bearer(grid_app, "worker", street), bearer(grid_app, "worker", street)
    lon, lat = point_in(grid_app, street, seed=21)
    case = post_report(client, worker, report_form(lon, lat, (photo_bytes(seed=2101), "r.jpg"))).get_json()
    before, after = photo_bytes("PNG", seed=2102), photo_bytes("WEBP", seed=2103)
    # Another worker of the same street may read the case but not close it as their own.
    refused = _command(client, case, "self-handle", colleague, {"photos_before": _parts(before)})
    assert refused.status_code == 403, refused.get_json()
    assert "reported" in refused.get_json()["error"]
    done = _command(
        client,
        case,
        "self-handle",
        worker,
        {"note": "已现场劝离", "photos_before": _parts(before), "photos_after": _parts(after)},
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["state"] == "self_handled"
    assert _kinds(client, case["id"]) == ["report", "before", "after"]
    detail = client.get(f"/api/v1/cases/{case['id']}").get_json()
    assert detail["timeline"][-1]["note"] == "已现场劝离"
    for item in detail["photo_items"]:
        assert client.get(item["thumb"], headers=worker).status_code == 200


def test_a_worker_cannot_self_handle_what_a_desk_or_channel_reported(client, grid_app) -> None:
    street = streets(grid_app)[0]
    worker = bearer(grid_app, "worker", street)
    lon, lat = point_in(grid_app, street, seed=22)
    case = client.post(
        "/api/v1/cases", json={"description": "desk report", "lat": lat, "lon": lon, "source": "wechat"}
    ).get_json()
    resp = client.post(
        f"/api/v1/cases/{case['id']}/self-handle", json={"expected_version": case["version"]}, headers=worker
    )
    assert resp.status_code == 403


def test_report_and_self_handle_in_one_step(client, grid_app) -> None:
    street = streets(grid_app)[0]
    worker = bearer(grid_app, "worker", street)
    lon, lat = point_in(grid_app, street, seed=23)
    form = report_form(lon, lat, (photo_bytes(seed=2301), "r.jpg"), self_handled="1", note="当场清理")
    form["photos_after"] = _parts(photo_bytes(seed=2302))
    resp = post_report(client, worker, form)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["state"] == "self_handled"
    assert _kinds(client, body["id"]) == ["report", "after"]
    commands = [e["command"] for e in client.get(f"/api/v1/cases/{body['id']}").get_json()["timeline"]]
    assert commands == ["report", "self-handle"]
    # Before/after photos without self_handled=1 are refused, and a channel may not self-handle at all.
    plain = report_form(lon, lat)
    plain["photos_after"] = _parts(photo_bytes(seed=2303))
    before = counts(grid_app)
    assert post_report(client, worker, plain).get_json()["field"] == "photos_after"
    channel = post_report(client, bearer(grid_app, "channel"), report_form(lon, lat, self_handled="1"))
    assert channel.status_code == 403
    assert counts(grid_app) == before  # the one step is one transaction: no case without its self-handle


def _dispatched_to_handler(client, grid_app, street: str) -> tuple[dict, dict]:  # noqa: ANN001
    """A case of `street` filed and dispatched; (the case as it is now, the handling department's bearer)."""
    with grid_app.runtime.session() as session:
        item = session.scalars(
            select(CatalogItem).where(CatalogItem.level == "B", CatalogItem.department_code != "JD")
        ).first()
        condition, department = item.code, item.department_code
    lon, lat = point_in(grid_app, street, seed=31)
    case = client.post("/api/v1/cases", json={"description": "路灯不亮", "lat": lat, "lon": lon, "source": "wechat"})
    case = case.get_json()
    for command, body in (("file", {"condition": condition}), ("dispatch", {"department": department})):
        resp = client.post(f"/api/v1/cases/{case['id']}/{command}", json={"expected_version": case["version"], **body})
        assert resp.status_code == 200, resp.get_json()
        case = resp.get_json()
    handler = bearer(grid_app, "handler", department=department)
    resp = client.post(
        f"/api/v1/cases/{case['id']}/acknowledge", json={"expected_version": case["version"]}, headers=handler
    )
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json(), handler


def test_the_department_reports_handled_with_photos_as_multipart(client, grid_app) -> None:
    case, handler = _dispatched_to_handler(client, grid_app, streets(grid_app)[0])
    resp = _command(
        client, case, "report-handled", handler, {"note": "已更换灯泡", "photos": _parts(photo_bytes(seed=3101))}
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["state"] == "handled"
    detail = client.get(f"/api/v1/cases/{case['id']}").get_json()
    (item,) = detail["photo_items"]
    assert item["kind"] == "handled"
    assert client.get(item["url"], headers=handler).status_code == 200


def test_report_handled_json_keeps_taking_links_and_our_uploaded_photos(client, grid_app) -> None:
    case, handler = _dispatched_to_handler(client, grid_app, streets(grid_app)[1])
    upload = client.post(
        "/api/v1/media",
        data={"photos": _parts(photo_bytes(seed=3201))},
        headers=handler,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    (ours,) = upload.get_json()["photos"]
    assert client.get(ours["url"], headers=handler).status_code == 404  # on no case yet: shown to nobody
    link = "https://oss.example.cn/after.jpg"
    resp = client.post(
        f"/api/v1/cases/{case['id']}/report-handled",
        json={"expected_version": case["version"], "photos": [link, ours["url"]]},
        headers=handler,
    )
    assert resp.status_code == 200, resp.get_json()
    detail = client.get(f"/api/v1/cases/{case['id']}").get_json()
    assert detail["photos"] == [link, ours["url"]]
    assert [(i["kind"], i["thumb"] is None) for i in detail["photo_items"]] == [("handled", True), ("handled", False)]
    assert client.get(ours["url"], headers=handler).status_code == 200


def test_a_photo_on_a_case_out_of_reach_cannot_be_named_into_another(client, grid_app) -> None:
    street, other = streets(grid_app)[:2]
    lon, lat = point_in(grid_app, street, seed=41)
    first = post_report(client, {}, report_form(lon, lat, (photo_bytes(seed=4101), "a.jpg"))).get_json()
    (url,) = client.get(f"/api/v1/cases/{first['id']}").get_json()["photos"]
    thief = bearer(grid_app, "worker", other)
    olon, olat = point_in(grid_app, other, seed=42)
    body = {"description": "借图", "lat": olat, "lon": olon, "source": "grid_worker", "photos": [url]}
    resp = client.post("/api/v1/cases", json=body, headers=thief)
    assert resp.status_code == 422 and resp.get_json()["field"] == "photos[0]"
    assert client.get(url, headers=thief).status_code == 404
    missing = {**body, "photos": [f"/media/{'ab' * 32}.jpg"]}
    assert client.post("/api/v1/cases", json=missing, headers=thief).get_json()["field"] == "photos[0]"
    # Someone who may read the first case may name the photo again.
    again = client.post(
        "/api/v1/cases", json={**body, "lat": lat, "lon": lon}, headers=bearer(grid_app, "worker", street)
    )
    assert again.status_code == 201, again.get_json()
    with grid_app.runtime.session() as session:
        assert session.scalar(select(CasePhoto.kind).where(CasePhoto.case_id == again.get_json()["id"])) == "report"


def test_an_admin_issues_a_device_token_sees_its_use_and_a_revoked_one_is_refused_at_once(client, grid_app) -> None:
    street = streets(grid_app)[0]
    user = client.post("/api/v1/admin/users", json={"name": "wgy-zhang", "role": "worker", "scope": street})
    assert user.status_code == 201, user.get_json()
    channel = client.post("/api/v1/admin/users", json={"name": "ch-12345", "role": "channel"})
    assert channel.status_code == 201, channel.get_json()
    uid = user.get_json()["id"]
    issued = client.post(f"/api/v1/admin/users/{uid}/tokens", json={"label": "张三的手机 (Mate 60)"})
    assert issued.status_code == 201
    token = issued.get_json()["token"]
    phone = {"Authorization": f"Bearer {token}"}
    lon, lat = point_in(grid_app, street, seed=51)
    assert post_report(client, phone, report_form(lon, lat, (photo_bytes(seed=5101), "a.jpg"))).status_code == 201
    (row,) = client.get(f"/api/v1/admin/users/{uid}").get_json()["tokens"]
    assert row["label"] == "张三的手机 (Mate 60)" and row["last_used_at"] and row["revoked_at"] is None
    assert client.post(f"/api/v1/admin/tokens/{row['id']}/revoke").status_code == 200
    assert client.get("/api/v1/cases", headers=phone).status_code == 401
    assert post_report(client, phone, report_form(lon, lat)).status_code == 401
