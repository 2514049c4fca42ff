"""layouts/i18n.py assembles every view module of layouts/strings/: none is left out and no key is defined twice."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import layouts.strings
from layouts.i18n import STRINGS, _assemble


def _tables() -> dict[str, dict[str, dict[str, str]]]:
    """Every string table (an upper-case dict of zh/en entries) of every module under layouts/strings/."""
    tables = {}
    for info in pkgutil.iter_modules(layouts.strings.__path__):
        module = importlib.import_module(f"layouts.strings.{info.name}")
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, dict) and name != "ROLE_LABELS":
                tables[f"{info.name}.{name}"] = value
    return tables


def test_every_string_module_is_assembled() -> None:
    tables = _tables()
    assert len(tables) >= 8, sorted(tables)  # one per view plus the shared ones
    for where, table in tables.items():
        missing = [k for k in table if STRINGS.get(k) is not table[k]]
        assert not missing, (where, missing[:5])
    # And nothing in STRINGS comes from anywhere else.
    assert sum(len(table) for table in tables.values()) == len(STRINGS)


def test_every_entry_has_chinese_and_english() -> None:
    for key, entry in STRINGS.items():
        assert set(entry) == {"zh", "en"}, key
        assert entry["zh"], key


def test_a_key_in_two_modules_is_refused() -> None:
    with pytest.raises(ValueError, match=r"defined twice.*'x\.y'"):
        _assemble({"x.y": {"zh": "甲", "en": "a"}}, {"x.y": {"zh": "乙", "en": "b"}})
