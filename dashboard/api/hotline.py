"""12345 work orders under /api/v1: `POST /hotline/orders`, one order or a batch {"orders": [...]}.

The 12345 platform authenticates with a bearer token of a `channel` account (admins may post too). An order is
checked by the adapter (feeds/hotline.py parse_order: every field and its limits there) and taken by
services/hotline.py, one transaction per order, committed before the answer:

- one order: 201 created (a new case), 200 repeated (the same order again: its case), 409 changed (the same
  order_id with other content: nothing changed, `field` = order_id, `differs` = the fields), 422 a bad field;
- a batch (at most 100): every order is checked first, and one bad order refuses the whole batch with 422 naming
  it (`orders[3].received_at`), nothing written; otherwise 200 with `results`, one per order in the order sent,
  each with its own `status` (created, repeated, changed).

Each answer carries `case_id`, `case_code`, `category_code` (the case's, None when left for the dispatcher),
`matched_code` and `confidence` (the catalog match, even below the threshold), `located` and `placement`
(coordinates, address:grid|community|street, unlocated).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from dashboard.api.auth import require
from dashboard.api.inputs import json_body
from dashboard.api.rate_limit import rate_limit
from dashboard.api.registry import Route, hooks, runtime
from dashboard.services.hotline import take_order
from feeds.hotline import MAX_BATCH, parse_orders

POSTERS = ("channel", "admin")
STATUS = {"created": 201, "repeated": 200, "changed": 409}


def _cost(body: Any) -> int:
    """Orders in the request, for the per-token rate budget (a batch spends one per order)."""
    if isinstance(body, dict) and isinstance(body.get("orders"), list):
        return max(1, min(len(body["orders"]), MAX_BATCH))
    return 1


def receive_orders() -> tuple[Response, int]:
    """POST /hotline/orders: take one 12345 order or a batch (see the module docstring)."""
    principal = require(*POSTERS)
    body = json_body()
    rate_limit("hotline", principal, cost=_cost(body))
    orders, batch = parse_orders(body)
    rt = runtime()
    taken = [take_order(rt, order, actor=principal.name) for order in orders]
    if any(t.status == "created" for t in taken):
        hooks().after_commit()  # the new cases go live now, not at the relay's next poll
    if not batch:
        return jsonify(taken[0].as_json()), STATUS[taken[0].status]
    counts = {status: sum(t.status == status for t in taken) for status in STATUS}
    return jsonify({"results": [t.as_json() for t in taken], **counts}), 200


ROUTES: tuple[Route, ...] = (Route("/hotline/orders", ("POST",), receive_orders),)
