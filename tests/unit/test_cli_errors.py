"""Every `gridcmd` command answers bad input with one line on stderr naming the argument, and exit status 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard import cli
from dashboard.config import get_settings


@pytest.fixture(autouse=True)
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A scratch directory holding the database (only the few commands that need one touch it) and bad files."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "not.json").write_text("this is not json", encoding="utf-8")
    (tmp_path / "point.geojson").write_text(json.dumps({"type": "Point", "coordinates": [116.7, 39.8]}))
    ring = [[116.6, 39.8], [116.7, 39.8], [116.7, 39.9], [116.6, 39.8]]
    no_code = {
        "type": "Feature",
        "properties": {"name": "某区"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    (tmp_path / "no-code.geojson").write_text(json.dumps(no_code, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "empty.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


DEMO = str(Path(cli.DEMO_BOUNDARY))

# (argv, what the line must name)
BAD_INPUT = [
    (["init", "--grids", "0"], "--grids"),
    (["init", "--grids", "-5"], "--grids"),
    (["init", "--grids", "many"], "--grids"),
    (["init", "--grids", "1000000000"], "--grids"),  # more than 999 × 999 × 999 codes
    (["init", "--grids", "500000"], "--grids"),  # more than Tongzhou's 905 km² can hold
    (["init", "--boundary", "missing.geojson"], "--boundary"),
    (["init", "--boundary", "not.json"], "--boundary"),
    (["init", "--boundary", "point.geojson"], "--boundary"),
    (["init", "--boundary", "no-code.geojson", "--grids", "20"], "--county"),
    (["init", "--boundary", "."], "--boundary"),
    (["init", "--county", "11011"], "--county"),
    (["init", "--streets", "0"], "--streets"),
    (["init", "--grids", "200", "--streets", "300"], "--streets"),
    (["init", "--streets", "10", "--communities", "5"], "--communities"),
    (["init", "--crs", "bd09"], "--crs"),
    (["init", "--seed", "x"], "--seed"),
    (["init-if-empty", "--grids", "0"], "--grids"),
    (["init-if-empty", "--boundary", "missing.geojson"], "--boundary"),
    (["import-grids", "missing.geojson"], "FILE"),
    (["import-grids", "not.json"], "FILE"),
    (["import-grids", "point.geojson"], "FILE"),
    (["import-grids", "empty.geojson"], "FILE"),
    (["import-grids", "empty.geojson", "--crs", "bd09"], "--crs"),
    (["import-catalog", "missing.xlsx"], "missing.xlsx"),
    (["holidays", "import", "missing.txt"], "missing.txt"),
    (["holidays", "show", "next"], "year"),
    (["serve", "--port", "0"], "--port"),
    (["serve", "--port", "http"], "--port"),
    (["simulate", "--per-day", "0"], "--per-day"),
    (["simulate", "--speed", "-1"], "--speed"),
    (["simulate", "--patrols", "-1"], "--patrols"),
    (["simulate", "--self-handled", "1.5"], "--self-handled"),
    (["simulate", "--duration", "soon"], "--duration"),
    (["create-user", "bob"], "--role"),
    (["create-user", "bob", "--role", "boss"], "--role"),
    (["create-user", "b o b", "--role", "admin"], "NAME"),
    (["create-user", "bob", "--role", "admin", "--scope", "12"], "--scope"),
    (["create-token", "nobody"], "NAME"),
    (["deadline", "soon", "2026-12-02T09:00"], "LIMIT"),
    (["deadline", "3个工作日", "tomorrow"], "START"),
    (["deadline"], "limit"),
    (["frobnicate"], "command"),
    ([], "command"),
]


@pytest.mark.parametrize(("argv", "argument"), BAD_INPUT, ids=[" ".join(a) or "(none)" for a, _ in BAD_INPUT])
def test_bad_input_is_one_line_naming_the_argument(
    argv: list[str], argument: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(argv)
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert argument in lines[0]
    assert "Traceback" not in err


def test_bad_input_leaves_no_database_behind(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["init", "--boundary", DEMO, "--grids", "0"]) == 2
    assert cli.main(["init", "--boundary", "no-code.geojson"]) == 2
    assert not (scratch / "cli.db").exists()


def test_an_unexpected_failure_is_one_line_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none?connect_timeout=2")  # refused
    get_settings.cache_clear()
    status = cli.main(["create-token", "someone"])
    err = capsys.readouterr().err
    assert status == 1 and len(err.splitlines()) == 1 and "--debug" in err
