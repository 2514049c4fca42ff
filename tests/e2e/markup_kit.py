"""Shared by the markup tests (tests/e2e/test_markup*.py): the markup planted, the scripts that watch a page for it
working (dialogs, injected elements and handlers, CSP violations) and a page wrapper asserting none did. The
`watched` fixture that opens such pages is in tests/e2e/conftest.py. Not a test file itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.e2e.server import ROOT, LiveApp

SHOTS = ROOT / "test-results"
VIEWPORT = {"width": 1920, "height": 1080}

IMG = "<img src=x onerror=alert(1)>"
IFRAME = "<iframe onload=alert(1)>"
SVG = '"><svg onload=alert(1)>'
JS_URL = "javascript:alert(1)"
PAYLOADS = (IMG, IFRAME, SVG)

# Listens before any page script runs (Playwright's init scripts are exempt from the page's CSP).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " @" + e.sourceFile + ":" + e.lineNumber);
});
"""
# What markup would have left in the DOM had it been parsed: elements, handlers, script URLs.
INJECTED = """
() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    if (["iframe", "frame", "object", "embed"].includes(tag)) found.push(tag);
    if (tag === "img" && /(^|\\/)x$/.test(el.getAttribute("src") || "")) found.push("img src=x");
    for (const a of el.attributes) {
      if (a.name.startsWith("on")) found.push(tag + "[" + a.name + "]");
      if (["href", "src", "xlink:href", "action", "formaction"].includes(a.name)
          && /^\\s*(javascript|vbscript|data:text)/i.test(a.value.replace(/[\\t\\n\\r]/g, ""))) {
        found.push(tag + "[" + a.name + "=" + a.value + "]");
      }
    }
  }
  return found;
}
"""


@dataclass
class Watched:
    """A page with everything that would show markup at work recorded."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def assert_inert(self, where: str) -> None:
        """No dialog, no injected element or handler, no CSP violation, no page error."""
        injected = self.page.evaluate(INJECTED)
        violations = self.page.evaluate("window.__csp")
        assert not self.dialogs, f"{where}: a dialog fired: {self.dialogs}"
        assert not injected, f"{where}: markup became DOM: {injected}"
        assert not violations, f"{where}: CSP violations: {violations}"
        assert not [c for c in self.console if "Content Security Policy" in c], f"{where}: {self.console}"
        assert not self.errors, f"{where}: page errors: {self.errors}"


def open_watched(browser: Any, contexts: list[Any]) -> Watched:
    """A fresh context (kept in `contexts` for closing) whose page records dialogs, console, errors and CSP."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.add_init_script(WATCH_CSP)
    contexts.append(context)
    w = Watched(page=context.new_page())

    def on_dialog(dialog: Any) -> None:
        w.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    w.page.on("dialog", on_dialog)
    w.page.on("pageerror", lambda exc: w.errors.append(str(exc)))
    w.page.on("console", lambda msg: w.console.append(f"{msg.type}: {msg.text}"))
    return w


def shot(page: Any, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"markup-{name}.png"
    page.screenshot(path=str(path))
    return path


def text_of(page: Any, selector: str) -> str:
    return page.eval_on_selector(selector, "el => el.textContent")


def api(live: LiveApp, method: str, path: str, token: str | None = None, **body: Any) -> requests.Response:
    """A JSON request with a bearer token (the admin's by default)."""
    headers = {"Authorization": f"Bearer {token or live.tokens['admin']}"}
    return requests.request(method, f"{live.base_url}{path}", json=body or None, headers=headers, timeout=15)


def run_command(live: LiveApp, token: str, case_id: int, command: str, **fields: Any) -> dict[str, Any]:
    """Run `command` on the case at its current version with `token`; the case row it answers."""
    version = api(live, "GET", f"/api/v1/cases/{case_id}").json()["version"]
    resp = api(live, "POST", f"/api/v1/cases/{case_id}/{command}", token, expected_version=version, **fields)
    assert resp.status_code == 200, f"{command}: {resp.status_code} {resp.text}"
    return resp.json()


def wait_text(page: Any, selector: str, needle: str, timeout: int = 10_000) -> None:
    """Wait until the element at `selector` holds `needle` in its text."""
    page.wait_for_function(
        "([sel, s]) => { const e = document.querySelector(sel); return !!e && e.textContent.includes(s); }",
        arg=[selector, needle],
        timeout=timeout,
    )
