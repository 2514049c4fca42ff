"""Who is calling, and may they: sessions, bearer and display tokens, the role table, security headers.

Every page, Dash callback, API endpoint and Socket.IO connection passes through here on the server; a hidden
button is never the protection.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import redis
from flask import Flask, Response, abort, g, jsonify, redirect, request, session

from dashboard.domain.actors import Actor, Role
from dashboard.runtime import Runtime
from dashboard.services.accounts import resolve_token
from dashboard.services.audit import record_now
from dashboard.store.models import ApiToken, User

# View (first path segment) → roles that may open it, with its Dash callbacks and assets.
PAGE_ROLES: dict[str, frozenset[str]] = {
    "screen": frozenset({"screen", "dispatcher", "leader", "admin"}),
    "dispatch": frozenset({"dispatcher", "admin"}),
    "leader": frozenset({"leader", "admin"}),
    "admin": frozenset({"admin"}),
}
# Where each role lands after signing in: leaders on their leader pass (/leader), phone first;
# handlers work through the API (department systems, mobile app) and land on their own case list.
LANDING = {
    "screen": "/screen/",
    "dispatcher": "/dispatch/",
    "handler": "/api/v1/cases?open=1",
    "worker": "/api/v1/cases?open=1",
    "channel": "/api/v1/cases?open=1",
    "leader": "/leader/",
    "admin": "/admin/",
}
PUBLIC_PREFIXES = ("/login", "/logout", "/static/", "/healthz", "/readyz", "/favicon.ico", "/_reload-hash")
OPEN311_PREFIX = "/open311/"
ALL_ROLES = frozenset({"screen", "channel", "worker", "dispatcher", "handler", "leader", "admin"})
DESK_ROLES = frozenset({"dispatcher", "handler", "leader", "admin"})


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    user_id: int
    name: str
    display_name: str
    role: str
    scope: str
    department_code: str | None
    via: str  # session | token | kiosk
    token_id: int | None = None  # the bearer token it came with (each device's own rate budget and audit)

    def actor(self) -> Actor:
        """The command layer's view of this caller."""
        return Actor(name=self.name, role=Role(self.role), scope=self.scope, department_code=self.department_code)

    @property
    def sees_personal_data(self) -> bool:
        """Reporter names and phone numbers are shown to dispatchers and admins only."""
        return self.role in ("dispatcher", "admin")


def _principal(user: User, via: str, token_id: int | None = None) -> Principal:
    return Principal(
        user.id, user.name, user.display_name or user.name, user.role, user.scope, user.department_code, via, token_id
    )


def _runtime() -> Runtime:
    from flask import current_app

    return current_app.extensions["gridcmd"]


def current_principal() -> Principal | None:
    """The caller of this request (bearer token first, then the session), cached for the request."""
    if "principal" in g:
        return g.principal
    rt = _runtime()
    found: Principal | None = None
    header = request.headers.get("Authorization", "")
    with rt.session() as db:
        if header.startswith("Bearer "):
            resolved = resolve_token(session=db, token=header.removeprefix("Bearer ").strip())
            if resolved is not None:
                row, user = resolved
                found = _principal(user, "token", row.id)
                _audit_token_use(row, user)
        elif "uid" in session:
            uid = session["uid"]
            user = db.get(User, uid) if isinstance(uid, int) and not isinstance(uid, bool) else None
            if user is not None and user.active and _session_still_valid(db, user):
                found = _principal(user, "kiosk" if "kiosk_token" in session else "session")
            else:
                session.clear()
    g.principal = found
    return found


def principal_for_token(token: str) -> Principal | None:
    """The caller holding a bearer token (Socket.IO clients pass it in their auth payload)."""
    rt = _runtime()
    with rt.session() as db:
        resolved = resolve_token(session=db, token=token)
        if resolved is None:
            return None
        row, user = resolved
        _audit_token_use(row, user)
        return _principal(user, "token", row.id)


TOKEN_AUDIT_PERIOD_S = 3600
_token_audited_at: dict[tuple[str, int], float] = {}  # (database, token id) → this process's last audit
_token_audit_lock = threading.Lock()


# A key this process set or found in Redis stands for the rest of its hour; asking again on every request of a busy
# channel was a Redis round trip per request. Re-asked after this long, so a key that lapsed meanwhile (its hour
# began in another process) delays that token's next audit row by at most this much.
TOKEN_RECHECK_S = 60.0
_token_checked_at: dict[tuple[str, str], float] = {}  # (database, Redis key) → when Redis last held its key


def _token_use_is_new(key: str, token_id: int, period_s: int) -> bool:
    """True once per period per token: across processes through Redis, within this process when it is down."""
    rt = _runtime()
    now = time.monotonic()
    checked_key = (rt.settings.database_url, key)
    checked = _token_checked_at.get(checked_key)
    if checked is not None and now - checked < min(TOKEN_RECHECK_S, period_s):
        return False
    try:
        is_new = bool(rt.redis.set(key, "1", ex=period_s, nx=True))
        _token_checked_at[checked_key] = now
        return is_new
    except redis.RedisError:
        # Redis is down: the request must not fail for an audit detail, and the audit must not be lost either.
        # Fall back to this process's own memory (at worst one row per process per period).
        now = time.monotonic()
        local_key = (rt.settings.database_url, token_id)
        with _token_audit_lock:
            last = _token_audited_at.get(local_key)
            if last is not None and now - last < period_s:
                return False
            _token_audited_at[local_key] = now
            return True


def _audit_token_use(row: ApiToken, user: User) -> None:
    """Token use is audited once an hour per token: enough to trace a leak without flooding the log."""
    rt = _runtime()
    key = f"{rt.keys.prefix}audit:token:{row.id}"
    if _token_use_is_new(key, row.id, TOKEN_AUDIT_PERIOD_S):
        record_now(
            rt.sessions,
            actor=user.name,
            action="token_used",
            target=f"token:{row.id}",
            ip=_ip(),
            detail={"path": request.path},
        )


def _session_still_valid(db: Any, user: User) -> bool:
    if "kiosk_token" in session:
        # A kiosk session stands on its display token alone: the token must be live, belong to this very user,
        # and that user must be a screen account (a session naming another user's token, or an admin with any
        # token id, is forged or stale).
        token_id = session.get("kiosk_token")
        token = db.get(ApiToken, token_id) if isinstance(token_id, int) and not isinstance(token_id, bool) else None
        return (
            token is not None
            and token.revoked_at is None  # revoking the display token ends the kiosk
            and token.user_id == user.id
            and user.role == "screen"
            and session.get("pw") == password_stamp(user)
        )
    if session.get("pw") != password_stamp(user):
        return False  # the password was reset since this session signed in: every other session ends
    idle_limit = _runtime().settings.idle_timeout_min * 60
    now = time.time()
    if user.role in DESK_ROLES and now - session.get("seen", now) > idle_limit:
        return False
    session["seen"] = now
    return True


def login_session(user: User, *, kiosk_token_id: int | None = None) -> None:
    """Start a fresh session for `user` (new CSRF token; the old session id is not reused)."""
    session.clear()
    session["uid"] = user.id
    session["pw"] = password_stamp(user)
    session["seen"] = time.time()
    session["csrf"] = secrets.token_urlsafe(24)
    if kiosk_token_id is not None:
        session["kiosk_token"] = kiosk_token_id
    session.permanent = True


def password_stamp(user: User) -> str:
    """A short fingerprint of the password hash, kept in the session so a password reset ends old sessions."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def csrf_valid(submitted: str | None) -> bool:
    """True when a form's CSRF token matches this session's (a session without one matches nothing)."""
    expected = session.get("csrf")
    # Compared as bytes: compare_digest raises TypeError for str with non-ASCII characters (a 500 on `csrf=é`).
    return bool(expected and submitted) and hmac.compare_digest(
        str(expected).encode("utf-8", "surrogatepass"), str(submitted).encode("utf-8", "surrogatepass")
    )


def csrf_token() -> str:
    """The session's CSRF token for forms (created on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def require(*roles: str) -> Principal:
    """The caller, or 401 (nobody) / 403 (wrong role)."""
    principal = current_principal()
    if principal is None:
        abort(401, description="sign in or send a valid bearer token (Authorization: Bearer TOKEN)")
    if roles and principal.role not in roles:
        abort(403, description=f"role {principal.role} may not use this")
    return principal


def _is_api(path: str) -> bool:
    return path.startswith(("/api/", "/open311/"))


def _page_of(path: str) -> str | None:
    first = path.strip("/").split("/", 1)[0]
    return first if first in PAGE_ROLES else None


def _kiosk_login(token: str) -> Response | None:
    """`/screen/?token=…`: a display token of a screen user opens the wall without a login form."""
    rt = _runtime()
    with rt.session() as db:
        found = resolve_token(session=db, token=token)
        if found is None or found[1].role != "screen":
            record_now(rt.sessions, actor="?", action="token_refused", target="/screen", ip=_ip())
            return None
        row, user = found
        login_session(user, kiosk_token_id=row.id)
        record_now(rt.sessions, actor=user.name, action="kiosk_login", target=f"token:{row.id}", ip=_ip())
    return redirect("/screen/")  # drop the token from the address bar, history and access logs


def _ip() -> str:
    return request.remote_addr or ""


def enforce() -> Response | None:
    """before_request: refuse what the caller may not reach; send browsers without a session to /login."""
    path = request.path
    if path.startswith(PUBLIC_PREFIXES):
        return None
    if path.startswith(OPEN311_PREFIX):
        # Open311 (api/open311.py) authenticates on its own: reads are public and a POST carries its api_key in the
        # form. The session cookie is never read there, so a signed-in browser's cross-site form lends it nothing.
        return None
    page = _page_of(path)
    if page == "screen" and request.args.get("token"):
        return _kiosk_login(request.args["token"]) or _deny(401, "invalid or revoked display token")
    principal = current_principal()
    if principal is None:
        if _is_api(path) or path.startswith("/socket.io"):
            return None if path.startswith("/socket.io") else _deny(401, "sign in or send a bearer token")
        if page is None and path != "/":
            return _deny(401, "sign in first")
        if "/_dash-" in path:
            return _deny(401, "session expired: sign in again")  # Dash XHRs expect JSON, not a login page
        return redirect("/login?next=" + quote(path, safe="/"))
    if principal.via == "kiosk" and page != "screen" and not _is_api(path) and not path.startswith("/socket.io"):
        return _deny(403, "a display token opens the big screen only")
    if principal.via == "kiosk" and _is_api(path) and request.method not in ("GET", "HEAD", "OPTIONS"):
        return _deny(403, "a display token reads the big screen's data only")
    if page is not None and principal.role not in PAGE_ROLES[page]:
        return _deny(403, f"role {principal.role} may not open /{page}")
    if path == "/":
        return redirect(LANDING.get(principal.role, "/login"))
    if request.method not in ("GET", "HEAD", "OPTIONS") and principal.via != "token" and not _same_origin():
        return _deny(403, "cross-site request refused")
    return None


def _same_origin() -> bool:
    """Cookie-authenticated writes must come from our own pages (CSRF; SameSite=Lax is the first line)."""
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if not origin:
        return True  # non-browser clients send neither; browsers always send Origin on cross-site POSTs
    # Scheme, host and port must match exactly: a prefix test would let http://localhost.evil.example in.
    theirs, ours = urlsplit(origin), urlsplit(request.host_url)
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)


def _deny(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def security_headers(response: Response) -> Response:
    """CSP allowing only the app's own assets, no framing (except /screen for configured walls), no sniffing.

    Scripts: our own files and, on a view, the inline scripts of that view's page (Dash's renderer boot) by their
    hashes, which each Dash app publishes (layouts/dash_app.py). Never 'unsafe-inline' or 'unsafe-eval': markup
    that slips into a page cannot run (no inline handlers, no injected <script>, no javascript: URLs).
    """
    from flask import current_app

    rt = _runtime()
    framers = rt.settings.kiosk_frame_ancestors.strip()
    page = _page_of(request.path)
    on_screen = page == "screen"
    ancestors = f"'self' {framers}" if on_screen and framers else "'none'"
    tiles = rt.settings.tile_origin()  # an intranet tile server (TILE_URL) is the only other image source
    images = f"'self' data: blob: {tiles}" if tiles else "'self' data: blob:"
    inline = current_app.extensions.get("gridcmd_inline_script_hashes", {}).get(page)
    scripts = " ".join(("'self'", *inline())) if inline else "'self'"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src {scripts}; "
        f"style-src 'self' 'unsafe-inline'; img-src {images}; font-src 'self' data:; "
        "connect-src 'self' ws: wss:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
        f"form-action 'self'; frame-ancestors {ancestors}"
    )
    if not (on_screen and framers):
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def install_auth(server: Flask, runtime: Runtime) -> None:
    """Wire enforcement and headers into the Flask app; cookie flags from settings."""
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=runtime.settings.https,
        SESSION_COOKIE_NAME="gridcmd_session",
        PERMANENT_SESSION_LIFETIME=60 * 60 * 24 * 30,  # kiosk walls run for weeks; desks still time out when idle
    )
    server.before_request(enforce)
    server.after_request(security_headers)
