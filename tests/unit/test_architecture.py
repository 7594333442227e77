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


def _calls(path: Path, names: set[str]) -> list[str]:
    """The names from ``names`` called in ``path`` (as ``f(…)``, ``module.f(…)`` or under an alias)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {
        a.asname or a.name: a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.module == "reviewkit.services.workflow"
        for a in n.names
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = (
                f.attr
                if isinstance(f, ast.Attribute)
                else aliases.get(f.id)
                if isinstance(f, ast.Name)
                else None
            )
            if isinstance(f, ast.Attribute) and not (
                isinstance(f.value, ast.Name) and f.value.id == "workflow"
            ):
                name = None
            if name in names:
                found.append(name)
    return found


def _sources() -> list[Path]:
    return [p for pkg in ("reviewkit", "flows", "bench") for p in (REPO / pkg).rglob("*.py")]


def test_every_channel_decides_through_the_one_pipeline() -> None:
    """Issue #12: one function records decisions for every channel. The callers of
    ``services.workflow.decide`` are exactly the channels; nothing else writes a ``Decision`` row."""
    callers = {str(p.relative_to(REPO)) for p in _sources() if _calls(p, {"decide"})}
    assert callers == {
        "reviewkit/cli/case.py",  # reviewkit decide (PIN or token)
        "reviewkit/web/actions.py",  # the browser workbench (PIN session)
        "flows/gates.py",  # the Prefect Resume form (one-time approval code)
        "reviewkit/services/demo.py",  # the demo's sample people, on the demo's own case only
    }
    writers = {
        str(p.relative_to(REPO))
        for p in _sources()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Decision"
    }
    assert writers == {"reviewkit/services/workflow.py"}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


def _reviewkit_imports(path: Path, modules: set[str]) -> list[tuple[str, bool]]:
    """The reviewkit modules ``path`` imports, each with whether the import sits inside a function
    (imports for type checkers only are not imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside = {
        id(n)
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        for n in ast.walk(f)
    }
    typing_only = {
        id(n)
        for f in ast.walk(tree)
        if isinstance(f, ast.If) and isinstance(f.test, ast.Name) and f.test.id == "TYPE_CHECKING"
        for n in ast.walk(f)
    }
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        targets: list[str] = []
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.startswith("reviewkit")
        ):
            targets = [
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                for a in node.names
            ]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name.startswith("reviewkit")]
        found += [(t, id(node) in inside) for t in targets if t in modules]
    return found


def _graph() -> dict[str, list[tuple[str, bool]]]:
    paths = {_module_name(p): p for p in (REPO / "reviewkit").rglob("*.py")}
    return {m: _reviewkit_imports(p, set(paths)) for m, p in paths.items()}


def test_no_import_cycle_in_reviewkit() -> None:
    """Issue #12: the package is layered. Imports inside functions count too: they are cycles waiting
    for the first caller."""
    graph = {m: {t for t, _ in deps if t != m} for m, deps in _graph().items()}
    done: set[str] = set()

    def walk(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError("import cycle: " + " → ".join([*path[path.index(module) :], module]))
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            walk(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        walk(module, [])


def test_services_import_each_other_at_the_top() -> None:
    inner = {
        (m, t)
        for m, deps in _graph().items()
        if m.startswith("reviewkit.services")
        for t, in_function in deps
        if in_function and t.startswith("reviewkit.services")
    }
    assert inner == set(), sorted(inner)  # issue #12: services import each other at the top
