"""Callbacks of the dispatch desk (/dispatch): none on the server; the desk is driven by its JavaScript.

The queue holds hundreds of live rows, so they reach AG Grid through its JS transaction API, never through Dash
props (DESIGN.md section 11). Every action is a same-origin POST to /api/v1/cases/{id}/{command}: the server's
state machine, role and scope checks stay the only authority. The JS is `assets/dispatch/`, one file per concern,
on the shared live client `assets/shared/live.js`, loaded in name order:

- 00-15: state, the page's config (commands per role and state from dashboard/domain/actions.py, SLA
  thresholds), queue ordering and filtering, live-row merge, countdowns, legal actions, key mapping, cell texts;
- 20-22: the queue's rows and grid, the header's counters and the map's fold;
- 30-33: selection, the case panel, category and patrol suggestions, bulk actions;
- 40-48: the dialog frame and one file per command's dialog, the command runner (47), the locate dialog (48);
- 50-52: the map (the functions the layout binds as `{"variable": "gridcmdDesk.*"}`), patrols, the minimap;
- 60, 70, 90: the keyboard, the live wiring, boot.

The table below is empty on purpose and kept so the view has the same three parts as every other.
"""

from __future__ import annotations

import dash

from callbacks.registry import Callback, attach

CALLBACKS: tuple[Callback, ...] = ()


def register(app: dash.Dash) -> None:
    """Attach the desk's server callbacks (none: see the module's docstring)."""
    attach(app, CALLBACKS)
