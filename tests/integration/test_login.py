"""Signing in and staying safe: the form with CSRF, lockout after repeated failures, idle timeout for desks,
cookie flags, security headers, and no password or token in the audit log or the logs.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from dashboard.api.auth import LANDING
from dashboard.config import Settings
from dashboard.services.accounts import create_user, issue_token
from dashboard.store.models import AuditEntry

PASSWORD = "correct-horse-9"
STREET = "110112001"


def _csrf(client: Any, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the login form carries a CSRF token"
    return found.group(1)


def login(client: Any, name: str, password: str, **extra: str) -> Any:
    """Sign in through the form: GET for the CSRF token, then POST."""
    return client.post("/login", data={"csrf": _csrf(client), "name": name, "password": password, **extra})


def _user(app: Any, role: str, *, scope: str = "110112", password: str | None = PASSWORD, **kw: Any) -> str:
    name = f"{role}-{uuid.uuid4().hex[:8]}"
    with app.runtime.session() as session:
        create_user(session=session, name=name, role=role, scope=scope, password=password, **kw)
    return name


def _token(app: Any, name: str) -> str:
    from dashboard.store.models import User

    with app.runtime.session() as session:
        user = session.scalar(select(User).where(User.name == name))
        return issue_token(session=session, user=user)


def _audit(app: Any, actor: str) -> list[tuple[str, dict[str, Any]]]:
    with app.runtime.session() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.actor == actor).order_by(AuditEntry.id))
        return [(r.action, r.detail) for r in rows]


@pytest.fixture
def app_with(settings: Settings) -> Iterator[Callable[..., Any]]:
    """Build the app with some settings changed (lockout time, HTTPS, kiosk framing)."""
    import app as app_module

    def build(**changes: Any) -> Any:
        return app_module.create_app(settings.model_copy(update=changes), start_loops=False)

    yield build


# ---- the form -----------------------------------------------------------------------------------------------


def test_login_page_is_chinese_first_and_carries_a_csrf_token(anonymous) -> None:  # noqa: ANN001
    resp = anonymous.get("/login")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert '<html lang="zh-CN">' in page and "登录" in page and 'type="password"' in page
    assert re.search(r'name="csrf" value="[A-Za-z0-9_\-]{20,}"', page)


@pytest.mark.parametrize("role", ["dispatcher", "leader", "admin", "screen", "handler"])
def test_login_lands_on_the_roles_view_and_logout_ends_the_session(grid_app, anonymous, role: str) -> None:  # noqa: ANN001
    extra = {"department_code": "CGW"} if role == "handler" else {}
    name = _user(grid_app, role, **extra)
    resp = login(anonymous, name, PASSWORD)
    assert resp.status_code == 302 and resp.headers["Location"] == LANDING[role]
    assert anonymous.get("/").headers["Location"] == LANDING[role]  # the home page sends it there too
    assert anonymous.get("/api/v1/grids").status_code == 200  # signed in by the cookie alone

    out = anonymous.get("/logout")
    assert out.status_code == 302 and out.headers["Location"] == "/login"
    assert anonymous.get("/api/v1/grids").status_code == 401
    assert anonymous.get("/screen/").headers["Location"] == "/login?next=/screen/"
    assert [a for a, _ in _audit(grid_app, name)] == ["login", "logout"]


def test_login_returns_to_the_page_asked_for_but_never_off_site(grid_app, anonymous) -> None:  # noqa: ANN001
    name = _user(grid_app, "admin")
    asked = anonymous.get("/admin/audit")
    assert asked.headers["Location"] == "/login?next=/admin/audit"
    assert login(anonymous, name, PASSWORD, next="/admin/audit").headers["Location"] == "/admin/audit"
    for evil in ("//evil.example/", "https://evil.example/", "javascript:alert(1)"):
        other = grid_app.server.test_client()
        assert login(other, name, PASSWORD, next=evil).headers["Location"] == "/admin/"


def test_a_wrong_or_missing_csrf_token_is_refused(grid_app, anonymous) -> None:  # noqa: ANN001
    name = _user(grid_app, "dispatcher")
    _csrf(anonymous)  # the session now holds a token…
    wrong = anonymous.post("/login", data={"csrf": "forged", "name": name, "password": PASSWORD})
    missing = anonymous.post("/login", data={"name": name, "password": PASSWORD})
    assert wrong.status_code == 400 and missing.status_code == 400  # …and the form must echo it
    assert "页面已过期" in wrong.get_data(as_text=True)
    assert anonymous.get("/api/v1/grids").status_code == 401
    assert _audit(grid_app, name) == []  # refused before the name or password was looked at


def test_a_post_without_any_csrf_token_from_a_fresh_browser_is_refused(grid_app, anonymous) -> None:  # noqa: ANN001
    name = _user(grid_app, "dispatcher")
    resp = anonymous.post("/login", data={"name": name, "password": PASSWORD})
    assert resp.status_code == 400, resp.status_code


def test_inactive_and_passwordless_accounts_cannot_sign_in(grid_app, anonymous) -> None:  # noqa: ANN001
    screen = _user(grid_app, "screen", password=None)
    assert login(anonymous, screen, "").status_code == 401
    assert login(anonymous, screen, "anything-at-all").status_code == 401
    gone = _user(grid_app, "dispatcher")
    with grid_app.runtime.session() as session:
        from dashboard.store.models import User

        session.scalar(select(User).where(User.name == gone)).active = False
    assert login(anonymous, gone, PASSWORD).status_code == 401


# ---- brute force --------------------------------------------------------------------------------------------


@pytest.fixture
def counted_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password the login view hands to check_password_hash (the real one still answers)."""
    import dashboard.services.accounts as login_view

    calls: list[str] = []
    real = login_view.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        calls.append(password)
        return real(pwhash, password)

    monkeypatch.setattr(login_view, "check_password_hash", counting)
    return calls


def test_the_sixth_wrong_password_is_refused_without_being_checked(grid_app, anonymous, counted_checks) -> None:  # noqa: ANN001
    name = _user(grid_app, "dispatcher")
    answers = [login(anonymous, name, f"guess-{i}").status_code for i in range(5)]
    assert answers == [401] * 5
    assert len(counted_checks) == 5

    sixth = login(anonymous, name, "guess-5")
    assert sixth.status_code == 429
    assert "登录失败次数过多" in sixth.get_data(as_text=True)
    right = login(anonymous, name, PASSWORD)  # even the right password is refused while locked…
    assert right.status_code == 429
    assert len(counted_checks) == 5  # …because no password is checked at all
    assert login(anonymous, name.upper(), PASSWORD).status_code == 429  # the lock is on the name, any case

    other = _user(grid_app, "dispatcher")
    assert login(grid_app.server.test_client(), other, PASSWORD).status_code == 302  # only that account is locked
    trail = _audit(grid_app, name)
    assert [a for a, _ in trail] == ["login_failed"] * 5 + ["login_locked", "login_locked"]
    assert [d for _, d in trail[:5]] == [{"locked": False}] * 4 + [{"locked": True}]


def test_a_good_login_resets_the_failure_count(grid_app, anonymous) -> None:  # noqa: ANN001
    name = _user(grid_app, "leader")
    for i in range(4):
        assert login(anonymous, name, f"typo-{i}").status_code == 401
    assert login(anonymous, name, PASSWORD).status_code == 302
    anonymous.get("/logout")
    for i in range(4):
        assert login(anonymous, name, f"typo-again-{i}").status_code == 401  # a fresh window of five
    assert login(anonymous, name, PASSWORD).status_code == 302


def test_the_lockout_clears_on_time(app_with, counted_checks) -> None:  # noqa: ANN001
    app = app_with(login_lockout_s=2)
    client = app.server.test_client()
    name = _user(app, "admin")
    for i in range(5):
        login(client, name, f"wrong-{i}")
    assert login(client, name, PASSWORD).status_code == 429
    time.sleep(2.2)
    assert login(client, name, PASSWORD).status_code == 302
    assert counted_checks[-1] == PASSWORD
    # Once cleared, one more typo does not lock again: the count started over.
    client.get("/logout")
    assert login(client, name, "one-typo").status_code == 401
    assert login(client, name, PASSWORD).status_code == 302


# ---- idle timeout -------------------------------------------------------------------------------------------


class _Clock:
    """Stands in for the `time` module inside dashboard.api.auth, `ahead` seconds in the future."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def time(self) -> float:
        return time.time() + self.ahead


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    import dashboard.api.auth as auth

    fake = _Clock()
    monkeypatch.setattr(auth, "time", fake)
    return fake


def test_desks_time_out_when_idle_the_screen_does_not(grid_app, clock: _Clock) -> None:  # noqa: ANN001
    idle = grid_app.runtime.settings.idle_timeout_min * 60
    desks = {}
    for role in ("dispatcher", "leader", "admin", "screen"):
        client = grid_app.server.test_client()
        assert login(client, _user(grid_app, role), PASSWORD).status_code == 302
        desks[role] = client
    kiosk = grid_app.server.test_client()
    wall = _user(grid_app, "screen", password=None)
    assert kiosk.get(f"/screen/?token={_token(grid_app, wall)}").status_code == 302

    # Activity keeps a desk signed in: a request every (idle - 60 s) for twice the idle limit.
    for _ in range(2):
        clock.ahead += idle - 60
        assert desks["dispatcher"].get("/api/v1/grids").status_code == 200

    clock.ahead += idle + 60  # then nobody touches anything for longer than the limit
    for role in ("leader", "admin", "dispatcher"):
        assert desks[role].get("/api/v1/grids").status_code == 401, role
    clock.ahead = 0
    assert desks["admin"].get("/api/v1/grids").status_code == 401  # the session is gone, not just paused

    clock.ahead = 7 * 24 * 3600  # a week unattended: the wall stays up, by password or by display token
    assert desks["screen"].get("/screen/").status_code == 200
    assert kiosk.get("/screen/").status_code == 200


# ---- cookies and headers ------------------------------------------------------------------------------------


def _session_cookie(resp: Any) -> str:
    cookies = [c for c in resp.headers.getlist("Set-Cookie") if c.startswith("gridcmd_session=")]
    assert cookies, resp.headers
    return cookies[-1]


def test_session_cookie_flags(grid_app, app_with) -> None:  # noqa: ANN001
    client = grid_app.server.test_client()
    cookie = _session_cookie(login(client, _user(grid_app, "dispatcher"), PASSWORD))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path"} <= flags and "samesite=lax" in cookie.lower()
    assert "secure" not in flags  # plain HTTP in the embedded default

    https = app_with(https=True)
    client = https.server.test_client()
    cookie = _session_cookie(login(client, _user(https, "dispatcher"), PASSWORD))
    assert "secure" in cookie.lower() and "httponly" in cookie.lower()


@pytest.mark.parametrize("path", ["/login", "/admin/", "/screen/", "/api/v1/grids", "/api/v1/admin/users", "/nope"])
def test_security_headers_on_every_answer(client, path: str) -> None:  # noqa: ANN001
    resp = client.get(path)
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"


def test_only_the_screen_may_be_framed_and_only_by_the_configured_wall(app_with) -> None:  # noqa: ANN001
    app = app_with(kiosk_frame_ancestors="https://wall.example")
    kiosk = app.server.test_client()
    wall = _user(app, "screen", password=None)
    kiosk.get(f"/screen/?token={_token(app, wall)}")
    screen = kiosk.get("/screen/")
    assert screen.status_code == 200
    assert "frame-ancestors 'self' https://wall.example" in screen.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in screen.headers
    admin_page = kiosk.get("/admin/")
    assert admin_page.status_code == 403
    assert "frame-ancestors 'none'" in admin_page.headers["Content-Security-Policy"]
    assert admin_page.headers["X-Frame-Options"] == "DENY"


def test_images_may_come_from_the_configured_tile_server_only(app_with, client) -> None:  # noqa: ANN001
    assert "img-src 'self' data: blob:;" in client.get("/screen/").headers["Content-Security-Policy"]
    app = app_with(tile_url="http://{s}.tiles.intranet:8080/{z}/{x}/{y}.png")
    csp = app.server.test_client().get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob: http://*.tiles.intranet:8080;" in csp
    assert "connect-src 'self' ws: wss:;" in csp  # tiles are images: nothing else is opened to that host


# ---- secrets stay out of the audit log and the logs ---------------------------------------------------------


def test_no_password_or_token_in_the_audit_log_or_the_logs(grid_app, client, anonymous, caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.DEBUG)
    secrets = ["Wrong-Guess-77", PASSWORD, "Initial-Pass-55", "Reset-Pass-66"]
    name = _user(grid_app, "dispatcher", scope=STREET)
    login(anonymous, name, "Wrong-Guess-77")
    login(anonymous, name, PASSWORD)
    anonymous.get("/logout")
    # The admin flows handle passwords and plain tokens too.
    created = client.post(
        "/api/v1/admin/users",
        json={
            "name": f"new-{uuid.uuid4().hex[:6]}",
            "role": "screen",
            "scope": "110112",
            "password": "Initial-Pass-55",
        },
    ).get_json()
    client.post(f"/api/v1/admin/users/{created['id']}/password", json={"password": "Reset-Pass-66"})
    issued = client.post(f"/api/v1/admin/users/{created['id']}/tokens", json={"label": "wall"}).get_json()
    secrets.append(issued["token"])
    kiosk = grid_app.server.test_client()
    assert kiosk.get(f"/screen/?token={issued['token']}").status_code == 302
    bearer = _token(grid_app, name)
    secrets.append(bearer)
    assert anonymous.get("/api/v1/cases", headers={"Authorization": f"Bearer {bearer}"}).status_code == 200
    assert anonymous.get("/api/v1/cases", headers={"Authorization": "Bearer gct_not-a-real-token"}).status_code == 401
    assert anonymous.get("/screen/?token=gct_forged-display-token").status_code == 401
    secrets += ["gct_not-a-real-token", "gct_forged-display-token"]

    with grid_app.runtime.session() as session:
        audit = "\n".join(
            f"{r.actor}|{r.action}|{r.target}|{r.ip}|{r.detail}" for r in session.scalars(select(AuditEntry))
        )
    logs = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    for secret in secrets:
        assert secret not in audit, f"a secret reached the audit log: {secret[:6]}…"
        assert secret not in logs, f"a secret reached the logs: {secret[:6]}…"
    assert "kiosk_login" in audit and "token_used" in audit and "token_refused" in audit  # the events are there


def test_the_access_log_of_a_real_server_never_shows_a_display_token(grid_app, live_server: str, caplog) -> None:  # noqa: ANN001
    from dashboard import logsafe

    logsafe.install()  # as app.serve() does before it starts the server
    caplog.set_level(logging.INFO)
    wall = _user(grid_app, "screen", password=None)
    token = _token(grid_app, wall)
    opened = requests.get(f"{live_server}/screen/?token={token}", timeout=10, allow_redirects=False)
    assert opened.status_code == 302 and opened.headers["Location"] == "/screen/"
    requests.get(f"{live_server}/api/v1/grids", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    time.sleep(0.2)  # the server thread logs after answering
    access = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/screen/?token=" in line for line in access), access  # the request was logged…
    assert not any(token in line or token.removeprefix("gct_") in line for line in access)  # …without the token


def test_a_password_reset_ends_the_users_other_sessions(grid_app, anonymous) -> None:  # noqa: ANN001
    from werkzeug.security import generate_password_hash

    from dashboard.store.models import User

    name = _user(grid_app, "dispatcher")
    assert login(anonymous, name, PASSWORD).status_code == 302
    assert anonymous.get("/api/v1/cases?limit=1").status_code == 200
    with grid_app.runtime.session() as session:
        user = session.scalar(select(User).where(User.name == name))
        user.password_hash = generate_password_hash("a-brand-new-password")
    # The copied or forgotten session signed in with the old password no longer works.
    assert anonymous.get("/api/v1/cases?limit=1").status_code == 401
