"""What the desk and the wall hand their JS: the domain's command table and SLA thresholds, read via services."""

from __future__ import annotations

import json
from typing import Any

from dashboard.domain.actions import command_sources, role_commands

DESK_KEYS = {
    "me",
    "commands",
    "sources",
    "terminal",
    "sla_thresholds",
    "tabs",
    "departments",
    "streets",
    "district",
    "tz",
    "lang",
    "i18n",
}


def _data_config(client: Any, view: str) -> dict[str, Any]:
    """The `data-config` JSON of a view's root, from its Dash layout."""
    resp = client.get(f"/{view}/_dash-layout")
    assert resp.status_code == 200

    def find(node: Any) -> str | None:
        if isinstance(node, dict):
            props = node.get("props") if isinstance(node.get("props"), dict) else {}
            if "data-config" in props:
                return props["data-config"]
            return next((found for value in node.values() if (found := find(value)) is not None), None)
        if isinstance(node, list):
            return next((found for value in node if (found := find(value)) is not None), None)
        return None

    raw = find(resp.get_json())
    assert raw is not None, f"/{view} has no data-config"
    return json.loads(raw)


def test_the_desk_config_keeps_its_shape_and_adds_the_sla_thresholds(client) -> None:  # noqa: ANN001
    config = _data_config(client, "dispatch")
    assert set(config) == DESK_KEYS
    assert config["sources"] == command_sources()
    assert config["commands"] == role_commands("admin")
    assert config["sla_thresholds"] == {"amber": 0.5, "red": 0.1}
    # Reference data read through services/lookups.py, in the order the desk lists it.
    assert config["departments"] and config["streets"] and config["district"]
    assert [(d["tier"], d["code"]) for d in config["departments"]] == sorted(
        (d["tier"], d["code"]) for d in config["departments"]
    )
    assert [s["code"] for s in config["streets"]] == sorted(s["code"] for s in config["streets"])


def test_the_wall_config_carries_the_sla_thresholds(client) -> None:  # noqa: ANN001
    config = _data_config(client, "screen")
    assert config["sla_thresholds"] == {"amber": 0.5, "red": 0.1}
    assert {"loadSteps", "clusterBelowZoom", "summaryPeriodS", "workerUrl"} <= set(config)
