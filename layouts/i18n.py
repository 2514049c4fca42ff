"""Every UI string in one place: Simplified Chinese first, English available (LANG=en).

The strings themselves live in layouts/strings/, one module per view plus the shared ones; this module assembles
them into STRINGS and keeps the lookup every page, callback and test uses (t, bundle, STRINGS, ROLE_LABELS).
The JS pages get their strings from here too: each layout hands `bundle(prefixes)` to its page.
"""

from __future__ import annotations

from collections.abc import Mapping

from dashboard.config import get_settings
from layouts.strings.admin import ADMIN
from layouts.strings.admin_hotline import ADMIN_HOTLINE
from layouts.strings.dispatch import DISPATCH
from layouts.strings.errors import ERRORS
from layouts.strings.leader import LEADER
from layouts.strings.login import LOGIN
from layouts.strings.screen import SCREEN
from layouts.strings.shared import APP, CASES, ROLE_LABELS

__all__ = ["ROLE_LABELS", "STRINGS", "bundle", "t"]


def _assemble(*parts: Mapping[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """One table of the view modules' strings; a key defined in two modules is refused at import.

    In the single dict literal this used to be, a repeated key was a lint error; across modules a later one
    would silently replace the earlier, so the check is made here.
    """
    table: dict[str, dict[str, str]] = {}
    for part in parts:
        twice = table.keys() & part.keys()
        if twice:
            raise ValueError(f"UI string keys defined twice in layouts/strings/: {sorted(twice)}")
        table.update(part)
    return table


STRINGS: dict[str, dict[str, str]] = _assemble(
    APP, LOGIN, SCREEN, CASES, ADMIN, ADMIN_HOTLINE, DISPATCH, LEADER, ERRORS
)


def t(key: str, lang: str | None = None) -> str:
    """The string for `key` in `lang` (default: the configured UI language); the key itself if missing."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    return entry.get(lang or get_settings().lang) or entry["zh"]


def bundle(prefixes: tuple[str, ...], lang: str | None = None) -> dict[str, str]:
    """Strings whose keys start with any of `prefixes`, for handing to the page's JavaScript."""
    return {k: t(k, lang) for k in STRINGS if k.startswith(prefixes)}
