"""`gridcmd import-catalog` and `import-grids`: load a catalog table or an official subdivision, print the report."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from dashboard.cli.common import CliError
from dashboard.config import get_settings


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _cmd_import_catalog(args: argparse.Namespace) -> int:
    import getpass

    from dashboard.services.catalog_import import CatalogReadError, import_catalog
    from dashboard.store.db import session_scope
    from dashboard.store.schema import migrate

    settings = get_settings()
    migrate(settings.database_url)
    try:
        with session_scope(settings.database_url) as session:
            report = import_catalog(
                session=session,
                path=Path(args.file),
                replace=args.replace,
                sheet=args.sheet,
                dry_run=args.dry_run,
                by=f"cli:{getpass.getuser()}",
            )
    except CatalogReadError as exc:
        print(f"导入失败 import failed: {exc}", file=sys.stderr)
        return 2
    print("\n".join(catalog_report_lines(report, args.file, replace=args.replace, dry_run=args.dry_run)))
    if not report.landed:
        print("没有导入任何条目 nothing imported: every row was bad" if report.bad else "没有数据行 no data rows")
        return 1
    return 0


_HOW = {
    "code": "按代码 by code",
    "exact": "名称一致 exact name",
    "street": "属地街道 the case's own street",
    "normalised": "规范化名称 normalised name",
    "new": "新建部门 new department",
    "kept": "仅保留文字 kept as text",
    "ambiguous": "不明确 ambiguous",
    "unknown": "未知代码 unknown code",
}
_ROLE = {"handler": "处置 handles", "co_handler": "协办 co-handles", "supervisor": "监管 supervises"}


def catalog_report_lines(report: Any, file: str, *, replace: bool, dry_run: bool) -> list[str]:
    """The import report as printed: sheets, counts, new departments, how each body matched, bad rows."""
    new_codes = {name: code for code, name in report.new_departments}
    lines = [f"目录导入 catalog import: {file}" + ("  （试运行，未写入 dry run, nothing written）" if dry_run else "")]
    for sheet in report.sheets:
        if not sheet.name:
            continue
        kind = f"（{sheet.kind}）" if sheet.kind else ""
        if sheet.skipped:
            lines.append(f"  工作表 sheet {sheet.name}{kind}: 跳过 skipped, no catalog header row")
        else:
            lines.append(f"  工作表 sheet {sheet.name}{kind}: {sheet.good} 行可导入 good, {sheet.bad} 行错误 bad")
    lines += [
        f"  新增 imported: {len(report.inserted)}",
        f"  更新 updated: {len(report.updated)}",
        f"  未变 unchanged: {len(report.unchanged)}",
    ]
    if replace:
        lines.append(f"  删除 removed: {len(report.removed)}")
        if report.kept:
            # Cases point at these conditions, so deleting them would orphan live cases.
            lines.append(f"  保留（有案件引用）kept, referenced by cases: {', '.join(report.kept)}")
    if report.new_departments:
        lines.append(f"  新建部门 new departments: {len(report.new_departments)}")
        lines += [f"    {code} {name}" for code, name in report.new_departments]
    if report.bodies:
        lines.append("  单位匹配 bodies matched:")
        for body in report.bodies:
            target = f"{body.code} {body.name}" if body.code else new_codes.get(body.text, "—")
            lines.append(f"    {body.text} → {target}  [{_HOW.get(body.how, body.how)}; {_ROLE.get(body.role, '')}]")
    lines.append(f"  错误行 bad rows: {len(report.bad)}")
    lines += [f"    {bad.where}: {bad.reason}" for bad in report.bad]
    return lines


def _cmd_import_grids(args: argparse.Namespace) -> int:
    from dashboard.services.grid_import import import_grids
    from dashboard.services.jurisdiction import read_geojson_file
    from dashboard.store.db import session_scope
    from dashboard.store.schema import migrate

    collection = read_geojson_file(args.file, field="file")
    settings = get_settings()
    migrate(settings.database_url)
    started = time.monotonic()
    with session_scope(settings.database_url) as session:
        report = import_grids(
            session=session,
            collection=collection,
            crs=args.crs,
            dry_run=args.dry_run,
            allow_gaps=args.allow_gaps,
            district_name=args.name,
            source=Path(args.file).name,
            by=f"cli:{_user()}",
        )
    print("\n".join(grid_report_lines(report, args.file, dry_run=args.dry_run)))
    print(f"  用时 took {time.monotonic() - started:.1f} s")
    if report.errors:
        rows = sorted({r for p in report.errors for r in p.rows})
        shown = f" (features {', '.join(map(str, rows[:12]))}{' …' if len(rows) > 12 else ''})" if rows else ""
        raise CliError("FILE", f"{len(report.errors)} problems{shown}, listed above; nothing written")
    if report.written:
        # Other processes compare the grids' version stamp and reload their grid index within GRIDS_REFRESH_S.
        print(
            f"  运行中的服务将在 {settings.grids_refresh_s:.0f} 秒内载入新网格；大屏轮廓需重启 "
            f"(running apps reload the grid index within {settings.grids_refresh_s:.0f} s; "
            "restart gridcmd serve to redraw outlines on open screens)"
        )
    return 0


_GRID_WARNINGS_SHOWN = 50


def grid_report_lines(report: Any, file: str, *, dry_run: bool) -> list[str]:
    """The grid import report as printed: counts per level, generated staff, errors, warnings (capped per kind)."""
    head = f"网格导入 grid import: {file}"
    if dry_run:
        head += "  （试运行，未写入 dry run, nothing written）"
    lines = [
        head,
        f"  区县 county: {report.county_code or '—'} {report.district_name}, 要素 features: {report.features}",
        f"  网格 grids: 新增 new {len(report.inserted)}, 更新 updated {len(report.updated)}, "
        f"未变 unchanged {len(report.unchanged)}, 删除 removed {len(report.removed)}",
    ]
    for label, level in (("街道 streets", report.streets), ("社区 communities", report.communities)):
        lines.append(
            f"  {label}: 新增 new {len(level['new'])}, 更新 updated {len(level['updated'])}, "
            f"删除 removed {len(level['removed'])}"
        )
    if report.removed:
        lines.append(f"    删除的网格 grids removed (no case points at them): {', '.join(report.removed[:20])}")
    if report.written and report.staff_added:
        lines.append(
            f"  生成人员 staff generated: {report.staff_added} (synthetic 3+X teams of new grids and inspectors of "
            "new streets; replace them with the real roster)"
        )
    if report.written and report.departments_added:
        lines.append(f"  新建部门 departments added: {report.departments_added}")
    if report.written and report.catalog_added:
        lines.append(f"  默认目录 default catalog: {report.catalog_added} conditions")
    lines.append(f"  错误 errors: {len(report.errors)}")
    lines += [f"    {p.message}" for p in report.errors]
    lines.append(f"  警告 warnings: {len(report.warnings)}")
    shown: dict[str, int] = {}
    for p in report.warnings:
        shown[p.kind] = shown.get(p.kind, 0) + 1
        if shown[p.kind] <= _GRID_WARNINGS_SHOWN:
            lines.append(f"    {p.message}")
    for kind, count in shown.items():
        if count > _GRID_WARNINGS_SHOWN:
            lines.append(f"    … {kind}: {count - _GRID_WARNINGS_SHOWN} more")
    if report.written:
        lines.append("  已写入 written")
    elif not dry_run:
        lines.append("  未写入 nothing written")
    return lines


def add_import_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`import-catalog` and `import-grids`: load a catalog table or an official subdivision."""
    p = sub.add_parser("import-catalog", help="import a catalog table (立案、处置和结案标准) from CSV or XLSX")
    p.add_argument("file", help="CSV (UTF-8 or GBK) or XLSX file")
    p.add_argument("--replace", action="store_true", help="also remove conditions not in the file (unless in use)")
    p.add_argument("--sheet", default=None, help="XLSX sheet name (default: every sheet laid out as a catalog)")
    p.add_argument("--dry-run", action="store_true", help="print the report without writing anything")
    p.set_defaults(func=_cmd_import_catalog)

    p = sub.add_parser("import-grids", help="import an official grid subdivision (GeoJSON polygons with codes)")
    p.add_argument("file", help="GeoJSON FeatureCollection, one feature per grid with its 15-digit code")
    p.add_argument(
        "--crs", choices=("wgs84", "cgcs2000", "gcj02"), default="wgs84", help="datum of the file (gcj02 is converted)"
    )
    p.add_argument("--dry-run", action="store_true", help="print the report without writing anything")
    p.add_argument("--allow-gaps", action="store_true", help="import despite gaps (enclaves of another county)")
    p.add_argument("--name", default=None, help="district name for a new database (default: kept, or the code)")
    p.set_defaults(func=_cmd_import_grids)
