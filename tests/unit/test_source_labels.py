"""Every report source has a Chinese label on the Chinese wall (the donut's legend reads them: no bare "Open311")."""

from __future__ import annotations

import re

import pytest

from dashboard.domain.cases import Source
from layouts.i18n import STRINGS

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("source", list(Source))
def test_each_source_is_named_in_chinese(source: Source) -> None:
    label = STRINGS[f"source.{source.value}"]
    assert CJK.search(label["zh"]), label
    assert label["en"]
