"""One Dash app per view, each under its own path prefix (/screen/, /dispatch/ …).

A prefix per view makes the server-side role check a path check: the page, its layout, its callbacks
(`/<view>/_dash-update-component`) and its assets all live under `/<view>/`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import dash
from flask import Flask, redirect, request

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def make_dash(server: Flask, view: str, layout: Callable[[], Any] | Any, title: str) -> dash.Dash:
    """A Dash app for `view` mounted at `/<view>/` on `server`, serving every asset locally."""
    app = dash.Dash(
        f"gridcmd_{view}",
        server=server,
        url_base_pathname=f"/{view}/",
        assets_folder=str(ASSETS),
        serve_locally=True,
        update_title=None,
        suppress_callback_exceptions=True,
        title=title,
        compress=False,
    )
    app.enable_dev_tools(debug=False, dev_tools_disable_version_check=True, dev_tools_ui=False)
    app.layout = layout

    def _with_slash():  # noqa: ANN202
        query = request.query_string.decode()
        return redirect(f"/{view}/" + (f"?{query}" if query else ""))

    server.add_url_rule(f"/{view}", f"{view}_no_slash", _with_slash)
    return app
