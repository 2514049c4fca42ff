"""The REST API under /api/v1 (DESIGN.md section 10): one blueprint, its table gathered from the resource modules.

Cases (dashboard/api/cases.py; the batch intake in cases_batch.py), grids, catalog and deadlines (reference.py),
patrols (patrols.py), KPIs (kpis.py) and 12345 work orders (hotline.py) each list their handlers in their own
`ROUTES`; this module only puts the tables under the prefix.
The admin API (admin_api.py), the wall's feed (screen_feed.py) and health (health.py) are blueprints of their own.
"""

from __future__ import annotations

from flask import Blueprint

from dashboard.api import cases, cases_batch, hotline, kpis, media, patrols, reference
from dashboard.api.registry import Route, make_blueprint

PREFIX = "/api/v1"
ROUTES: tuple[Route, ...] = (
    *cases.ROUTES,
    *cases_batch.ROUTES,  # POST /cases/batch: many reports from one channel delivery
    *media.API_ROUTES,
    *reference.ROUTES,
    *patrols.ROUTES,
    *kpis.ROUTES,
    *hotline.ROUTES,  # POST /hotline/orders: 12345 work orders
)


def blueprint() -> Blueprint:
    """The /api/v1 blueprint, served from ROUTES (case changes wake the relay through registry.ApiHooks)."""
    return make_blueprint("api", __name__, ROUTES, url_prefix=PREFIX)
