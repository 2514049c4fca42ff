"""Errors the services raise; the API turns them into 4xx responses that name the cause."""

from __future__ import annotations


class FieldError(ValueError):
    """A request field is missing or invalid (HTTP 422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(LookupError):
    """The addressed object does not exist (HTTP 404)."""


class Conflict(RuntimeError):
    """Another command changed the case first (HTTP 409); carries the case's current state and version."""

    def __init__(self, message: str, *, current: dict[str, object]) -> None:
        super().__init__(message)
        self.current = current


class Forbidden(PermissionError):
    """The caller's role may not run this command (HTTP 403)."""


class TooLarge(FieldError):
    """A request or one of its parts (a photo) is larger than this server accepts (HTTP 413), naming it."""
