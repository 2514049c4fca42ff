"""Callbacks of the big screen (/screen): none on the server; the wall is driven by its JavaScript.

Live data never passes through Dash props (Dash keeps an unbounded undo history of them, DESIGN.md section 11),
so everything that moves on the wall is `assets/screen/`, on the shared live client `assets/shared/live.js`:

- 10-16: pure state (deadline board, alert ticker, wall state, grid pressure, formatting, arrival queue, case
  aggregation at district zoom);
- 20-21, 40-41: the deadline board, the ticker, the charts and panels refreshed from /api/v1/screen/summary;
- 30-32: the patrol layer (painted in `workers/patrols.js`, a Web Worker Dash serves but does not inject),
  street labels and the idle map tour;
- 50-56: the map core, grid layer, case markers, applying snapshots and deltas, the count badges that stand for
  ordinary cases at district zoom (53-clusters), the 1 Hz tick, mounting on the Leaflet map (the functions the
  layout binds as `{"variable": "gridcmd.*"}`, and the panes' stacking) and the live handlers.

The table below is empty on purpose and kept so the view has the same three parts as every other.
"""

from __future__ import annotations

import dash

from callbacks.registry import Callback, attach

CALLBACKS: tuple[Callback, ...] = ()


def register(app: dash.Dash) -> None:
    """Attach the screen's server callbacks (none: see the module's docstring)."""
    attach(app, CALLBACKS)
