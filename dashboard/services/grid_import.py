"""Import an official grid subdivision (GeoJSON) into the jurisdiction, updating grids in place.

Everything is checked before anything is written (`dashboard.domain.subdivision` for the file, then against
the database): a grid that is missing from the file but has cases pointing at it is refused, not deleted, so
re-importing a changed file never breaks a case. Grids, communities and streets are upserted by code; a grid's
name, kind, population and households come from the file, else stay as they were, else follow the sizing rule
(DESIGN.md section 4). Streets and communities are the code prefixes, their outlines the union of their grids,
their names the file's (street/community properties) or the ones already stored or 第NN街道/第NN社区. A new grid
gets a generated "3+X" team and a new street its inspectors and street departments, as `gridcmd init` makes
them (synthetic people, masked phones: replace them with the real roster). The caller owns the session.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from dashboard.domain import catalog_default, geo
from dashboard.domain.cases import TERMINAL
from dashboard.domain.catalog_default import DepartmentSpec
from dashboard.domain.subdivision import GridFeature, Problem, Subdivision, SubdivisionError, read_subdivision
from dashboard.services import audit
from dashboard.services.errors import FieldError
from dashboard.services.jurisdiction_boundary import short_district_name
from dashboard.services.jurisdiction_rows import (
    GRIDS_VERSION_KEY,
    META_PREFIX,
    SIZE_NOISE,
    catalog_rows,
    community_row,
    department_rows,
    grid_row,
    insert_rows,
    size_rule,
    street_row,
)
from dashboard.services.jurisdiction_staff import grid_team, street_inspectors
from dashboard.store.models import (
    Case,
    CatalogItem,
    Community,
    Department,
    District,
    Grid,
    Meta,
    Staff,
    Street,
    User,
)

IMPORT_META_KEY = META_PREFIX + "grids_import"
_CHUNK = 500


@dataclass
class GridImportReport:
    """What the import found and did (or would do, when nothing was written)."""

    county_code: str | None
    district_name: str
    features: int
    problems: list[Problem] = field(default_factory=list)
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    streets: dict[str, list[str]] = field(default_factory=lambda: {"new": [], "updated": [], "removed": []})
    communities: dict[str, list[str]] = field(default_factory=lambda: {"new": [], "updated": [], "removed": []})
    staff_added: int = 0
    departments_added: int = 0
    catalog_added: int = 0
    cases_outside: list[str] = field(default_factory=list)  # open cases now outside their grid's new outline
    written: bool = False

    @property
    def errors(self) -> list[Problem]:
        """The problems that stopped the import."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems reported and imported anyway."""
        return [p for p in self.problems if p.severity == "warning"]


def _geojson(geom: BaseGeometry) -> str:
    return geo.geojson_text(geom)


def _union(geoms: list[BaseGeometry]) -> BaseGeometry:
    merged = shapely.union_all(geoms)
    if merged.geom_type not in ("Polygon", "MultiPolygon"):
        parts = [p for p in shapely.get_parts(merged) if p.geom_type == "Polygon"]
        merged = shapely.multipolygons(parts) if len(parts) > 1 else parts[0]
    return merged


def _street_kind(name: str, urban_share: float) -> str:
    if name.endswith(("镇", "乡")):
        return "town"
    if name.endswith(("街道", "街道办事处")):
        return "street"
    return "street" if urban_share >= 0.5 else "town"


def _community_kind(name: str | None, old: str | None) -> str:
    if name and name.endswith(("村", "村委会", "村民委员会")):
        return "rural"
    if name and name.endswith(("社区", "居委会", "居民委员会")):
        return "urban"
    return old or "urban"


def _people(grid: GridFeature, kind: str, old: Grid | None) -> tuple[int, int]:
    """Population and households: the file's, else what was stored, else the sizing rule (seeded by code)."""
    people, households = size_rule(kind == "urban")
    per_household = people / households
    population = grid.population
    homes = grid.households
    if population is None and old is not None:
        population = old.population
    if homes is None and old is not None and old.population:
        # A stored household count follows a new population in proportion (people per household kept).
        homes = old.households if population is None else round(old.households * population / old.population)
    if population is None:
        rng = random.Random(f"{grid.code}/population")
        population = round(people * rng.uniform(1.0 - SIZE_NOISE, 1.0 + SIZE_NOISE))
    if homes is None:
        homes = round(population / per_household)
    return population, homes


# Computed from the geometry: equal geometry text means equal values, up to the float noise of the computation.
_DERIVED = frozenset({"area_m2", "center_lat", "center_lon", "min_lon", "min_lat", "max_lon", "max_lat"})


def _same_shape(stored: str, new: str) -> bool:
    if stored == new:
        return True
    # The same outline may come back with another start vertex or ring order (a union is not canonical).
    a, b = shapely.normalize(shapely.from_geojson(stored)), shapely.normalize(shapely.from_geojson(new))
    return bool(shapely.equals_exact(a, b, tolerance=5e-7))


def _fields(grid: Grid | Street | Community, row: Mapping[str, Any]) -> bool:
    """True when `row` differs from the stored object (outlines compared as shapes, to the stored 1e-6°)."""
    for key, value in row.items():
        if key == "code" or key in _DERIVED:
            continue
        if key == "geometry":
            if not _same_shape(grid.geometry, value):
                return True
        elif getattr(grid, key) != value:
            return True
    return False


def _insert(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(model), rows[start : start + _CHUNK])


def _update(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        session.execute(update(model), rows[start : start + _CHUNK])


def _read(collection: Mapping[str, Any], crs: str, allow_gaps: bool) -> tuple[Subdivision, list[Problem]]:
    """The file's grids and problems (gaps only warned of with `allow_gaps`); FieldError for a bad crs or file."""
    if crs not in ("wgs84", "cgcs2000", "gcj02"):
        raise FieldError("crs", f"must be wgs84, cgcs2000 or gcj02, got {crs!r}")
    try:
        sub = read_subdivision(collection, crs=crs)
    except SubdivisionError as exc:
        raise FieldError("file", str(exc)) from None
    problems = list(sub.problems)
    if allow_gaps:
        problems = [Problem("warning", p.kind, p.rows, p.message) if p.kind == "gap" else p for p in problems]
    return sub, problems


def _start_report(
    session: Session, collection: Mapping[str, Any], sub: Subdivision, district_name: str | None
) -> tuple[District | None, GridImportReport]:
    """The stored district (None in a new database) and a report named by the option, the district, the file or code."""
    district = session.scalar(select(District).order_by(District.code).limit(1))
    own_name = collection.get("name") if isinstance(collection.get("name"), str) else None
    name = district_name or (district.name if district else None) or own_name or f"{sub.county_code or ''}区"
    return district, GridImportReport(county_code=sub.county_code, district_name=name, features=sub.features)


def _county_problem(district: District | None, county: str) -> Problem | None:
    """The error when the database already holds another county (one county per database)."""
    if district is None or district.code == county:
        return None
    return Problem(
        "error",
        "county",
        (),
        f"the database holds district {district.code} ({district.name}); these grids are county {county}: "
        "import them into a new database (DATABASE_URL), one county per database",
    )


def _change(old: Grid | Street | Community | None, row: Mapping[str, Any]) -> str:
    """new, updated or unchanged: how `row` compares with what is stored."""
    if old is None:
        return "new"
    return "updated" if _fields(old, row) else "unchanged"


def _community_rows(
    community_grids: dict[str, list[GridFeature]], old_communities: dict[str, Community]
) -> dict[str, dict[str, Any]]:
    """Community rows: the file's name, else the stored one, else 第NN社区/第NN村; outlines the union of grids."""
    rows: dict[str, dict[str, Any]] = {}
    for code, grids in community_grids.items():
        old = old_communities.get(code)
        given = next((g.community_name for g in grids if g.community_name), None)
        kind = _community_kind(given, old.kind if old else None)
        suffix = "社区" if kind == "urban" else "村"
        name = given or (old.name if old else f"第{int(code[9:]):02d}{suffix}")
        rows[code] = community_row(code, code[:9], name, kind, _union([g.geometry for g in grids]))
    return rows


def _street_rows(
    county: str,
    street_communities: dict[str, list[str]],
    community_grids: dict[str, list[GridFeature]],
    community_rows: dict[str, dict[str, Any]],
    old_streets: dict[str, Street],
) -> dict[str, dict[str, Any]]:
    """Street rows: the file's name, else the stored one, else 第NN街道; a kept name keeps its kind."""
    rows: dict[str, dict[str, Any]] = {}
    for code, members in street_communities.items():
        old = old_streets.get(code)
        grids = [g for c in members for g in community_grids[c]]
        given = next((g.street_name for g in grids if g.street_name), None)
        street_name = given or (old.name if old else f"第{int(code[6:]):02d}街道")
        urban = sum(community_rows[c]["kind"] == "urban" for c in members) / len(members)
        kind = _street_kind(street_name, urban) if given or not old else old.kind
        rows[code] = street_row(code, county, street_name, kind, _union([g.geometry for g in grids]))
    return rows


def _parent_rows(
    sub: Subdivision, county: str, old_streets: dict[str, Street], old_communities: dict[str, Community]
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(street rows, community rows) from the code prefixes, each with its grids in file order."""
    community_grids: dict[str, list[GridFeature]] = defaultdict(list)
    street_communities: dict[str, list[str]] = defaultdict(list)
    for grid in sub.grids:
        if grid.community_code not in community_grids:
            street_communities[grid.street_code].append(grid.community_code)
        community_grids[grid.community_code].append(grid)
    community_rows = _community_rows(community_grids, old_communities)
    street_rows = _street_rows(county, street_communities, community_grids, community_rows, old_streets)
    # Synthetic community names follow their street's: 第01街道第03社区.
    for code, row in community_rows.items():
        if code not in old_communities and not any(g.community_name for g in community_grids[code]):
            row["name"] = street_rows[code[:9]]["name"] + row["name"]
    return street_rows, community_rows


def _grid_rows(
    sub: Subdivision,
    community_rows: dict[str, dict[str, Any]],
    old_grids: dict[str, Grid],
    report: GridImportReport,
) -> list[dict[str, Any]]:
    """Grid rows in file order; each grid's code goes to the report as inserted, updated or unchanged."""
    buckets = {"new": report.inserted, "updated": report.updated, "unchanged": report.unchanged}
    rows: list[dict[str, Any]] = []
    for grid in sub.grids:
        old = old_grids.get(grid.code)
        community = community_rows[grid.community_code]
        population, households = _people(grid, community["kind"], old)
        row = grid_row(
            code=grid.code,
            community_code=grid.community_code,
            street_code=grid.street_code,
            name=grid.name or (old.name if old else f"{community['name']}第{int(grid.code[12:])}网格"),
            kind=grid.kind or (old.kind if old else "basic"),
            geometry=grid.geometry,
            population=population,
            households=households,
        )
        rows.append(row)
        buckets[_change(old, row)].append(grid.code)
    return rows


def _sort_changes(
    rows: dict[str, dict[str, Any]], olds: Mapping[str, Street | Community], bucket: dict[str, list[str]]
) -> None:
    """Codes of `rows` into the bucket's new and updated lists (unchanged ones are not listed), then the removed."""
    for code, row in rows.items():
        change = _change(olds.get(code), row)
        if change != "unchanged":
            bucket[change].append(code)
    bucket["removed"] = sorted(set(olds) - set(rows))


def _warn_cases_outside(report: GridImportReport) -> None:
    """A warning naming (the first ten of) the open cases now outside their grid's new outline."""
    if report.cases_outside:
        shown = ", ".join(report.cases_outside[:10]) + (" …" if len(report.cases_outside) > 10 else "")
        report.problems.append(
            Problem(
                "warning",
                "cases_outside",
                (),
                f"{len(report.cases_outside)} open cases now lie outside their grid's new outline; "
                f"they keep their grid: {shown}",
            )
        )


def _record_import(
    session: Session,
    report: GridImportReport,
    *,
    county: str,
    grids: int,
    crs: str,
    source: str,
    by: str,
) -> None:
    """Keep the import's summary and a new grids version in the meta table, and audit it."""
    summary = {
        "features": report.features,
        "grids": grids,
        "inserted": len(report.inserted),
        "updated": len(report.updated),
        "unchanged": len(report.unchanged),
        "removed": len(report.removed),
        "warnings": len(report.warnings),
        "crs": crs,
        "source": source,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _set_meta(session, IMPORT_META_KEY, json.dumps(summary, ensure_ascii=False))
    _set_meta(session, GRIDS_VERSION_KEY, uuid.uuid4().hex)
    audit.record(session=session, actor=by, action="grids:import", target=county, detail=summary)


def import_grids(
    *,
    session: Session,
    collection: Mapping[str, Any],
    crs: str = "wgs84",
    dry_run: bool = False,
    allow_gaps: bool = False,
    district_name: str | None = None,
    source: str = "",
    by: str = "system",
) -> GridImportReport:
    """Check `collection` and, when it has no errors and `dry_run` is false, upsert its grids; returns the report.

    FieldError("file") when the object is not a FeatureCollection of features; FieldError("crs") for a bad crs.
    """
    sub, problems = _read(collection, crs, allow_gaps)
    district, report = _start_report(session, collection, sub, district_name)
    report.problems = problems
    if not sub.grids:
        if not any(p.severity == "error" for p in problems):
            problems.append(Problem("error", "empty", (), "no feature could be read as a grid"))
        return report
    county = sub.county_code
    assert county is not None
    conflict = _county_problem(district, county)
    if conflict is not None:
        problems.append(conflict)
        return report

    by_code = {g.code: g for g in sub.grids}
    old_grids = {g.code: g for g in session.scalars(select(Grid))}
    old_streets = {s.code: s for s in session.scalars(select(Street))}
    old_communities = {c.code: c for c in session.scalars(select(Community))}
    missing = sorted(set(old_grids) - set(by_code))
    _refuse_removals(session, report, missing, old_grids, old_streets, by_code)
    if report.errors:
        return report

    street_rows, community_rows = _parent_rows(sub, county, old_streets, old_communities)
    grid_rows = _grid_rows(sub, community_rows, old_grids, report)
    report.removed = missing
    _sort_changes(street_rows, old_streets, report.streets)
    _sort_changes(community_rows, old_communities, report.communities)
    report.cases_outside = _cases_outside(session, report.updated, by_code)
    _warn_cases_outside(report)
    if dry_run:
        return report

    _write(
        session,
        report,
        county=county,
        district=district,
        grids=sub.grids,
        street_rows=street_rows,
        community_rows=community_rows,
        grid_rows=grid_rows,
        old_streets=old_streets,
    )
    _record_import(session, report, county=county, grids=len(grid_rows), crs=crs, source=source, by=by)
    report.written = True
    return report


def _refuse_removals(
    session: Session,
    report: GridImportReport,
    missing: list[str],
    old_grids: dict[str, Grid],
    old_streets: dict[str, Street],
    by_code: dict[str, GridFeature],
) -> None:
    """Errors for grids missing from the file that cases point at, and emptied streets still in use."""
    if missing:
        counts = dict(
            session.execute(
                select(Case.grid_code, func.count()).where(Case.grid_code.in_(missing)).group_by(Case.grid_code)
            ).all()
        )
        for code in missing:
            if counts.get(code):
                report.problems.append(
                    Problem(
                        "error",
                        "grid_in_use",
                        (),
                        f"grid {code} ({old_grids[code].name}) is not in the file but {counts[code]} cases "
                        "point at it: refused, nothing deleted (keep the grid in the file, or re-grid its cases first)",
                    )
                )
    new_streets = {g.street_code for g in by_code.values()}
    for code in sorted(set(old_streets) - new_streets):
        departments = select(Department.code).where(Department.code.startswith(code))
        users = session.scalar(
            select(func.count()).select_from(User).where(or_(User.scope == code, User.department_code.in_(departments)))
        )
        cases = session.scalar(
            select(func.count())
            .select_from(Case)
            .where(or_(Case.street_code == code, Case.department_code.in_(departments)))
        )
        catalog = session.scalar(
            select(func.count()).select_from(CatalogItem).where(CatalogItem.department_code.in_(departments))
        )
        if users or cases or catalog:
            uses = ", ".join(
                f"{n} {what}" for n, what in ((users, "users"), (cases, "cases"), (catalog, "catalog items")) if n
            )
            report.problems.append(
                Problem(
                    "error",
                    "street_in_use",
                    (),
                    f"street {code} ({old_streets[code].name}) has no grid in the file but {uses} refer to it "
                    "or its departments: refused (keep its grids in the file, or move them first)",
                )
            )


def _cases_outside(session: Session, updated: list[str], by_code: dict[str, GridFeature]) -> list[str]:
    """Open cases of updated grids whose point no longer lies in the grid's new outline."""
    if not updated:
        return []
    open_states = select(Case.code, Case.grid_code, Case.lon, Case.lat).where(
        Case.grid_code.in_(updated), Case.state.not_in([str(s) for s in TERMINAL])
    )
    outside = []
    for code, grid_code, lon, lat in session.execute(open_states.order_by(Case.code)):
        if not shapely.intersects_xy(by_code[grid_code].geometry, lon, lat):
            outside.append(code)
    return outside


def _set_meta(session: Session, key: str, value: str) -> None:
    if session.get(Meta, key) is None:
        session.execute(insert(Meta), [{"key": key, "value": value}])
    else:
        session.execute(update(Meta).where(Meta.key == key).values(value=value))


def _add_departments(session: Session, report: GridImportReport, specs: list[DepartmentSpec]) -> None:
    """Insert the departments of `specs` not yet stored, counting them in the report."""
    existing = set(session.scalars(select(Department.code)))
    added = [d for d in specs if d.code not in existing]
    _insert(session, Department, department_rows(added))
    report.departments_added += len(added)


def _write_district(
    session: Session, report: GridImportReport, county: str, district: District | None, outline: BaseGeometry
) -> None:
    """Create the district with its departments (and the default catalog, if none), or update its outline."""
    if district is not None:
        district.name = report.district_name
        district.geometry = _geojson(outline)
        district.area_m2 = geo.area_m2(outline)
        return
    _insert(
        session,
        District,
        [
            {
                "code": county,
                "name": report.district_name,
                "geometry": _geojson(outline),
                "area_m2": geo.area_m2(outline),
            }
        ],
    )
    _add_departments(session, report, catalog_default.district_departments(short_district_name(report.district_name)))
    if not session.scalar(select(func.count()).select_from(CatalogItem)):
        entries = catalog_default.catalog_entries()
        insert_rows(session, CatalogItem, catalog_rows(entries))
        report.catalog_added = len(entries)


def _upsert_units(
    session: Session,
    report: GridImportReport,
    street_rows: dict[str, dict[str, Any]],
    community_rows: dict[str, dict[str, Any]],
    grid_rows: list[dict[str, Any]],
) -> None:
    """Insert and update streets, then communities, then grids (parents first)."""
    _insert(session, Street, [street_rows[c] for c in report.streets["new"]])
    _update(session, Street, [street_rows[c] for c in report.streets["updated"]])
    _insert(session, Community, [community_rows[c] for c in report.communities["new"]])
    _update(session, Community, [community_rows[c] for c in report.communities["updated"]])
    rows = {r["code"]: r for r in grid_rows}
    _insert(session, Grid, [rows[c] for c in report.inserted])
    _update(session, Grid, [rows[c] for c in report.updated])


def _street_departments(
    session: Session,
    report: GridImportReport,
    new_streets: list[dict[str, Any]],
    street_rows: dict[str, dict[str, Any]],
    old_streets: dict[str, Street],
) -> None:
    """New streets get their departments; renamed streets rename theirs (第01街道综合执法队 → 新名综合执法队)."""
    specs = [d for row in new_streets for d in catalog_default.street_departments(row["code"], row["name"])]
    _add_departments(session, report, specs)
    for code in report.streets["updated"]:
        old_name, new_name = old_streets[code].name, street_rows[code]["name"]
        if old_name != new_name:
            for dept in session.scalars(select(Department).where(Department.code.startswith(code))):
                if dept.name.startswith(old_name):
                    dept.name = new_name + dept.name[len(old_name) :]


def _add_staff(session: Session, report: GridImportReport, new_streets: list[dict[str, Any]]) -> None:
    """A team for every new grid, inspectors for every new street (seeded by code, so re-runs agree)."""
    staff: list[dict[str, Any]] = []
    for code in report.inserted:
        staff.extend(grid_team(code, code[:9], random.Random(f"{code}/team")))
    for row in new_streets:
        staff.extend(street_inspectors(row["code"], random.Random(f"{row['code']}/inspectors")))
    taken = (
        set(session.scalars(select(Staff.code).where(Staff.code.in_([s["code"] for s in staff])))) if staff else set()
    )
    staff = [s for s in staff if s["code"] not in taken]
    _insert(session, Staff, staff)
    report.staff_added = len(staff)


def _delete_removed(session: Session, report: GridImportReport) -> None:
    """Delete removed grids, communities and streets, each after what refers to it (staff, street departments)."""
    removed_streets = report.streets["removed"]
    if report.removed:
        for start in range(0, len(report.removed), _CHUNK):
            chunk = report.removed[start : start + _CHUNK]
            session.execute(delete(Staff).where(Staff.grid_code.in_(chunk)))
            session.execute(delete(Grid).where(Grid.code.in_(chunk)))
    if report.communities["removed"]:
        session.execute(delete(Community).where(Community.code.in_(report.communities["removed"])))
    if removed_streets:
        session.execute(delete(Staff).where(Staff.street_code.in_(removed_streets), Staff.grid_code.is_(None)))
        session.execute(delete(Street).where(Street.code.in_(removed_streets)))
        for code in removed_streets:
            session.execute(delete(Department).where(Department.code.startswith(code), Department.tier == "street"))


def _write(
    session: Session,
    report: GridImportReport,
    *,
    county: str,
    district: District | None,
    grids: list[GridFeature],
    street_rows: dict[str, dict[str, Any]],
    community_rows: dict[str, dict[str, Any]],
    grid_rows: list[dict[str, Any]],
    old_streets: dict[str, Street],
) -> None:
    """Upsert parents first, delete children first, so foreign keys hold at every step."""
    _write_district(session, report, county, district, _union([g.geometry for g in grids]))
    _upsert_units(session, report, street_rows, community_rows, grid_rows)
    new_streets = [street_rows[c] for c in report.streets["new"]]
    _street_departments(session, report, new_streets, street_rows, old_streets)
    _add_staff(session, report, new_streets)
    _delete_removed(session, report)
