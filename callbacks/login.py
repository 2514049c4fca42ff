"""Routes of the login view (/login, /logout): server-rendered, no Dash app and no Dash callbacks.

The page itself is layouts/login.py's; checking the form (CSRF, lockout, password, audit) is
dashboard/api/login.py's. These handlers only connect the two, listed once in ROUTES.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request
from flask.typing import ResponseReturnValue

from dashboard.api.login import sign_in, sign_out
from dashboard.api.registry import Route
from dashboard.runtime import Runtime
from layouts.i18n import t
from layouts.login import render


def _rt() -> Runtime:
    return current_app.extensions["gridcmd"]


def login_form() -> ResponseReturnValue:
    """The sign-in form."""
    return render()


def login_submit() -> ResponseReturnValue:
    """Check the credentials: on success go where the user was headed, else the form again with the reason."""
    outcome = sign_in(_rt(), request.form, ip=request.remote_addr or "")
    if outcome.redirect_to is not None:
        return redirect(outcome.redirect_to)
    message = t(outcome.error)
    if outcome.error == "login.locked":
        message = message.format(minutes=outcome.minutes)
    return render(outcome.status, error=message, name=outcome.name)


def logout() -> ResponseReturnValue:
    """End the session (GET too, so a link signs out) and show the form."""
    sign_out(_rt(), ip=request.remote_addr or "")
    return redirect("/login")


ROUTES: tuple[Route, ...] = (
    Route("/login", ("GET",), login_form),
    Route("/login", ("POST",), login_submit),
    Route("/logout", ("GET", "POST"), logout),
)


def blueprint() -> Blueprint:
    """The login blueprint, served from ROUTES (endpoints keep their names: `login.login_form`, ...)."""
    bp = Blueprint("login", __name__)
    for route in ROUTES:
        bp.add_url_rule(route.rule, view_func=route.view, methods=list(route.methods))
    return bp
