"""Flat route tables: every REST handler is a module-level function, listed once in its module's `ROUTES`.

As Home Assistant registers its websocket commands, a handler is registered by being named in a table, never by
being defined inside a builder: the table is the one place that says what a module serves (rule and methods), and
each handler can be imported and read on its own. What a handler needs beyond the request lives on the Flask app
(`current_app.extensions`), not in a closure:

- the runtime (`runtime()`), put there by app.py;
- `ApiHooks` (`hooks()`): the callables the composition root hands the API, such as the outbox relay's wake-up;
- per-app state (`per_app()`): caches tied to one app and so to one database (a process may build several apps:
  the tests do, each on its own database, and a module-level cache would serve one app's grids to another).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar, cast

from flask import Blueprint, Flask, current_app
from flask.typing import ResponseReturnValue

from dashboard.api.errors import install_error_handlers
from dashboard.runtime import Runtime

T = TypeVar("T")
# The key under which app.py leaves the API's hooks in `Flask.extensions`.
HOOKS = "gridcmd_api_hooks"


@dataclass(frozen=True)
class Route:
    """One REST endpoint: its rule (relative to the blueprint's prefix), HTTP methods and handler.

    The Flask endpoint is named after the handler (`api.create_case`).
    """

    rule: str
    methods: tuple[str, ...]
    view: Callable[..., ResponseReturnValue]


def make_blueprint(
    name: str,
    import_name: str,
    routes: Iterable[Route],
    *,
    url_prefix: str | None = None,
    before: Iterable[Callable[[], ResponseReturnValue | None]] = (),
) -> Blueprint:
    """A blueprint serving `routes`, with the JSON error handlers and the `before` request hooks it lists."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    # JSON errors naming the field; a blueprint's own handlers are consulted before the app's.
    install_error_handlers(bp)
    for hook in before:
        bp.before_request(hook)
    for route in routes:
        bp.add_url_rule(route.rule, view_func=route.view, methods=list(route.methods))
    return bp


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class ApiHooks:
    """What the composition root (app.py) hands the REST handlers; set once with `install_hooks`.

    `after_commit` runs after a request committed a case change (app.py: wake the outbox relay, so the change
    goes live at once rather than at the relay's next poll). `csv_header` gives the audit CSV's column headings in
    the UI language (layouts own every UI string; None: the machine names of admin_api.CSV_COLUMNS).
    """

    after_commit: Callable[[], None] = _nothing
    csv_header: Callable[[], tuple[str, ...]] | None = None


def install_hooks(server: Flask, hooks: ApiHooks) -> None:
    """Make `hooks` the ones every handler of `server` sees."""
    server.extensions[HOOKS] = hooks


def hooks() -> ApiHooks:
    """The current app's hooks (defaults when none were installed: an app assembled without app.py)."""
    found = current_app.extensions.get(HOOKS)
    return found if isinstance(found, ApiHooks) else ApiHooks()


def runtime() -> Runtime:
    """The current app's runtime (settings, sessions, Redis, calendar), put there by app.py."""
    return current_app.extensions["gridcmd"]


def per_app(key: str, factory: Callable[[], T]) -> T:
    """The current app's object under `key`, made by `factory` on first use."""
    extensions = current_app.extensions
    found = extensions.get(key)
    if found is None:
        # setdefault: two first requests racing end up sharing whichever object landed first.
        found = extensions.setdefault(key, factory())
    return cast(T, found)
