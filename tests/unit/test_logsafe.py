"""Tokens never reach the logs."""

from __future__ import annotations

import logging

from dashboard.logsafe import RedactSecrets, redact


def test_redact_kiosk_url_and_bearer() -> None:
    line = '127.0.0.1 - - "GET /screen?token=gct_AbC-12_x HTTP/1.1" 302 Authorization: Bearer gct_secret'
    out = redact(line)
    assert "AbC-12_x" not in out and "gct_secret" not in out
    assert "token=***" in out


def test_filter_rewrites_records(caplog) -> None:  # noqa: ANN001
    logger = logging.getLogger("test.logsafe")
    logger.addFilter(RedactSecrets())
    with caplog.at_level(logging.INFO, logger="test.logsafe"):
        logger.info('"%s %s"', "GET", "/screen?token=gct_TOPSECRET")
    assert "TOPSECRET" not in caplog.text and "token=***" in caplog.text
