"""Login page 登录: the server-rendered form (with its CSRF token).

Rendering only: its routes are callbacks/login.py's, checking the form (CSRF, lockout, password, audit) is
dashboard/api/login.py's.
"""

from __future__ import annotations

from flask import current_app, render_template_string, request

from dashboard.api.auth import csrf_token
from dashboard.api.login import safe_next
from layouts.dash_app import FAVICON_LINK
from layouts.i18n import t

PAGE = """<!doctype html>
<html lang="{{ 'zh-CN' if lang == 'zh' else 'en' }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t('login.title') }} · {{ t('app.title') }}</title>
{{ favicon|safe }}<link rel="stylesheet" href="/static/login/login.css"></head>
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


def render(status: int = 200, *, error: str = "", name: str = "") -> tuple[str, int]:
    """The form, with `error` (already localised) and the name typed shown back as text."""
    html = render_template_string(
        PAGE,
        t=t,
        favicon=FAVICON_LINK,  # a constant of ours, not data
        lang=current_app.extensions["gridcmd"].settings.lang,
        error=error,
        name=name,
        csrf=csrf_token(),
        next=safe_next(request.values.get("next")) or "",
    )
    return html, status
