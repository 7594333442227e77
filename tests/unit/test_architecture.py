"""House rules that keep the layering honest (DESIGN.md)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = {"prefect", "sqlmodel", "sqlalchemy", "docx", "rich", "typer"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_and_rules_stay_pure() -> None:
    offenders = {
        str(p.relative_to(REPO)): sorted(_imports(p) & FORBIDDEN)
        for pkg in ("reviewkit/domain", "reviewkit/rules")
        for p in (REPO / pkg).rglob("*.py")
        if _imports(p) & FORBIDDEN
    }
    assert offenders == {}


def test_cli_modules_do_not_import_prefect_at_import_time() -> None:
    for path in (REPO / "reviewkit" / "cli").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        mods = {(n.module or "") if isinstance(n, ast.ImportFrom) else n.names[0].name for n in top_level}
        assert not {m for m in mods if m.startswith(("prefect", "flows"))}, path.name
