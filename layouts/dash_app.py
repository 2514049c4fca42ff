"""One Dash app per view, each under its own path prefix (/screen/, /dispatch/ …) with its own assets folder.

A prefix per view makes the server-side role check a path check: the page, its layout, its callbacks
(`/<view>/_dash-update-component`) and its assets all live under `/<view>/`. Each view's JS and CSS live in
`assets/<view>/`; what several views share lives in `assets/shared/` and `assets/vendor/`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import dash
from flask import Flask, redirect, request

ASSETS = Path(__file__).resolve().parent.parent / "assets"
# Served by Flask's static route (app.py: assets/ at /static/), outside every view's own assets folder.
STATIC_URL = "/static/"
SHARED = ASSETS / "shared"  # helpers every view loads (text as text, formatting, SLA status …)
LIVE_CLIENT = ("vendor/socket.io.min.js", "shared/live.js")  # loaded by views fed over /live only
FAVICON = "shared/favicon.svg"
FAVICON_LINK = f'<link rel="icon" type="image/svg+xml" href="{STATIC_URL}{FAVICON}">'
# Flask extension under which each view publishes the CSP hashes of its page's inline scripts, read by
# dashboard.api.auth.security_headers (which never imports Dash): view -> () -> ("'sha256-…'", …).
INLINE_SCRIPT_HASHES = "gridcmd_inline_script_hashes"
# Views fed over /live load the shared live client besides their own assets.
LIVE_VIEWS = frozenset({"screen", "dispatch", "leader"})
# Dash's own bundles (renderer, dcc, html, dash_table, polyfills) are served under this package name.
DASH_PACKAGE = "dash"
_SUITE_TAG = re.compile(
    r"<(?:script|link)\b[^>]*/_dash-component-suites/(?P<package>[^/\"]+)/(?P<part>[^/\"]+)[^>]*>(?:</script>)?"
)
# Parts of Dash's own package a view made of html components alone can leave out (the leader pass on a phone:
# dcc's two bundles were 470 KB, a third of its cold load).
DASH_OPTIONAL_PARTS = frozenset({"dcc", "dash_table"})


class ViewDash(dash.Dash):
    """A Dash app that puts only its view's component libraries on its page.

    Dash injects every imported component library into every app of the process (the wall downloaded and
    evaluated the desk's 1.3 MB AG Grid bundle). `interpolate_index` is Dash's documented hook for changing the
    page it writes; the view drops the tags of libraries it does not use there, by their package path.
    """

    def __init__(
        self, *args: Any, libraries: Iterable[str] = (), without_dash_parts: Iterable[str] = (), **kwargs: Any
    ) -> None:
        self.view_libraries = frozenset(libraries) | {DASH_PACKAGE}
        self.skipped_parts = frozenset(without_dash_parts) & DASH_OPTIONAL_PARTS
        super().__init__(*args, **kwargs)

    def interpolate_index(self, **kwargs: Any) -> str:
        for part in ("scripts", "css"):
            kwargs[part] = _SUITE_TAG.sub(self._keep_used, kwargs[part])
        kwargs["favicon"] = FAVICON_LINK  # ours, not Plotly's
        return super().interpolate_index(**kwargs)

    def _keep_used(self, match: re.Match[str]) -> str:
        package = match.group("package")
        if package == DASH_PACKAGE and match.group("part") in self.skipped_parts:
            return ""
        return match.group(0) if package in self.view_libraries else ""


def make_dash(
    server: Flask,
    view: str,
    layout: Callable[[], Any] | Any,
    title: str,
    libraries: Iterable[str] = (),
    assets_path_ignore: list[str] | None = None,
    without_dash_parts: Iterable[str] = (),
) -> dash.Dash:
    """A Dash app for `view` mounted at `/<view>/` on `server`, serving every asset locally.

    The page loads its own folder, `assets/<view>/` (Dash's assets folder for this app), the shared helpers of
    `assets/shared/` (and the live client on live views) as scripts of Flask's static route, and of the component
    libraries only those it names besides Dash's own (and of Dash's own not `without_dash_parts`, e.g. dcc for a
    view that uses no dcc component).
    """
    folder = ASSETS / view
    folder.mkdir(exist_ok=True)  # Dash warns about a missing folder; a view without assets has an empty one
    app = ViewDash(
        f"gridcmd_{view}",
        server=server,
        url_base_pathname=f"/{view}/",
        assets_folder=str(folder),
        external_scripts=shared_scripts(view),
        serve_locally=True,
        update_title=None,
        suppress_callback_exceptions=True,
        title=title,
        compress=False,
        libraries=libraries,
        without_dash_parts=without_dash_parts,
        assets_path_ignore=assets_path_ignore,  # folders Dash serves on request but does not inject
    )
    app.enable_dev_tools(debug=False, dev_tools_disable_version_check=True, dev_tools_ui=False)
    app.layout = layout
    _publish_inline_script_hashes(server, view, app)

    def _with_slash():  # noqa: ANN202
        query = request.query_string.decode()
        return redirect(f"/{view}/" + (f"?{query}" if query else ""))

    server.add_url_rule(f"/{view}", f"{view}_no_slash", _with_slash)
    return app


def shared_scripts(view: str) -> list[str]:
    """URLs of the scripts `view` loads before its own: the live client on live views, then `assets/shared/*.js`.

    Each URL carries the file's modification time, as Dash does for assets, so a browser never runs a stale copy.
    """
    names = [n for n in LIVE_CLIENT if view in LIVE_VIEWS]
    names += sorted(f"shared/{p.name}" for p in SHARED.glob("*.js") if f"shared/{p.name}" not in LIVE_CLIENT)
    return [f"{STATIC_URL}{name}?m={int((ASSETS / name).stat().st_mtime)}" for name in names]


def _publish_inline_script_hashes(server: Flask, view: str, app: dash.Dash) -> None:
    """Let the CSP allow this view's inline scripts (Dash's renderer boot, inline clientside callbacks) by hash.

    Computed once, at the view's first response: by then every callback of the view is registered, and
    `Dash.csp_hashes()` covers the inline scripts its index page writes (the JSON config is not a script).
    """
    server.extensions.setdefault(INLINE_SCRIPT_HASHES, {})[view] = functools.cache(lambda: tuple(app.csp_hashes()))
