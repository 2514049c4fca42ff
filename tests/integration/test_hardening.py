"""Holes a hostile test found (issue 10): forged sessions, open redirects, cross-street references, reused
Idempotency-Keys, unsafe photo URLs, leaking parameters and spreadsheet formulas. Each failed before its fix.
"""

from __future__ import annotations

import os
import re
import stat
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from dashboard.config import KNOWN_WEAK_KEYS, SecretKeyError, Settings, secret_key
from dashboard.services import admin as admin_svc
from dashboard.services.accounts import create_user, issue_token
from dashboard.store.models import ApiToken, Case, User
from tests.integration.conftest import make_token

S1, S2 = "110112001", "110112002"
OLD_DEFAULT_KEY = "dev-only-change-me"  # the key that shipped in the source before


def _signed_cookie(secret: str, data: dict[str, Any]) -> str:
    """A Flask session cookie carrying `data`, signed with `secret` as an attacker holding it would."""
    forger = Flask("forger")
    forger.secret_key = secret
    return SecureCookieSessionInterface().get_signing_serializer(forger).dumps(data)  # type: ignore[union-attr]


def _user(grid_app: Any, role: str, scope: str = "110112", password: str | None = None) -> User:
    with grid_app.runtime.session() as session:
        return create_user(
            session=session, name=f"{role}-{uuid.uuid4().hex[:8]}", role=role, scope=scope, password=password
        )


def _cookie_client(grid_app: Any, cookie: str) -> Any:
    client = grid_app.server.test_client()
    client.set_cookie("gridcmd_session", cookie, domain="localhost")
    return client


# ---- 1. forged sessions -------------------------------------------------------------------------------------


def test_without_secret_key_a_random_one_is_kept_under_var_with_mode_600(tmp_path) -> None:  # noqa: ANN001
    settings = Settings(secret_key="", var_dir=tmp_path)
    first = secret_key(settings)
    assert len(first) >= 32 and first not in KNOWN_WEAK_KEYS
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    # Every process of the install (and every restart) signs with the same key.
    assert secret_key(Settings(secret_key="", var_dir=tmp_path)) == first
    assert secret_key(Settings(secret_key="", var_dir=tmp_path / "other")) != first


@pytest.mark.parametrize("weak", [OLD_DEFAULT_KEY, "changeme", "short-key"])
def test_known_development_and_short_keys_are_refused(tmp_path, weak: str) -> None:  # noqa: ANN001
    with pytest.raises(SecretKeyError, match="SECRET_KEY"):
        secret_key(Settings(secret_key=weak, var_dir=tmp_path))


def test_serve_refuses_a_weak_key_in_one_line(monkeypatch, capsys) -> None:  # noqa: ANN001
    from dashboard import cli
    from dashboard.config import get_settings

    monkeypatch.setenv("SECRET_KEY", OLD_DEFAULT_KEY)
    get_settings.cache_clear()
    try:
        assert cli.main(["serve", "--port", "1"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "SECRET_KEY" in err and "Traceback" not in err


def test_the_app_does_not_sign_with_the_old_default(grid_app) -> None:  # noqa: ANN001
    assert grid_app.server.secret_key not in KNOWN_WEAK_KEYS and len(grid_app.server.secret_key) >= 32


@pytest.mark.parametrize(
    "path",
    ["/api/v1/admin/users", "/api/v1/cases", "/api/v1/grids", "/api/v1/kpis", "/screen/_dash-layout"],
)
def test_a_cookie_signed_with_the_old_default_key_gets_401(grid_app, path: str) -> None:  # noqa: ANN001
    admin = _user(grid_app, "admin")
    forged = _signed_cookie(OLD_DEFAULT_KEY, {"uid": admin.id, "kiosk_token": 1})
    resp = _cookie_client(grid_app, forged).get(path)
    assert resp.status_code == 401, (path, resp.status_code)
    created = _cookie_client(grid_app, forged).post(
        "/api/v1/admin/users", json={"name": "intruder", "role": "admin", "password": "x" * 12}
    )
    assert created.status_code == 401
    # Pages send the browser to sign in instead of serving anything.
    page = _cookie_client(grid_app, forged).get("/admin/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")


def test_a_kiosk_session_must_hold_a_display_token_of_its_own_screen_user(grid_app) -> None:  # noqa: ANN001
    """Even with the real key (a leaked cookie, an old session): the kiosk branch checks whose token it is."""
    admin = _user(grid_app, "admin")
    screen = _user(grid_app, "screen")
    with grid_app.runtime.session() as session:
        issue_token(session=session, user=session.get(User, screen.id))
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == screen.id))
    key = grid_app.server.secret_key
    for data in (
        {"uid": admin.id, "kiosk_token": token_id},  # an admin riding a screen's token
        {"uid": admin.id, "kiosk_token": 1},
        {"uid": admin.id, "kiosk_token": "1"},
        {"uid": str(admin.id)},
    ):
        client = _cookie_client(grid_app, _signed_cookie(key, data))
        assert client.get("/api/v1/admin/users").status_code == 401, data
        assert client.get("/api/v1/kpis").status_code == 401, data


def test_a_real_kiosk_reads_the_wall_and_writes_nothing(grid_app, inside_point) -> None:  # noqa: ANN001
    screen = _user(grid_app, "screen")
    with grid_app.runtime.session() as session:
        token = issue_token(session=session, user=session.get(User, screen.id))
    kiosk = grid_app.server.test_client()
    assert kiosk.get(f"/screen/?token={token}").status_code == 302
    assert kiosk.get("/screen/").status_code == 200
    assert kiosk.get("/api/v1/kpis").status_code == 200
    lon, lat = inside_point
    resp = kiosk.post("/api/v1/cases", json={"description": "x", "lat": lat, "lon": lon, "source": "wechat"})
    assert resp.status_code == 403
    assert kiosk.get("/admin/").status_code == 403


# ---- 5. open redirect ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "evil",
    [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "//evil.example",
        "/ /evil.example",
    ],
)
def test_login_never_redirects_off_site(grid_app, evil: str) -> None:  # noqa: ANN001
    name = f"admin-{uuid.uuid4().hex[:8]}"
    with grid_app.runtime.session() as session:
        create_user(session=session, name=name, role="admin", scope="110112", password="correct-horse-9")
    client = grid_app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    resp = client.post("/login", data={"csrf": csrf, "name": name, "password": "correct-horse-9", "next": evil})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/admin/", resp.headers["Location"]


# ---- 6. references across streets ----------------------------------------------------------------------------


def _point_in(grid_app: Any, street: str) -> tuple[float, float]:
    import random

    index = grid_app.runtime.grid_index()
    code = next(c for c in index.codes() if c.startswith(street))
    return index.random_point_in(code, random.Random(7))


def _report(client: Any, point: tuple[float, float], text: str = "井盖缺失") -> dict[str, Any]:
    lon, lat = point
    resp = client.post("/api/v1/cases", json={"description": text, "lat": lat, "lon": lon, "source": "grid_worker"})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _bearer(grid_app: Any, token: str) -> Any:
    client = grid_app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_a_street_cannot_merge_into_another_streets_case_nor_tell_it_exists(grid_app, client) -> None:  # noqa: ANN001
    street = _bearer(grid_app, make_token(grid_app, "dispatcher", scope=S1))
    own = _report(street, _point_in(grid_app, S1))
    own_target = _report(street, _point_in(grid_app, S1), "同一井盖")
    other_open = _report(client, _point_in(grid_app, S2))
    other_closed = _report(client, _point_in(grid_app, S2))
    rejected = client.post(f"/api/v1/cases/{other_closed['id']}/reject", json={"expected_version": 1, "note": "重复"})
    assert rejected.status_code == 200
    answers = {}
    for label, into in (
        ("other street, open", other_open["id"]),
        ("other street, closed", other_closed["id"]),
        ("missing", 2**62),
        ("past 64 bits", 2**70),
    ):
        resp = street.post(f"/api/v1/cases/{own['id']}/merge", json={"expected_version": 1, "into": into})
        assert resp.status_code == 422, (label, resp.status_code, resp.get_json())
        body = resp.get_json()
        assert body["field"] == "into"
        answers[label] = body["error"].replace(str(into), "ID")
    assert len(set(answers.values())) == 1, answers  # one answer: nothing to probe
    with grid_app.runtime.session() as session:
        assert session.get(Case, own["id"]).state == "reported"
    ok = street.post(f"/api/v1/cases/{own['id']}/merge", json={"expected_version": 1, "into": own_target["id"]})
    assert ok.status_code == 200 and ok.get_json()["state"] == "merged"


def test_a_case_is_never_dispatched_to_another_streets_unit(grid_app, client) -> None:  # noqa: ANN001
    case = _report(client, _point_in(grid_app, S1))
    with grid_app.runtime.session() as session:
        condition = session.scalar(select(Case.category_code).where(Case.category_code.is_not(None)).limit(1))
    from dashboard.store.models import CatalogItem

    with grid_app.runtime.session() as session:
        condition = condition or session.scalar(select(CatalogItem.code).limit(1))
    filed = client.post(f"/api/v1/cases/{case['id']}/file", json={"expected_version": 1, "condition": condition})
    assert filed.status_code == 200, filed.get_json()
    resp = client.post(f"/api/v1/cases/{case['id']}/dispatch", json={"expected_version": 2, "department": f"{S2}ZF"})
    assert resp.status_code == 422 and resp.get_json()["field"] == "department"
    resp = client.post(f"/api/v1/cases/{case['id']}/dispatch", json={"expected_version": 2, "department": f"{S1}ZF"})
    assert resp.status_code == 200, resp.get_json()


# ---- 9. what a report may carry --------------------------------------------------------------------------------


def test_an_idempotency_key_reused_with_another_body_is_refused(client, inside_point) -> None:  # noqa: ANN001
    lon, lat = inside_point
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = {"description": "路灯不亮", "lat": lat, "lon": lon, "source": "hotline_12345"}
    first = client.post("/api/v1/cases", json=body, headers=key)
    again = client.post("/api/v1/cases", json=body, headers=key)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    other = client.post("/api/v1/cases", json={**body, "description": "另一起：井盖缺失"}, headers=key)
    assert other.status_code == 422 and other.get_json()["field"] == "Idempotency-Key"


@pytest.mark.parametrize(
    ("photos", "field"),
    [
        (["javascript:alert(1)"], "photos[0]"),
        (["https://ok.example/a.jpg", "data:image/png;base64,AAAA"], "photos[1]"),
        (["//evil.example/a.jpg"], "photos[0]"),
        (["https://x.example/" + "a" * 1_000_000], "photos[0]"),
        ([1], "photos[0]"),
        (["/media/a.jpg"] * 10, "photos"),
    ],
)
def test_unsafe_or_huge_photo_urls_are_refused(client, inside_point, photos: list[Any], field: str) -> None:  # noqa: ANN001
    lon, lat = inside_point
    body = {"description": "垃圾堆放", "lat": lat, "lon": lon, "source": "wechat", "photos": photos}
    resp = client.post("/api/v1/cases", json=body)
    assert resp.status_code == 422 and resp.get_json()["field"] == field


def test_safe_photo_urls_are_kept(client, inside_point) -> None:  # noqa: ANN001
    lon, lat = inside_point
    photos = ["https://media.example/a.jpg", "/media/ab/cd.webp"]
    body = {"description": "垃圾堆放", "lat": lat, "lon": lon, "source": "wechat", "photos": photos}
    created = client.post("/api/v1/cases", json=body)
    assert created.status_code == 201
    assert client.get(f"/api/v1/cases/{created.get_json()['id']}").get_json()["photos"] == photos


# ---- 10. leaks ------------------------------------------------------------------------------------------------------


def test_a_failed_statement_never_carries_its_parameters(grid_app) -> None:  # noqa: ANN001
    from sqlalchemy.exc import IntegrityError

    phone = "13912345678"
    taken = _user(grid_app, "dispatcher").id  # a name to collide with (a fresh schema may hold no user yet)
    with pytest.raises(IntegrityError) as caught, grid_app.runtime.session() as session:
        existing = session.get(User, taken)
        session.add(User(name=existing.name, role="admin", scope="110112", display_name=phone))
        session.flush()
    assert phone not in str(caught.value)


@pytest.mark.parametrize("start", ["＝", "＋", "－", "＠", " =", "\u3000="])
def test_csv_cells_neutralise_full_width_and_padded_formulas(start: str) -> None:
    assert admin_svc.csv_cell(start + 'HYPERLINK("http://evil")').startswith("'")
