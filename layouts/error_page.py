"""Error pages for people: a browser that navigates to a missing, forbidden or failing page gets a localised HTML
page; API clients, Dash's XHRs and Socket.IO keep the JSON error bodies of dashboard/api/errors.py.

An after_request hook rather than error handlers: the refusals come from several places (auth's before_request,
the API's error handlers, Flask's own 404/405) and all of them answer JSON, so the page is chosen once, on the way
out, from the status alone (the JSON message is English and meant for developers, so it is not shown).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template_string, request, send_from_directory

from dashboard.config import get_settings
from layouts.dash_app import FAVICON, STATIC_URL
from layouts.i18n import t

KNOWN = frozenset({401, 403, 404, 405, 500, 503})
# Machine clients: never an HTML page, whatever their Accept header says.
MACHINE_PREFIXES = ("/api/", "/open311/", "/socket.io", "/static/", "/healthz", "/readyz")

PAGE = """<!doctype html>
<html lang="{{ 'zh-CN' if lang == 'zh' else 'en' }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · {{ app_title }}</title>
<link rel="icon" type="image/svg+xml" href="{{ favicon }}">
<link rel="stylesheet" href="{{ css }}"></head>
<body class="login-page">
<main class="login-card error-card" role="main">
  <h1>{{ title }}</h1>
  <p class="login-sub">{{ text }}</p>
  <p class="error-code">{{ code_label }} {{ status }}</p>
  <p class="error-links"><a href="/">{{ home }}</a>
  {% if status in (401, 403) %} · <a href="/login">{{ login }}</a>{% endif %}</p>
</main>
</body></html>"""


def wants_page() -> bool:
    """True for a browser's page navigation: GET, HTML preferred over JSON, not a machine path or a Dash XHR."""
    if request.method != "GET" or request.path.startswith(MACHINE_PREFIXES) or "/_dash-" in request.path:
        return False
    if request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate":
        return False  # fetch()/XHR from our own pages
    accept = request.accept_mimetypes
    return accept.quality("text/html") > accept.quality("application/json")


def render(status: int) -> str:
    """The localised page for `status` (the UI language of the settings)."""
    key = str(status) if status in KNOWN else "other"
    return render_template_string(
        PAGE,
        lang=get_settings().lang,
        status=status,
        title=t(f"error.{key}.title"),
        text=t(f"error.{key}.text"),
        app_title=t("app.title"),
        home=t("error.home"),
        login=t("error.login"),
        code_label=t("error.code"),
        favicon=STATIC_URL + FAVICON,
        css=STATIC_URL + "login/login.css",
    )


def as_page(response: Response) -> Response:
    """after_request: swap a JSON error body for the HTML page when a person's browser asked."""
    if response.status_code < 400 or response.mimetype != "application/json" or not wants_page():
        return response
    page = Response(render(response.status_code), status=response.status_code, mimetype="text/html")
    for name in ("Allow", "Retry-After", "WWW-Authenticate"):
        if name in response.headers:
            page.headers[name] = response.headers[name]
    return page


def serve_favicon() -> Response:
    """/favicon.ico for pages that do not name one (browsers ask for it anyway): the same SVG as the views."""
    return send_from_directory(current_app.static_folder or "", FAVICON, mimetype="image/svg+xml", max_age=86400)


def install(server: Flask) -> None:
    """Register the error-page hook and /favicon.ico on `server`."""
    server.after_request(as_page)
    server.add_url_rule("/favicon.ico", "favicon", serve_favicon)
