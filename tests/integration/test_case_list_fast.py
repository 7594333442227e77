"""``reviewkit case list`` answered without typer (reviewkit/cli/fast.py) prints exactly what the typer
command prints, exits the same way, and fails with the same one-line errors — on both backends, on an
empty store and a fresh home; and it imports neither typer nor pydantic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reviewkit.cli import fast, main
from reviewkit.services import case_rows, queries

KINDS = ["normative_document", "major_decision", "enforcement_review"]
TITLES = [
    '}, {"id": 2, "kind": "x"}',
    'a "quoted" title',
    "back\\slash",
    "line\nbreak\ttab\x01",
    "😀 某县管理办法",
    "某县财政专项资金管理办法",
]


def _seed(n: int = 30) -> None:
    """Case rows as ``start_case`` + decisions leave them (the list reads nothing else)."""
    from sqlalchemy import insert

    from reviewkit.domain.process import load_definition
    from reviewkit.settings import get_settings
    from reviewkit.store.db import get_engine
    from reviewkit.store.migrate import upgrade
    from reviewkit.store.models import Case

    upgrade()
    processes = get_settings().templates_dir / "processes"
    definitions = [load_definition(kind, processes) for kind in KINDS]
    start = datetime(2026, 1, 2, 1, 30, tzinfo=UTC)
    rows = []
    for i in range(1, n + 1):
        d = definitions[i % len(definitions)]
        stage = d.stages[i % len(d.stages)]
        closed = stage.kind == "end"
        rows.append(
            {
                "number": f"RK-2026-{i:04d}",
                "kind": d.kind,
                "process_version": d.version,
                "process_fingerprint": d.fingerprint,
                "process_snapshot": d.source,
                "title": TITLES[i % len(TITLES)],
                "drafting_unit": "预算股",
                "drafter": "drafter1",
                "stage": stage.id,
                "round": 1 + (i % 3 == 0),
                "status": "closed" if closed else "open",
                "flags": [],
                "facts": {},
                "doc_number": f"某财规〔2026〕{i}号" if closed else None,
                "created_at": start + timedelta(minutes=97 * i, microseconds=i * 7919 % 1_000_000 * (i % 2)),
                "updated_at": start + timedelta(minutes=97 * i + 5),
            }
        )
    with get_engine().begin() as conn:
        conn.execute(insert(Case), rows)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    old = sys.argv
    sys.argv = ["reviewkit", *argv]
    try:
        main()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    finally:
        sys.argv = old
    out = capsys.readouterr()
    return code, out.out, out.err


def _both(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """(``main`` as it is, ``main`` with the fast path turned off: typer) for one command line."""
    fast_result = _run(argv, capsys)
    with monkeypatch.context() as m:
        m.setattr(fast, "case_list_args", lambda argv: None)
        typer_result = _run(argv, capsys)
    return fast_result, typer_result


LISTINGS = [
    ["case", "list", "--json"],
    ["case", "list", "--json", "--status", "open"],
    ["case", "list", "--json", "--status=closed"],
    ["case", "list", "--kind", "major_decision", "--json"],
    ["case", "list", "--json", "--status", "open", "--kind", "normative_document", "--limit", "7"],
    ["case", "list", "--json", "--status", "nosuch"],
    ["case", "list"],
    ["case", "list", "--status", "open"],
]
BAD = [
    ["case", "list", "--limit", "0"],
    ["case", "list", "--limit", "x"],
    ["case", "list", "--status"],
    ["case", "list", "--bogus"],
    ["case", "list", "--json", "extra"],
]


def test_the_fast_path_prints_what_typer_prints(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed()
    assert case_rows.lean_rows(None, None, None) is not None, "the lean path fell back to the ORM"
    for argv in LISTINGS:
        assert fast.case_list_args(argv) is not None, argv
        fast_result, typer_result = _both(argv, capsys, monkeypatch)
        assert fast_result == typer_result, argv
        assert fast_result[0] == 0 and fast_result[2] == "", argv
    listed = json.loads(_run(["case", "list", "--json"], capsys)[1])
    assert len(listed) == 30 and {c["title"] for c in listed} == set(TITLES)
    for argv in BAD:
        assert fast.case_list_args(argv) is None, argv  # typer answers both: same usage error, exit 2
        fast_result, typer_result = _both(argv, capsys, monkeypatch)
        assert fast_result == typer_result, argv
        assert fast_result[0] == 2 and fast_result[1] == "" and fast_result[2], argv


def test_json_is_unchanged_from_the_orm_rows_printed_one_by_one(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed()
    for kwargs in ({}, {"status": "open"}, {"kind": "major_decision"}, {"limit": 4}):
        orm = [
            asdict(s) for s in queries.orm_list(kwargs.get("status"), kwargs.get("kind"), kwargs.get("limit"))
        ]  # type: ignore[arg-type]
        assert fast.list_case_rows(**kwargs) == orm, kwargs  # type: ignore[arg-type]
        encoder = json.JSONEncoder(ensure_ascii=False, default=str)
        expected = "[\n" + ",\n".join("  " + encoder.encode(r) for r in orm) + "\n]\n"
        argv = ["case", "list", "--json"] + [f"--{k}={v}" for k, v in kwargs.items()]
        assert _run(argv, capsys) == (0, expected, ""), kwargs


def test_an_empty_store_and_a_fresh_home(
    isolated_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_result, typer_result = _both(["case", "list", "--json"], capsys, monkeypatch)  # no database yet
    assert fast_result == typer_result == (0, "[]\n", "")
    for argv in (["case", "list", "--json"], ["case", "list", "--status", "open"], ["case", "list"]):
        fast_result, typer_result = _both(argv, capsys, monkeypatch)
        assert fast_result == typer_result and fast_result[0] == 0, argv


def test_store_errors_are_the_same_one_line(
    isolated_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    from tests.conftest import _reset_caches

    _reset_caches()
    fast_result, typer_result = _both(["case", "list", "--json"], capsys, monkeypatch)
    assert fast_result == typer_result, (fast_result, typer_result)
    code, out, err = fast_result
    assert code == 1 and out == "" and err.startswith("错误：数据库不可用：") and err.count("\n") == 1, err


def test_the_fast_path_imports_neither_typer_nor_pydantic(isolated_home: Path) -> None:
    _seed(3)
    probe = (
        "import sys\n"
        "from reviewkit.cli import main\n"
        "sys.argv = ['reviewkit', 'case', 'list', '--json', '--status', 'open']\n"
        "main()\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'typer', 'click', 'pydantic', 'pydantic_settings', 'sqlalchemy', 'sqlmodel', 'rich'})\n"
        "sys.stderr.write(repr(heavy))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWKIT_")}
    env["REVIEWKIT_HOME"] = str(isolated_home)
    proc = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) >= 1
    assert proc.stderr == "[]"
