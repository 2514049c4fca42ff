"""Signing in and out with the login form: CSRF, the lockout counter, the password check, the audit trail.

The page itself (layouts/login.py) only renders: it hands the submitted form here and shows the outcome. Order
matters and is the protection: the CSRF token first, then the name's lockout (refused before the password is
looked at, so guessing during a lockout learns nothing), then the password, then the failure count.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis
from flask import session

from dashboard.api.auth import LANDING, csrf_valid, current_principal, login_session
from dashboard.api.throttle import LoginThrottle
from dashboard.runtime import Runtime
from dashboard.services import validate
from dashboard.services.accounts import authenticate
from dashboard.services.audit import record_now
from dashboard.services.errors import FieldError

NAME_MAX = 64
PASSWORD_MAX = 1024
NEXT_MAX = 512
_NEXT_ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-._~%?=&+:@!$'()*,;#")


@dataclass(frozen=True)
class SignIn:
    """The outcome of one form submission: where to go, or what to tell the person (the page's words)."""

    status: int  # 302 when signed in; otherwise the status of the form shown again
    redirect_to: str | None = None
    error: str = ""  # message key of layouts/i18n (login.expired, login.failed, login.locked, login.unavailable)
    minutes: int = 0  # for login.locked: how long the lock still lasts, rounded up
    name: str = ""  # the name to show in the form again ("" when it was refused before being read)


def safe_next(target: str | None) -> str | None:
    """A local path to go on to after signing in, or None.

    Only local paths: an open redirect would let a phishing link bounce through our login. Browsers drop tabs
    and newlines from URLs and read `\\` as `/`, so `/\t/evil.example` or `/\\evil.example` would become
    `//evil.example`: anything outside plain URL characters is refused rather than cleaned.
    """
    if not target or len(target) > NEXT_MAX or not target.startswith("/") or target.startswith("//"):
        return None
    if not set(target) <= _NEXT_ALLOWED:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _throttle(rt: Runtime) -> LoginThrottle:
    s = rt.settings
    return LoginThrottle(rt.redis, rt.keys, s.login_max_failures, s.login_window_s, s.login_lockout_s)


def sign_in(rt: Runtime, form: Mapping[str, str], *, ip: str) -> SignIn:
    """Check a submitted login form and, when it is right, start the session (Flask request context)."""
    if not csrf_valid(form.get("csrf")):
        return SignIn(400, error="login.expired")
    name = (form.get("name") or "").strip()[:NAME_MAX]
    password = form.get("password") or ""
    try:
        validate.text(name, "name", max_len=NAME_MAX, multiline=False)
        validate.text(password, "password", max_len=PASSWORD_MAX)
    except FieldError:
        # No account has such a name (NUL, controls), and PostgreSQL would refuse the lookup.
        return SignIn(400, error="login.failed")
    throttle = _throttle(rt)
    try:
        wait = throttle.locked_for(name)
    except redis.RedisError:
        # Without the lockout counter a password could be guessed without limit: refuse, clearly, for now.
        record_now(rt.sessions, actor=name, action="login_unavailable", ip=ip)
        return SignIn(503, error="login.unavailable", name=name)
    if wait:
        # Refused before the password is looked at: guessing during a lockout learns nothing.
        record_now(rt.sessions, actor=name, action="login_locked", ip=ip)
        return SignIn(429, error="login.locked", minutes=max(1, -(-wait // 60)), name=name)
    with rt.session() as db:
        user = authenticate(session=db, name=name, password=password)
        if user is not None:
            with suppress(redis.RedisError):  # the count expires by itself; never fail a good login for it
                throttle.succeeded(name)
            login_session(user)
            record_now(rt.sessions, actor=name, action="login", ip=ip)
            return SignIn(302, redirect_to=safe_next(form.get("next")) or LANDING.get(user.role, "/"))
    try:
        locked = throttle.failed(name)
    except redis.RedisError:
        return SignIn(503, error="login.unavailable", name=name)
    record_now(rt.sessions, actor=name, action="login_failed", ip=ip, detail={"locked": locked})
    return SignIn(401, error="login.failed", name=name)


def sign_out(rt: Runtime, *, ip: str) -> None:
    """End this browser's session, audited when someone was signed in."""
    principal = current_principal()
    if principal is not None:
        record_now(rt.sessions, actor=principal.name, action="logout", ip=ip)
    session.clear()
