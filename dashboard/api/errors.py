"""JSON error responses: every 4xx names the field or cause; nothing unexpected leaks as HTML."""

from __future__ import annotations

import logging

import redis
from flask import Blueprint, Flask, jsonify
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, TooManyRequests

from dashboard.services.errors import Conflict, FieldError, Forbidden, NotFound, TooLarge

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

    @target.errorhandler(TooLarge)
    def _part_too_large(exc: TooLarge):  # noqa: ANN202
        return error(413, exc.message, exc.field)

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

    @target.errorhandler(redis.RedisError)
    def _redis_down(exc: redis.RedisError):  # noqa: ANN202
        # Only what truly needs the live store gets here (patrol positions, live reads); case intake and
        # commands commit to the database and leave publishing to the outbox relay.
        log.warning("Redis unavailable: %s", type(exc).__name__)
        return error(503, "the live store (Redis) is unavailable; retry shortly", "redis")

    @target.errorhandler(OperationalError)
    def _db_down(exc: DBAPIError):  # noqa: ANN202
        # Lost connection, server restarting, SQLite locked past its busy timeout: nothing was half-written
        # (the transaction rolled back), so the client may safely retry.
        log.warning("database unavailable: %s", type(exc.orig).__name__)
        return error(503, "the database is unavailable; retry shortly", "database")

    @target.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge):  # noqa: ANN202
        return error(413, "the request body is larger than this server accepts (MAX_CONTENT_LENGTH)", "body")

    @target.errorhandler(TooManyRequests)
    def _too_many(exc: TooManyRequests):  # noqa: ANN202
        # The budget is the token's (api/rate_limit.py): the field to change is who is asking, not what.
        response, status = error(429, exc.description or "too many requests", "Authorization")
        retry = getattr(exc, "retry_after", None)
        if retry is not None:
            response.headers["Retry-After"] = str(retry)
        return response, status

    @target.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # noqa: ANN202
        return error(exc.code or 500, exc.description or exc.name)
