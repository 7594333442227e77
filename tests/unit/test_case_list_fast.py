"""``case list`` without typer (reviewkit/cli/fast.py): which command lines it takes, and the JSON
layout ``print_json_rows`` prints in one encoder call. The same output as typer's command, over a
store, is checked in tests/integration/test_case_list_fast.py."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from reviewkit.cli.fast import case_list_args
from reviewkit.cli.views import print_json_rows

DEFAULTS = {"status": None, "kind": None, "limit": None, "as_json": False}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], {}),
        (["--json"], {"as_json": True}),
        (["--status", "open", "--json"], {"status": "open", "as_json": True}),
        (
            ["--json", "--kind", "major_decision", "--limit", "20"],
            {"kind": "major_decision", "limit": 20, "as_json": True},
        ),
        (["--status=closed", "--kind=正式", "--limit=7"], {"status": "closed", "kind": "正式", "limit": 7}),
        (["--status", ""], {"status": ""}),
        (["--kind", "a=b"], {"kind": "a=b"}),
    ],
)
def test_plain_options_take_the_fast_path(args: list[str], expected: dict[str, Any]) -> None:
    assert case_list_args(["case", "list", *args]) == {**DEFAULTS, **expected}


@pytest.mark.parametrize(
    "argv",
    [
        ["case", "show", "1"],
        ["case"],
        ["list"],
        ["--help"],
        ["case", "list", "--help"],
        ["case", "list", "--limit", "0"],
        ["case", "list", "--limit", "-3"],
        ["case", "list", "--limit", "x"],
        ["case", "list", "--limit", "007"],
        ["case", "list", "--limit", "+5"],
        ["case", "list", "--limit", "1_000"],
        ["case", "list", "--limit", "５"],
        ["case", "list", "--limit", " 5"],
        ["case", "list", "--limit", "1" * 19],
        ["case", "list", "--limit="],
        ["case", "list", "--status"],
        ["case", "list", "--status", "--json"],
        ["case", "list", "--status", "open", "--status", "closed"],
        ["case", "list", "--json", "--json"],
        ["case", "list", "--json=1"],
        ["case", "list", "--bogus"],
        ["case", "list", "--stat", "open"],
        ["case", "list", "extra"],
        ["case", "list", "--", "--json"],
        ["case", "list", "-h"],
    ],
)
def test_everything_else_is_left_to_typer(argv: list[str]) -> None:
    assert case_list_args(argv) is None


def test_shell_completion_is_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_REVIEWKIT_COMPLETE", "bash_complete")
    assert case_list_args(["case", "list", "--json"]) is None


def _per_row(rows: list[Any]) -> str:
    """The layout as it was printed row by row before (one encoder call per row)."""
    encoder = json.JSONEncoder(ensure_ascii=False, default=str)
    items = [encoder.encode(dict(vars(r)) if hasattr(r, "__dataclass_fields__") else r) for r in rows]
    return "[\n" + ",\n".join("  " + item for item in items) + "\n]\n" if items else "[]\n"


@dataclass(frozen=True)
class Row:
    id: int
    title: str
    doc_number: str | None


TRICKY = [
    '}, {"id": 2, "x": "y"}',
    'a "quoted" title',
    "back\\slash",
    "line\nbreak\ttab\x01\x7f",
    "😀 某县",
    "}, {",
    '"}, {"',
    "\\",
    "]",
    "",
]


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [{"id": 1}],
        [
            {"id": i, "title": t, "doc_number": None if i % 2 else f"某财规〔2025〕{i}号", "round": 1.5}
            for i, t in enumerate(TRICKY)
        ],
        [Row(i, t, None) for i, t in enumerate(TRICKY)],
        [{"id": 1, "nested": [{"a": 1}, {"b": '}, {"'}]}, {"id": 2}],  # an object inside a row: per row
        [{}, {}, {"x": [{"a": 1}, {"b": 2}]}],  # empty objects: per row
        [{"id": 1}, Row(2, "t", None), {"id": 3}],
        [{"id": 1, "when": __import__("datetime").date(2026, 11, 28)}],  # default=str
    ],
)
def test_one_encoder_call_prints_what_one_call_per_row_printed(
    rows: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    print_json_rows(rows)
    out = capsys.readouterr().out
    assert out == _per_row(rows)
    assert json.loads(out) == json.loads(_per_row(rows))
