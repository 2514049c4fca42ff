"""JSON error responses: every 4xx names the field or cause; nothing unexpected leaks as HTML."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, jsonify
from werkzeug.exceptions import HTTPException

from dashboard.services.errors import Conflict, FieldError, Forbidden, NotFound

log = logging.getLogger(__name__)


def error(status: int, message: str, field: str | None = None):  # noqa: ANN201 - Flask response tuple
    """A JSON error body with an optional `field`."""
    body = {"error": message}
    if field:
        body["field"] = field
    return jsonify(body), status


def install_error_handlers(target: Blueprint | Flask) -> None:
    """Map service errors to 4xx JSON for the API blueprint."""

    @target.errorhandler(FieldError)
    def _field(exc: FieldError):  # noqa: ANN202
        return error(422, exc.message, exc.field)

    @target.errorhandler(NotFound)
    def _missing(exc: NotFound):  # noqa: ANN202
        return error(404, str(exc))

    @target.errorhandler(Forbidden)
    def _forbidden(exc: Forbidden):  # noqa: ANN202
        return error(403, str(exc))

    @target.errorhandler(Conflict)
    def _conflict(exc: Conflict):  # noqa: ANN202
        body = {"error": str(exc), "current": exc.current}
        return jsonify(body), 409

    @target.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # noqa: ANN202
        return error(exc.code or 500, exc.description or exc.name)
