"""The Content-Security-Policy of every page allows exactly the inline scripts that page carries, by hash.

No 'unsafe-inline' and no 'unsafe-eval' for scripts: markup that reaches a page (an inline handler, an injected
<script>, a javascript: URL) cannot run. The browser side (every view works under this policy, no violation) is
checked in tests/e2e/test_markup.py.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest

VIEWS = ("/screen/", "/dispatch/", "/admin/", "/admin/audit")
# An executable inline script: no src, and no type or a JavaScript type (the JSON config is data, not a script).
_INLINE = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
_JS_TYPES = ("", "text/javascript", "application/javascript", "module")
_COMMENT = re.compile(r"<!--.*?-->", re.S)  # Dash's `<!--[if IE]><script>` warning is a comment elsewhere


def _script_src(csp: str) -> list[str]:
    directive = next(d.strip() for d in csp.split(";") if d.strip().startswith("script-src "))
    return directive.split()[1:]


def _inline_hashes(page: str) -> set[str]:
    found = set()
    for m in _INLINE.finditer(_COMMENT.sub("", page)):
        attrs = m.group("attrs")
        kind = re.search(r'type="([^"]*)"', attrs)
        if "src=" in attrs or (kind.group(1) if kind else "") not in _JS_TYPES:
            continue
        digest = base64.b64encode(hashlib.sha256(m.group("body").encode("utf-8")).digest()).decode()
        found.add(f"'sha256-{digest}'")
    return found


@pytest.mark.parametrize("path", VIEWS)
def test_a_view_allows_its_own_inline_scripts_by_hash_and_nothing_else(client: Any, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 200
    sources = _script_src(resp.headers["Content-Security-Policy"])
    inline = _inline_hashes(resp.get_data(as_text=True))
    assert inline, "a Dash page boots its renderer from an inline script"
    assert inline <= set(sources), f"inline scripts {inline - set(sources)} are not allowed by {sources}"
    assert set(sources) - inline == {"'self'"}
    assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "blob:"} & set(sources)
    # The same page again gets the same policy (computed once per view, not per request).
    assert client.get(path).headers["Content-Security-Policy"] == resp.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/login", "/api/v1/grids", "/static/shared/text.js", "/nope"])
def test_other_answers_allow_no_inline_script_at_all(anonymous: Any, client: Any, path: str) -> None:
    resp = (anonymous if path == "/login" else client).get(path)
    assert _script_src(resp.headers["Content-Security-Policy"]) == ["'self'"]
    if path == "/login":
        assert not _inline_hashes(resp.get_data(as_text=True)), "the login page has no inline script"
        assert "style=" not in resp.get_data(as_text=True) and "<style" not in resp.get_data(as_text=True)
