"""The admin view's imports through its Dash callbacks: catalog upload → report → confirm; notice → read → save."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from dashboard.services.clock import utcnow
from dashboard.services.errors import FieldError
from dashboard.store.models import CatalogItem, Department, HolidayDay, HolidayYear
from layouts import admin as admin_ui
from layouts import admin_imports as ui
from tests.catalog_workbooks import write_published
from tests.holiday_notices import NOTICE_2027
from tests.integration.test_admin import _dash_call

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@pytest.fixture
def clean(grid_app: Any) -> Iterator[None]:
    """Catalog, departments and holiday schedules as they were before the test."""
    with grid_app.runtime.session() as session:
        codes = list(session.scalars(select(CatalogItem.code)))
        depts = list(session.scalars(select(Department.code)))
        session.execute(delete(HolidayDay))
        session.execute(delete(HolidayYear))
    yield
    with grid_app.runtime.session() as session:
        session.execute(delete(CatalogItem).where(CatalogItem.code.not_in(codes)))
        session.flush()
        session.execute(delete(Department).where(Department.code.not_in(depts)))
        session.execute(delete(HolidayDay))
        session.execute(delete(HolidayYear))


def test_catalog_upload_previews_then_confirm_imports(client: Any, grid_app: Any, clean: None, tmp_path: Path) -> None:
    layout = _text(client.get("/admin/_dash-layout").get_json())
    assert "目录导入" in layout and "节假日安排" in layout
    data = write_published(tmp_path / "标准.xlsx").read_bytes()
    contents = f"data:{XLSX};base64,{base64.b64encode(data).decode()}"
    values = {
        f"{ui.CATALOG_UPLOAD}.contents": contents,
        f"{ui.CATALOG_UPLOAD}.filename": "标准.xlsx",
        f"{ui.CATALOG_REPLACE}.value": [],
    }
    preview = _dash_call(client, f"{ui.CATALOG_UPLOAD}.contents", values)
    report = _text(preview[ui.CATALOG_REPORT]["children"])
    assert "预览（尚未写入）：标准.xlsx" in report
    assert "事件（事件）：可导入 2 行，错误 1 行" in report and "填表说明：不是目录表，已跳过" in report
    assert "尽快" in report and "市政公用服务中心" in report and "去前缀/括号后一致" in report
    assert preview[ui.CATALOG_CONFIRM]["disabled"] is False
    with grid_app.runtime.session() as session:
        assert session.get(CatalogItem, "0102101") is None  # a preview writes nothing

    done = _dash_call(client, f"{ui.CATALOG_CONFIRM}.n_clicks", {**values, f"{ui.CATALOG_CONFIRM}.n_clicks": 1})
    assert "已导入 标准.xlsx：新增 6" in _text(done[ui.CATALOG_MSG]["children"])
    assert done[ui.CATALOG_UPLOAD]["contents"] is None and done[ui.CATALOG_CONFIRM]["disabled"] is True
    with grid_app.runtime.session() as session:
        item = session.get(CatalogItem, "0102201")
        assert item is not None and (item.kind, item.co_handlers) == ("事件", "所属街道")

    refused = _dash_call(client, f"{ui.CATALOG_UPLOAD}.contents", {**values, f"{ui.CATALOG_UPLOAD}.contents": "x"})
    assert "文件" in _text(refused[ui.CATALOG_MSG]["children"]) and refused[ui.CATALOG_CONFIRM]["disabled"] is True


def test_notice_is_read_then_saved_and_the_banner_goes(client: Any, grid_app: Any, clean: None) -> None:
    now = utcnow()
    if (now.year, now.month) in ((2026, 11), (2026, 12)):
        layout = _text(client.get("/admin/_dash-layout").get_json())
        assert "2027 年法定节假日安排尚未录入" in layout

    bad = _dash_call(
        client,
        f"{ui.HOLIDAYS_READ}.n_clicks",
        {
            f"{ui.HOLIDAYS_READ}.n_clicks": 1,
            f"{ui.HOLIDAYS_PASTE}.value": NOTICE_2027.replace("（周三）放假，共1天", "（周四）放假，共1天", 1),
        },
    )
    bad_msg = _text(bad[ui.HOLIDAYS_MSG]["children"])
    assert "第 9 行" in bad_msg and "line 9" not in bad_msg and bad[ui.HOLIDAYS_SAVE]["disabled"]

    read = _dash_call(
        client,
        f"{ui.HOLIDAYS_READ}.n_clicks",
        {f"{ui.HOLIDAYS_READ}.n_clicks": 1, f"{ui.HOLIDAYS_PASTE}.value": NOTICE_2027},
    )
    preview = _text(read[ui.HOLIDAYS_PREVIEW]["children"])
    assert "2027 年安排（读取结果，尚未保存）" in preview and "2027-02-05（周五）" in preview and "调休上班" in preview
    assert read[ui.HOLIDAYS_SAVE]["disabled"] is False and read[ui.HOLIDAYS_READ_TEXT]["data"] == NOTICE_2027
    edited = _dash_call(
        client,
        f"{ui.HOLIDAYS_PASTE}.value",
        {f"{ui.HOLIDAYS_PASTE}.value": NOTICE_2027 + "x", f"{ui.HOLIDAYS_READ_TEXT}.data": NOTICE_2027},
    )
    assert edited[ui.HOLIDAYS_SAVE]["disabled"] is True  # Save is for exactly what was read

    saved = _dash_call(
        client,
        f"{ui.HOLIDAYS_SAVE_CONFIRM}.submit_n_clicks",
        {
            f"{ui.HOLIDAYS_SAVE_CONFIRM}.submit_n_clicks": 1,
            f"{ui.HOLIDAYS_READ_TEXT}.data": NOTICE_2027,
            f"{ui.HOLIDAYS_VERSION}.data": 0,
        },
    )
    assert "已保存 2027 年安排" in _text(saved[ui.HOLIDAYS_MSG]["children"])
    assert not any("2027" in _text(b) for b in saved[admin_ui.BANNER]["children"])
    assert saved[ui.HOLIDAYS_VERSION]["data"] == 1 and saved[ui.HOLIDAYS_YEAR]["value"] == 2027
    assert not grid_app.runtime.calendar.is_workday(date(2027, 1, 1))

    shown = _dash_call(
        client, f"{ui.HOLIDAYS_YEAR}.value", {f"{ui.HOLIDAYS_YEAR}.value": 2027, f"{ui.HOLIDAYS_VERSION}.data": 1}
    )
    assert "管理员录入" in _text(shown[ui.HOLIDAYS_YEAR_VIEW]["children"])


def test_pure_helpers() -> None:
    assert ui.tab_of("/admin/catalog/") == "catalog" and ui.tab_of("/admin/holidays") == "holidays"
    assert ui.tab_of("/admin/") is None and ui.tab_of(None) is None
    assert ui.decode_upload("data:text/csv;base64," + base64.b64encode("甲,乙".encode()).decode()) == "甲,乙".encode()
    for bad in (None, "plain text", "data:text/csv;base64,@@@"):
        with pytest.raises(FieldError):
            ui.decode_upload(bad)
    assert ui.default_year(date(2026, 12, 2)) == 2027 and ui.default_year(date(2027, 3, 1)) == 2027
    assert ui.short("第一行\n第二行").children == "第一行 ⏎ 第二行"
    assert ui.short("长" * 100, 10).children == "长" * 9 + "…"
    assert ui.calendar_banners([]) == [] and "2027 年" in ui.calendar_banners([2027])[0].children[1].children
