"""Keep secrets out of logs: display tokens in URLs and bearer tokens are redacted before any handler sees them."""

from __future__ import annotations

import logging
import re

_SECRET = re.compile(r"(token=|Bearer\s+|gct_)[A-Za-z0-9_\-.~%]+")


def redact(text: str) -> str:
    """The text with every token value replaced by ***."""
    return _SECRET.sub(lambda m: m.group(1) + "***", text)


class RedactSecrets(logging.Filter):
    """A filter that rewrites a record's message (access logs print the kiosk URL with its token)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install() -> None:
    """Redact on every handler of the root logger and on Werkzeug's access log."""
    flt = RedactSecrets()
    for handler in logging.getLogger().handlers:
        handler.addFilter(flt)
    logging.getLogger("werkzeug").addFilter(flt)
