"""Login page 登录 (server-rendered form with CSRF token) and logout; lockout after repeated failures."""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlsplit

import redis
from flask import Blueprint, current_app, redirect, render_template_string, request, session
from sqlalchemy import select
from werkzeug.security import check_password_hash

from dashboard.api.auth import LANDING, csrf_token, csrf_valid, current_principal, login_session
from dashboard.api.throttle import LoginThrottle
from dashboard.runtime import Runtime
from dashboard.services import validate
from dashboard.services.audit import record_now
from dashboard.services.errors import FieldError
from dashboard.store.models import User
from layouts.i18n import t

PAGE = """<!doctype html>
<html lang="{{ 'zh-CN' if lang == 'zh' else 'en' }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t('login.title') }} · {{ t('app.title') }}</title>
<link rel="stylesheet" href="/static/login/login.css"></head>
<body class="login-page">
<form class="login-card" method="post" action="/login" autocomplete="off">
  <h1>{{ t('app.title') }}</h1>
  <p class="login-sub">{{ t('app.subtitle') }}</p>
  {% if error %}<p class="login-error" role="alert" id="login-error">{{ error }}</p>{% endif %}
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <input type="hidden" name="next" value="{{ next }}">
  <label>{{ t('login.name') }}<input name="name" id="login-name" required autofocus value="{{ name }}"></label>
  <label>{{ t('login.password') }}<input name="password" id="login-password" type="password" required></label>
  <button type="submit" id="login-submit">{{ t('login.submit') }}</button>
</form>
</body></html>"""


def _throttle(rt: Runtime) -> LoginThrottle:
    s = rt.settings
    return LoginThrottle(rt.redis, rt.keys, s.login_max_failures, s.login_window_s, s.login_lockout_s)


_NEXT_ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-._~%?=&+:@!$'()*,;#")


def _safe_next(target: str | None) -> str | None:
    """A local path to go on to after signing in, or None.

    Only local paths: an open redirect would let a phishing link bounce through our login. Browsers drop tabs
    and newlines from URLs and read `\\` as `/`, so `/\t/evil.example` or `/\\evil.example` would become
    `//evil.example`: anything outside plain URL characters is refused rather than cleaned.
    """
    if not target or len(target) > 512 or not target.startswith("/") or target.startswith("//"):
        return None
    if not set(target) <= _NEXT_ALLOWED:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _render(status: int = 200, *, error: str = "", name: str = "") -> tuple[str, int]:
    html = render_template_string(
        PAGE,
        t=t,
        lang=current_app.extensions["gridcmd"].settings.lang,
        error=error,
        name=name,
        csrf=csrf_token(),
        next=_safe_next(request.values.get("next")) or "",
    )
    return html, status


def build_login() -> Blueprint:
    """`/login` (GET form, POST credentials) and `/logout`."""
    bp = Blueprint("login", __name__)

    @bp.get("/login")
    def login_form():  # noqa: ANN202
        return _render()

    @bp.post("/login")
    def login_submit():  # noqa: ANN202
        rt: Runtime = current_app.extensions["gridcmd"]
        ip = request.remote_addr or ""
        if not csrf_valid(request.form.get("csrf")):
            return _render(400, error=t("login.expired"))
        name = (request.form.get("name") or "").strip()[:64]
        password = request.form.get("password") or ""
        try:
            validate.text(name, "name", max_len=64, multiline=False)
            validate.text(password, "password", max_len=1024)
        except FieldError:
            # No account has such a name (NUL, controls), and PostgreSQL would refuse the lookup.
            return _render(400, error=t("login.failed"))
        throttle = _throttle(rt)
        try:
            wait = throttle.locked_for(name)
        except redis.RedisError:
            # Without the lockout counter a password could be guessed without limit: refuse, clearly, for now.
            record_now(rt.sessions, actor=name, action="login_unavailable", ip=ip)
            return _render(503, error=t("login.unavailable"), name=name)
        if wait:
            # Refused before the password is looked at: guessing during a lockout learns nothing.
            record_now(rt.sessions, actor=name, action="login_locked", ip=ip)
            return _render(429, error=t("login.locked").format(minutes=max(1, -(-wait // 60))), name=name)
        with rt.session() as db:
            user = db.scalar(select(User).where(User.name == name))
            ok = bool(user and user.active and user.password_hash and check_password_hash(user.password_hash, password))
            if ok and user is not None:
                with suppress(redis.RedisError):  # the count expires by itself; never fail a good login for it
                    throttle.succeeded(name)
                login_session(user)
                record_now(rt.sessions, actor=name, action="login", ip=ip)
                return redirect(_safe_next(request.form.get("next")) or LANDING.get(user.role, "/"))
        try:
            locked = throttle.failed(name)
        except redis.RedisError:
            return _render(503, error=t("login.unavailable"), name=name)
        record_now(rt.sessions, actor=name, action="login_failed", ip=ip, detail={"locked": locked})
        return _render(401, error=t("login.failed"), name=name)

    @bp.route("/logout", methods=["GET", "POST"])
    def logout():  # noqa: ANN202
        principal = current_principal()
        if principal is not None:
            record_now(
                current_app.extensions["gridcmd"].sessions,
                actor=principal.name,
                action="logout",
                ip=request.remote_addr or "",
            )
        session.clear()
        return redirect("/login")

    return bp
