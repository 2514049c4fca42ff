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


def _grid_props(client: Any) -> dict[str, Any]:
    """The queue's AgGrid props (column definitions, grid options) from the desk's Dash layout."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and props.get("id") == "dispatch-queue":
                found.append(props)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(client.get("/dispatch/_dash-layout").get_json())
    assert found, "no queue grid on /dispatch"
    return found[0]


def test_the_queue_shows_the_description_and_the_instructions_beside_supervision(client) -> None:  # noqa: ANN001
    columns = _grid_props(client)["columnDefs"]
    fields = [c.get("field") for c in columns]
    desc = columns[fields.index("description")]
    assert not desc.get("hide") and desc["valueFormatter"] == {"function": "dqDescription(params)"}
    assert desc["tooltipValueGetter"] == {"function": "dqTip(params)"}  # the whole text as the tooltip
    assert fields.index("instruction_count") == fields.index("supervision_count") + 1
    assert columns[fields.index("instruction_count")]["headerName"] == "批示"


def test_the_grid_speaks_chinese_in_its_own_texts(client) -> None:  # noqa: ANN001
    locale = _grid_props(client)["dashGridOptions"]["localeText"]
    assert locale["noMatchingRows"] == "没有符合条件的案件" and locale["noRowsToShow"] == "暂无案件"
    assert all(isinstance(v, str) and "<" not in v and not v.isascii() for v in locale.values()), locale


def test_one_name_per_role_in_every_view(client) -> None:  # noqa: ANN001
    from layouts.i18n import ROLE_LABELS, STRINGS

    for role, label in ROLE_LABELS.items():
        keys = [k for k in STRINGS if k.endswith(f".role.{role}") and not k.startswith("admin.catalog.")]
        assert {"admin.role." + role, "dispatch.role." + role} <= set(keys), role
        assert all(STRINGS[k] == label for k in keys), (role, {k: STRINGS[k] for k in keys})
    assert ROLE_LABELS["dispatcher"]["zh"] == "调度员"
    assert _data_config(client, "dispatch")["i18n"]["dispatch.role.dispatcher"] == "调度员"
