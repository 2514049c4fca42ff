"""One Dash app per view, each under its own path prefix (/screen/, /dispatch/ …).

A prefix per view makes the server-side role check a path check: the page, its layout, its callbacks
(`/<view>/_dash-update-component`) and its assets all live under `/<view>/`.
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
# Flask extension under which each view publishes the CSP hashes of its page's inline scripts, read by
# dashboard.api.auth.security_headers (which never imports Dash): view -> () -> ("'sha256-…'", …).
INLINE_SCRIPT_HASHES = "gridcmd_inline_script_hashes"
# Views fed over /live load the shared live client (assets/gridcmd-live*.js) besides their own assets.
LIVE_VIEWS = frozenset({"screen", "dispatch", "leader"})


def make_dash(
    server: Flask,
    view: str,
    layout: Callable[[], Any] | Any,
    title: str,
    libraries: Iterable[str] = (),
) -> dash.Dash:
    """A Dash app for `view` mounted at `/<view>/` on `server`, serving every asset locally.

    The page loads only its own `gridcmd-<view>*` assets (plus the shared `gridcmd-text.js`, and the `gridcmd-live*`
    client on live views) and the component libraries it names besides Dash's own: Dash would otherwise inject every
    imported library and every file under assets/ into every view (the wall downloaded and evaluated the desk's
    1.3 MB AG Grid bundle and its 85 KB script).
    """
    app = dash.Dash(
        f"gridcmd_{view}",
        server=server,
        url_base_pathname=f"/{view}/",
        assets_folder=str(ASSETS),
        assets_ignore=assets_ignore(view),
        serve_locally=True,
        update_title=None,
        suppress_callback_exceptions=True,
        title=title,
        compress=False,
    )
    app.enable_dev_tools(debug=False, dev_tools_disable_version_check=True, dev_tools_ui=False)
    app.layout = layout
    _limit_libraries(app, tuple(libraries))
    _publish_inline_script_hashes(server, view, app)

    def _with_slash():  # noqa: ANN202
        query = request.query_string.decode()
        return redirect(f"/{view}/" + (f"?{query}" if query else ""))

    server.add_url_rule(f"/{view}", f"{view}_no_slash", _with_slash)
    return app


def assets_ignore(view: str) -> str:
    """Dash's `assets_ignore` for `view`: every `gridcmd-*` file but the view's own, the text helper every view
    renders data with (`gridcmd-text.js`) and, on live views, the live client's."""
    kept = re.escape(view) + "|text" + ("|live" if view in LIVE_VIEWS else "")
    return rf"^gridcmd-(?!(?:{kept})[.-])"


def _publish_inline_script_hashes(server: Flask, view: str, app: dash.Dash) -> None:
    """Let the CSP allow this view's inline scripts (Dash's renderer boot, inline clientside callbacks) by hash.

    Computed once, at the view's first response: by then every callback of the view is registered, and
    `Dash.csp_hashes()` covers the inline scripts its index page writes (the JSON config is not a script).
    """
    server.extensions.setdefault(INLINE_SCRIPT_HASHES, {})[view] = functools.cache(lambda: tuple(app.csp_hashes()))


def _limit_libraries(app: dash.Dash, libraries: tuple[str, ...]) -> None:
    """Serve only `libraries` (plus Dash's core components, which Dash adds itself) and the view's assets."""
    scripts = app.scripts._resources  # noqa: SLF001 - Dash has no public per-app library filter
    css = app.css._resources  # noqa: SLF001

    def view_scripts(dev_bundles: bool = False) -> list[dict[str, Any]]:
        return scripts.get_library_resources(list(libraries), dev_bundles)

    def view_css() -> list[dict[str, Any]]:
        return css.get_library_resources(list(libraries))

    app.scripts.get_all_scripts = view_scripts  # type: ignore[method-assign]
    app.css.get_all_css = view_css  # type: ignore[method-assign]
