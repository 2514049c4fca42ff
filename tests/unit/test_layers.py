"""The layer contracts of DESIGN.md sections 3 and 10 hold (import-linter, pyproject.toml), and they bite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("dashboard", "layouts", "callbacks", "feeds")
CONTRACTS = (
    "domain imports no other layer and no framework",
    "store knows no services, live layer or API",
    "layouts, callbacks and feeds reach the database only through services",
    "live knows no views",
    "live runs no service command or business rule (it only publishes)",
    "dashboard never imports dash, layouts or callbacks",
)


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    # The packages are found from `cwd` first (PYTHONPATH): a copy is analysed as the copy, not as the
    # installed project. No cache: nothing is written into the working tree.
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_every_layer_contract_is_kept() -> None:
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    for name in CONTRACTS:
        assert f"{name} KEPT" in out.stdout
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in out.stdout


@pytest.fixture(scope="module")
def copy_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's packages and its contracts, copied where a test may break them."""
    root = tmp_path_factory.mktemp("layers")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


# (module to break, the forbidden import injected, the contract that must name it)
VIOLATIONS = [
    ("dashboard/store/db.py", "import dashboard.services.commands", CONTRACTS[1]),
    ("dashboard/domain/cases.py", "import sqlalchemy", CONTRACTS[0]),
    ("dashboard/domain/codes.py", "from dashboard.store import models", CONTRACTS[0]),
    ("feeds/simulator.py", "from dashboard.store.models import Case", CONTRACTS[2]),
    ("layouts/screen.py", "import dashboard.store.db", CONTRACTS[2]),
    ("dashboard/live/relay.py", "from dashboard.services.commands import supervise_case", CONTRACTS[4]),
    ("dashboard/live/keys.py", "import layouts.i18n", CONTRACTS[3]),
    ("dashboard/api/errors.py", "import dash", CONTRACTS[5]),
]


@pytest.mark.parametrize(("module", "line", "contract"), VIOLATIONS, ids=[v[0] for v in VIOLATIONS])
def test_a_forbidden_import_breaks_its_contract(copy_root: Path, module: str, line: str, contract: str) -> None:
    path = copy_root / module
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + f"\n{line}  # injected by the test\n", encoding="utf-8")
        out = _lint(copy_root)
    finally:
        path.write_text(original, encoding="utf-8")
    assert out.returncode != 0, out.stdout
    assert f"{contract} BROKEN" in out.stdout, out.stdout
    importer = module.removesuffix(".py").replace("/", ".")
    assert f"{importer} ->" in out.stdout, out.stdout  # the report names the offending import
