"""The simulator's arrival model (pure parts)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from feeds.simulator import SOURCE_MIX, arrival_rate_per_real_s, pick_source


def test_hourly_profile_averages_to_the_daily_rate() -> None:
    per_hour = [arrival_rate_per_real_s(2000, 1, h) * 3600 for h in range(24)]
    assert abs(sum(per_hour) - 2000) < 1e-6
    assert per_hour[10] > per_hour[3]  # busier mid-morning than at night


def test_speed_scales_arrivals() -> None:
    assert arrival_rate_per_real_s(2000, 60, 9) == pytest.approx(60 * arrival_rate_per_real_s(2000, 1, 9))


def test_source_mix_follows_weights() -> None:
    rng = random.Random(1)
    counts = Counter(pick_source(rng) for _ in range(20_000))
    for source, weight in SOURCE_MIX:
        assert abs(counts[source] / 20_000 - weight) < 0.02
