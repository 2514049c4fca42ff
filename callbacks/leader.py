"""Callbacks of the leader pass (/leader): none on the server; the view is driven by its JavaScript.

Live data never passes through Dash props (DESIGN.md section 11), so everything on the page is `assets/leader/`:

- 10-model: pure logic (figures and changes as text, the composite index's tone, countdowns, the refetch
  throttle, a command's answer merged into a needs-me row), loaded by the Node tests too;
- 11-charts: pure geometry of the sparklines and the area map (projection, SLA colour of a dot, tap hit test);
- 20-render: the status line, breadcrumb, KPI cards with their trends, rankings of areas and departments and the
  needs-me list, all as text (20-scan.css styles the trends, the map and the case sheet);
- 25-map: the drilled area's map on a canvas (outline from GET /api/v1/leader/outline, dots from the summary);
- 30-act: 督办 and 批示 (POST /api/v1/cases/{id}/supervise|instruct) in a small dialog;
- 35-sheet: the case sheet of a dot tapped on the map (GET /api/v1/cases/{id}) with 督办 and 批示;
- 40-boot: fetching GET /api/v1/leader/summary, the shared live client (a delta in scope refetches, at most
  every 2 s), waking from sleep, and the 1 Hz countdowns.

The table below is empty on purpose and kept so the view has the same three parts as every other.
"""

from __future__ import annotations

import dash

from callbacks.registry import Callback, attach

CALLBACKS: tuple[Callback, ...] = ()


def register(app: dash.Dash) -> None:
    """Attach the leader pass's server callbacks (none: see the module's docstring)."""
    attach(app, CALLBACKS)
