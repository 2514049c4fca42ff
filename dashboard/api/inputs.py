"""Flask side of the validation layer (the rules live in dashboard/services/validate.py).

Installed once on the server, so a route added later is covered without doing anything: bodies are bounded in
size, every `request.get_json()` (ours, Dash's) parses with the nesting limit, and every integer in a URL path
(`/cases/<int:case_id>`) is checked to be a 64-bit id before a view sees it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

from dashboard.services import validate
from dashboard.services.errors import FieldError


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON with a depth-checked, strict-UTF-8 loader (a FieldError is a ValueError: Flask says 400)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return validate.json_document(s)


class AsciiIntegerConverter(IntegerConverter):
    """`<int:…>` of ASCII digits only (werkzeug's `\\d+` also matches '١٢', which int() reads as 12)."""

    regex = r"[0-9]+"


def json_body(*, name: str = "body") -> Any:
    """The request's JSON body, parsed by the one validation layer; FieldError naming `name` otherwise."""
    if not request.is_json:
        raise FieldError(name, "must be a JSON document (Content-Type: application/json)")
    return validate.json_document(request.get_data(cache=True), name=name)


def _check_path_ids() -> None:
    # Runs after authentication (registered after `enforce`): a caller learns about ids only once signed in.
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int):
            validate.ident(value, name)


def install_input_limits(server: Flask) -> None:
    """Body size limit, bounded JSON parsing and 64-bit path ids for every route of `server`.

    Call it before any blueprint is registered: a rule binds its converter when it is added.
    """
    server.url_map.converters["int"] = AsciiIntegerConverter
    server.config["MAX_CONTENT_LENGTH"] = validate.MAX_BODY_BYTES
    server.json = BoundedJSONProvider(server)
    server.before_request(_check_path_ids)
