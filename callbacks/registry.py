"""Flat callback tables: every Dash callback is a module-level function, named once in its module's `CALLBACKS`.

Decorating closures inside one long `register(app)` hid each callback in a builder; here what a callback reads
and writes is data, next to the others, and `attach` applies Dash's own `app.callback(outputs, inputs,
state)(fn)` to each row. The functions stay plain: importable and callable without an app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import dash
from dash import Input, Output, State


@dataclass(frozen=True)
class Callback:
    """One server-side callback: its function and its dependencies, in the order of the function's arguments.

    `prevent_initial_call` None leaves it to the app's setting, as Dash does when the argument is not given.
    """

    fn: Callable[..., Any]
    outputs: tuple[Output, ...]
    inputs: tuple[Input, ...]
    state: tuple[State, ...] = ()
    prevent_initial_call: bool | None = None


def attach(app: dash.Dash, callbacks: Iterable[Callback]) -> None:
    """Attach every callback of the table to `app`, in table order."""
    for cb in callbacks:
        app.callback(*cb.outputs, *cb.inputs, *cb.state, prevent_initial_call=cb.prevent_initial_call)(cb.fn)
