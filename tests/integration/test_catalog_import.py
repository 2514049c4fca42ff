"""Catalog tables (XLSX with merged cells, GBK CSV) imported into SQLite and PostgreSQL, also via the CLI."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import delete, func, select

from dashboard import cli
from dashboard.config import get_settings
from dashboard.services import catalog_import
from dashboard.services.catalog_import import CatalogReadError, import_catalog
from dashboard.store.db import session_scope
from dashboard.store.models import AuditEntry, Case, CatalogItem, Department, Grid
from tests.catalog_workbooks import write_published

HEADER = ["大类代码", "大类名称", "小类代码", "小类名称", "立案条件", "处置时限", "结案条件", "处置单位", "等级"]
# Rows 2–6 of the sheet; None marks a cell inside a merged range.
SHEET_ROWS: list[list[Any]] = [
    [91, "测试大类", 9101, "测试小类甲", "条件一", "2紧急工作时", "结案一", "区城管执法局", None],
    [None, None, None, None, "条件二", "5个工作日", "结案二", "GA", "B"],
    [None, None, 9102, "测试小类乙", "条件三", "尽快", "结案三", "SWJ", None],
    [None, None, None, None, "条件四", "4工作时", "结案四", "NOSUCH", None],
    ["92", "第二大类", "9201", "测试小类丙", "条件五", "15天", "结案五", None, "C"],
]
MERGED = ("A2:A5", "B2:B5", "C2:C3", "D2:D3", "C4:C5", "D4:D5")
EXPECTED = {
    # code: (major, minor, minor name, level, department, kind, amount)
    "910101": ("91", "9101", "测试小类甲", "A", "CGZF", "urgent_hours", 2.0),
    "910102": ("91", "9101", "测试小类甲", "B", "GA", "work_days", 5.0),
    "920101": ("92", "9201", "测试小类丙", "C", None, "natural_days", 15.0),
}
CASE_PREFIX = "TEST-CATIMP-"
_FIELDS = [c.key for c in CatalogItem.__table__.columns]


def write_xlsx(path: Path, rows: list[list[Any]] = SHEET_ROWS, *, notes_sheet_first: bool = False) -> Path:
    """A workbook like a city publishes: 大类/小类 cells merged down their rows."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if notes_sheet_first:
        sheet.title = "说明"
        sheet.append(["本表为测试目录"])
        sheet = workbook.create_sheet("立案标准")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    for cells in MERGED:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def write_csv(path: Path, encoding: str) -> Path:
    """A CSV as Chinese Excel exports it: blank cells below a 大类/小类, codes without leading zeros."""
    lines = [
        "major_code,major_name,minor_code,minor_name,立案条件,处置时限,结案条件,主管部门",
        "93,测试大类三,9301,测试小类丁,条件六,3个工作日,结案六,区水务局",
        ",,,,条件七,即时,结案七,供电公司",
        ',,9302,测试小类戊,"条件八，含逗号",1天,结案八,',
        ",,,,条件九,,结案九,",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def catalog(url: str) -> dict[str, dict[str, Any]]:
    """Every catalog row, by code."""
    with session_scope(url) as session:
        return {i.code: {f: getattr(i, f) for f in _FIELDS} for i in session.scalars(select(CatalogItem))}


@pytest.fixture
def catalog_db_url(db_url: str) -> Iterator[str]:
    """The shared test database, its catalog and departments put back as they were (test cases removed) after."""
    before = catalog(db_url)
    with session_scope(db_url) as session:
        departments = list(session.scalars(select(Department.code)))
    yield db_url
    with session_scope(db_url) as session:
        session.execute(delete(Case).where(Case.code.startswith(CASE_PREFIX)))
        session.execute(delete(CatalogItem).where(CatalogItem.code.not_in(list(before))))
        for row in before.values():
            session.merge(CatalogItem(**row))
        session.flush()
        session.execute(delete(Department).where(Department.code.not_in(departments)))


def file_case_under(url: str, category_code: str) -> None:
    """A case filed under `category_code`, so that condition is in use."""
    now = datetime.now(UTC)
    with session_scope(url) as session:
        grid = session.scalars(select(Grid).limit(1)).one()
        session.add(
            Case(
                code=f"{CASE_PREFIX}{category_code}",
                state="filed",
                source="grid_worker",
                description="目录导入测试",
                lat=grid.center_lat,
                lon=grid.center_lon,
                grid_code=grid.code,
                community_code=grid.community_code,
                street_code=grid.street_code,
                category_code=category_code,
                level="C",
                reported_at=now,
                updated_at=now,
            )
        )


def run_import(url: str, path: Path, **kwargs: Any) -> catalog_import.ImportReport:
    with session_scope(url) as session:
        return import_catalog(session=session, path=path, **kwargs)


def test_xlsx_with_merged_cells_lands_good_rows_and_reports_bad_ones(catalog_db_url: str, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "标准.xlsx")
    report = run_import(catalog_db_url, path)
    assert sorted(report.inserted) == sorted(EXPECTED)
    assert (report.updated, report.unchanged, report.removed) == ([], [], [])
    assert [(b.row_number, b.code, b.reason.split(" ")[0:2]) for b in report.bad] == [
        (4, "910201", ["unknown", "time"]),
        (5, "910202", ["unknown", "department"]),
    ]
    assert "尽快" in report.bad[0].reason and "NOSUCH" in report.bad[1].reason

    stored = catalog(catalog_db_url)
    for code, (major, minor, minor_name, level, department, kind, amount) in EXPECTED.items():
        item = stored[code]
        assert (item["major_code"], item["minor_code"], item["minor_name"]) == (major, minor, minor_name)
        assert (item["level"], item["department_code"]) == (level, department)
        assert (item["limit_kind"], item["limit_amount"]) == (kind, amount)
    assert stored["910101"]["major_name"] == "测试大类" and stored["910101"]["closing_standard"] == "结案一"
    assert not {"910201", "910202"} & set(stored)


def test_reimport_is_idempotent_and_changes_update_in_place(catalog_db_url: str, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "标准.xlsx")
    run_import(catalog_db_url, path)
    first = catalog(catalog_db_url)

    again = run_import(catalog_db_url, path)
    assert (again.inserted, again.updated, sorted(again.unchanged)) == ([], [], sorted(EXPECTED))
    assert len(again.bad) == 2
    assert catalog(catalog_db_url) == first

    rows = [list(r) for r in SHEET_ROWS]
    rows[1][5] = "3个工作日"
    changed = run_import(catalog_db_url, write_xlsx(tmp_path / "v2.xlsx", rows))
    assert (changed.inserted, changed.updated) == ([], ["910102"])
    item = catalog(catalog_db_url)["910102"]
    assert (item["time_limit"], item["limit_kind"], item["limit_amount"]) == ("3个工作日", "work_days", 3.0)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_or_utf8(catalog_db_url: str, tmp_path: Path, encoding: str) -> None:
    report = run_import(catalog_db_url, write_csv(tmp_path / "catalog.csv", encoding))
    assert sorted(report.inserted) == ["930101", "930102", "930201"]
    (bad,) = report.bad
    assert (bad.row_number, bad.code) == (5, "930202")
    assert bad.reason.startswith("missing required field") and "处置时限" in bad.reason
    stored = catalog(catalog_db_url)
    assert (stored["930101"]["department_code"], stored["930101"]["level"]) == ("SWJ", "B")
    assert (stored["930102"]["department_code"], stored["930102"]["limit_kind"]) == ("GDGS", "urgent_hours")
    assert stored["930102"]["level"] == "A"  # 即时 is one urgent hour
    assert stored["930201"]["condition"] == "条件八，含逗号"
    assert (stored["930201"]["minor_code"], stored["930201"]["major_name"]) == ("9302", "测试大类三")


def test_replace_removes_unused_conditions_and_keeps_referenced_ones(catalog_db_url: str, tmp_path: Path) -> None:
    file_case_under(catalog_db_url, "010101")
    path = tmp_path / "replace.csv"
    path.write_text(
        "大类代码,大类名称,小类代码,小类名称,立案条件,处置时限,结案条件\n"
        "01,社会治安,0102,治安隐患,新写法的出租房屋条件,5个工作日,登记完毕\n"
        ",,,,可疑物品（本行时限有误）,马上,处置完毕\n",
        encoding="utf-8",
    )
    before = catalog(catalog_db_url)
    report = run_import(catalog_db_url, path, replace=True)
    assert report.updated == ["010201"]
    assert [(b.row_number, b.code) for b in report.bad] == [(3, "010202")]
    assert "010101" in report.kept
    stored = catalog(catalog_db_url)
    # A bad row's condition is not deleted: the file means to keep it, it just could not be read this time.
    assert stored["010202"] == before["010202"]
    assert set(stored) == {"010201", "010202", *report.kept}
    assert set(report.removed) == set(before) - set(stored)
    with session_scope(catalog_db_url) as session:
        used = set(session.scalars(select(Case.category_code).where(Case.category_code.is_not(None))))
    assert used <= set(stored) and not used & set(report.removed)


def test_replace_with_no_good_rows_removes_nothing(catalog_db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "all-bad.csv"
    path.write_text("大类代码,大类名称,小类代码,小类名称,立案条件,处置时限,结案条件\n01,社会治安,0101,x,y,尽快,z\n")
    before = catalog(catalog_db_url)
    report = run_import(catalog_db_url, path, replace=True)
    assert (report.landed, report.removed, len(report.bad)) == (0, [], 1)
    assert catalog(catalog_db_url) == before


def test_a_row_the_database_refuses_leaves_nothing_and_others_land(
    catalog_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = catalog_import.parse_catalog_data

    def with_a_null(*args: Any, **kwargs: Any) -> catalog_import.ImportReport:
        parsed = real(*args, **kwargs)
        # Stands in for any refusal the row checks cannot foresee; NOT NULL holds on both databases (a dangling
        # department would not do: SQLite connections that ran migrate() keep foreign keys off).
        parsed.good[1] = dataclasses.replace(parsed.good[1], condition=None)
        return parsed

    monkeypatch.setattr(catalog_import, "parse_catalog_data", with_a_null)
    report = run_import(catalog_db_url, write_xlsx(tmp_path / "标准.xlsx"))
    assert sorted(report.inserted) == ["910101", "920101"]
    refused = report.bad[0]
    assert (refused.row_number, refused.code) == (3, "910102")
    assert refused.reason.startswith("database rejected the row 数据库拒绝: ")
    assert "910102" not in catalog(catalog_db_url)


def test_unreadable_files_raise_read_error(catalog_db_url: str, tmp_path: Path) -> None:
    (tmp_path / "no-header.csv").write_text("甲,乙\n1,2\n", encoding="utf-8")
    (tmp_path / "fake.xlsx").write_bytes(b"not a zip")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    for name, fragment in [
        ("missing.csv", "no such file"),
        ("no-header.csv", "no header row"),
        ("fake.xlsx", "not a readable XLSX"),
        ("old.xls", ".xls"),
    ]:
        with pytest.raises(CatalogReadError, match=fragment):
            run_import(catalog_db_url, tmp_path / name)


@pytest.fixture
def cli_db_url(catalog_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL pointing `gridcmd` at the test database (settings cache cleared before and after)."""
    monkeypatch.setenv("DATABASE_URL", catalog_db_url)
    get_settings.cache_clear()
    yield catalog_db_url
    get_settings.cache_clear()


def test_cli_imports_and_summarises(cli_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_xlsx(tmp_path / "标准.xlsx", notes_sheet_first=True)
    assert cli.main(["import-catalog", str(path), "--sheet", "立案标准"]) == 0
    out = capsys.readouterr().out
    assert "新增 imported: 3" in out and "更新 updated: 0" in out and "错误行 bad rows: 2" in out
    assert "第 4 行 row 4: unknown time limit" in out and "第 5 行 row 5: unknown department" in out
    assert {"910101", "910102", "920101"} <= set(catalog(cli_db_url))

    assert cli.main(["import-catalog", str(path), "--sheet", "立案标准"]) == 0
    assert "未变 unchanged: 3" in capsys.readouterr().out


def test_cli_exit_codes(cli_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    all_bad = tmp_path / "all-bad.csv"
    all_bad.write_text("大类代码,大类名称,小类代码,小类名称,立案条件,处置时限,结案条件\n9,x,9,y,z,尽快,w\n")
    assert cli.main(["import-catalog", str(all_bad)]) == 1
    assert "nothing imported" in capsys.readouterr().out

    assert cli.main(["import-catalog", str(tmp_path / "missing.xlsx")]) == 2
    assert "import failed" in capsys.readouterr().err
    assert cli.main(["import-catalog", str(write_xlsx(tmp_path / "t.xlsx")), "--sheet", "无此表"]) == 2
    assert "no sheet named" in capsys.readouterr().err

    with session_scope(cli_db_url) as session:
        assert session.scalar(select(func.count()).select_from(CatalogItem).where(CatalogItem.code.like("9%"))) == 0


# ---- a workbook as cities publish it ------------------------------------------------------------------------

PUBLISHED_CODES = {
    "0102101": ("部件", "0102", None, "市政公用服务中心", "各产权单位"),
    "0102102": ("部件", "0102", None, "市政公用服务中心", "各产权单位"),
    "0199101": ("部件", "0199", "GDGS", None, "各产权单位"),
    "0198101": ("部件", "0198", "SWJ", None, ""),
    "0102201": ("事件", "0102", None, "区环境卫生服务中心", "所属街道"),
    "0403201": ("事件", "0403", "JD", None, ""),
}


def departments(url: str) -> dict[str, str]:
    with session_scope(url) as session:
        return {d.name: d.code for d in session.scalars(select(Department))}


def test_published_workbook_lands_good_rows_of_both_sheets_and_names_bad_ones(
    catalog_db_url: str, tmp_path: Path
) -> None:
    path = write_published(tmp_path / "标准.xlsx")
    report = run_import(catalog_db_url, path, by="test-admin")
    assert sorted(report.inserted) == sorted(PUBLISHED_CODES)
    (bad,) = report.bad
    assert (bad.sheet, bad.row_number, bad.code) == ("事件", 4, "0102202")
    assert bad.where == "事件 第 4 行 row 4" and "尽快" in bad.reason
    assert [(s.name, s.kind, s.good, s.bad, bool(s.skipped)) for s in report.sheets] == [
        ("填表说明", "", 0, 0, True),
        ("部件", "部件", 4, 0, False),
        ("事件", "事件", 2, 1, False),
    ]
    names = [name for _, name in report.new_departments]
    assert names == ["市政公用服务中心", "区环境卫生服务中心"]
    created = departments(catalog_db_url)
    assert [created[n] for n in names] == [code for code, _ in report.new_departments]

    stored = catalog(catalog_db_url)
    for code, (kind, minor, department, new_name, co_handlers) in PUBLISHED_CODES.items():
        item = stored[code]
        assert (item["kind"], item["minor_code"], item["co_handlers"]) == (kind, minor, co_handlers), code
        assert item["department_code"] == (department or created[new_name]), code
    assert stored["0102101"]["supervisor"] == "区城市管理委员会"
    assert stored["0102102"]["supervisor"] == "区城市管理委员会"  # merged down from row 3
    assert stored["0199101"]["condition"] == "损坏\n影响使用"  # a multi-line cell kept as written
    assert stored["0199101"]["minor_name"] == "其他公用设施（本地）"
    assert stored["0102101"]["limit_kind"] == "urgent_hours" and stored["0102101"]["level"] == "A"
    how = {(b.role, b.text): b.how for b in report.bodies}
    assert how[("handler", "区供电公司")] == "normalised" and how[("handler", "属地街道综合执法队")] == "street"
    with session_scope(catalog_db_url) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "admin:catalog_import").order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None and entry.actor == "test-admin" and entry.detail["inserted"] == 6


def test_dry_run_reports_the_same_and_writes_nothing(catalog_db_url: str, tmp_path: Path) -> None:
    path = write_published(tmp_path / "标准.xlsx")
    before, depts = catalog(catalog_db_url), departments(catalog_db_url)
    report = run_import(catalog_db_url, path, dry_run=True, by="test-admin")
    assert sorted(report.inserted) == sorted(PUBLISHED_CODES) and len(report.bad) == 1
    assert len(report.new_departments) == 2
    assert catalog(catalog_db_url) == before and departments(catalog_db_url) == depts


def test_reimport_reuses_the_departments_it_created(catalog_db_url: str, tmp_path: Path) -> None:
    path = write_published(tmp_path / "标准.xlsx")
    run_import(catalog_db_url, path)
    again = run_import(catalog_db_url, path)
    assert again.new_departments == [] and sorted(again.unchanged) == sorted(PUBLISHED_CODES)


def test_cli_dry_run_prints_the_report_and_sheet_picks_one(
    cli_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_published(tmp_path / "标准.xlsx")
    before = catalog(cli_db_url)
    assert cli.main(["import-catalog", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run, nothing written" in out and "新增 imported: 6" in out
    assert "工作表 sheet 填表说明: 跳过 skipped" in out
    assert "工作表 sheet 事件（事件）: 2 行可导入 good, 1 行错误 bad" in out
    assert "事件 第 4 行 row 4: unknown time limit" in out
    assert "市政公用服务中心 → ORG" in out and "[新建部门 new department; 处置 handles]" in out
    assert "区供电公司 → GDGS 供电公司  [规范化名称 normalised name; 处置 handles]" in out
    assert catalog(cli_db_url) == before

    assert cli.main(["import-catalog", str(path), "--sheet", "事件"]) == 0
    out = capsys.readouterr().out
    assert "新增 imported: 2" in out
    assert {"0102201", "0403201"} <= set(catalog(cli_db_url)) and "0102101" not in catalog(cli_db_url)
    assert cli.main(["import-catalog", str(path), "--sheet", "填表说明"]) == 2
    assert "no header row" in capsys.readouterr().err


SAMPLE = Path("/work/shared/data/catalogs/sample-standard.xlsx")


@pytest.mark.skipif(not SAMPLE.is_file(), reason="the shared sample workbook is not on this machine")
def test_the_published_sample_imports_whole(catalog_db_url: str) -> None:
    report = run_import(catalog_db_url, SAMPLE, dry_run=True)
    assert (report.landed, report.bad) == (11, [])
    assert {s.name: s.good for s in report.sheets} == {"部件": 6, "事件": 5}
