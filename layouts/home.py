"""Landing page: what this center runs, with links to each view."""

from __future__ import annotations

import dash
from dash import html

from layouts.i18n import t

ID = "home"


def layout() -> html.Div:
    """Cards linking to the views that exist."""
    cards = [
        ("/screen", t("home.screen"), t("home.screen.desc")),
        ("/api/v1/grids", t("home.api"), t("home.api.desc")),
    ]
    return html.Div(
        className="home",
        children=[
            html.H1(t("app.title")),
            html.P(t("app.subtitle")),
            html.Div(
                className="home-cards",
                children=[
                    html.A(className="home-card", href=href, children=[html.H2(title), html.P(desc)])
                    for href, title, desc in cards
                ],
            ),
        ],
    )


def register() -> None:
    """Register the page with Dash's page registry."""
    dash.register_page("home", path="/", layout=layout, title=t("app.title"))
