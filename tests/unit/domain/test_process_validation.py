"""Malformed definitions: every error names the file and the offending key."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import reviewkit.cli.process  # noqa: F401  (attaches the commands)
from reviewkit.cli import app
from reviewkit.domain.process import check_definition, load_definition_file, parse_definition
from reviewkit.errors import ConfigError

GOOD = """kind = "t"
name = "测试"
version = 1
start = "a"
[flags]
f = "标记"
[facts]
x = "事实"
[[stages]]
id = "a"
name = "甲"
roles = ["counsel"]
decisions = [{ label = "通过", target = "b" }, { label = "退回", target = "a", outcome = "revise" }]
[[stages]]
id = "b"
name = "乙"
condition = "f"
roles = ["leader"]
deadline = { days = 5, unit = "working" }
decisions = [{ label = "通过", target = "z" }]
[[stages]]
id = "z"
name = "完"
kind = "end"
"""


def test_good_definition_passes() -> None:
    assert parse_definition(GOOD, "t.toml").stage("b").deadline is not None


BAD = [
    (GOOD.replace('target = "b"', 'target = "nowhere"'), "stages[a].decisions[通过].target"),
    (GOOD.replace('roles = ["leader"]', 'roles = ["wizard"]'), "stages[b].roles"),
    (GOOD.replace('{ label = "通过", target = "b" }, ', ""), "stages[b]：从起始环节无法到达"),
    (
        GOOD.replace('target = "a", outcome', 'target = "c", outcome')
        + '[[stages]]\nid = "c"\nname = "丙"\nroles = ["counsel"]\ndecisions = [{ label = "再看", target = "c" }]\n',
        "stages[c]：死路",
    ),
    (
        GOOD.replace('{ label = "通过", target = "b" }', '{ label = "通过" }'),
        "stages[a].decisions[通过].target",
    ),
    (GOOD.replace("days = 5", "days = 0"), "stages[b].deadline.days"),
    (GOOD.replace('unit = "working"', 'unit = "weeks"'), "stages[b].deadline.unit"),
    (
        GOOD.replace(
            'deadline = { days = 5, unit = "working" }', 'deadline = { days = 5, counted_from = "moonrise" }'
        ),
        "stages[b].deadline.counted_from",
    ),
    (GOOD.replace('condition = "f"', 'condition = "g"'), "stages[b].condition"),
    (GOOD.replace('start = "a"', 'start = "q"'), "start"),
    (
        GOOD.replace('name = "乙"', 'name = "乙"\nrequires = [{ id = "PRE-X", title = "须", fact = "y" }]'),
        "stages[b].requires[0].fact",
    ),
    (
        GOOD.replace('name = "乙"', 'name = "乙"\nrequires = [{ id = "PRE-X", title = "须" }]'),
        "stages[b].requires[0]",
    ),
    (
        GOOD.replace(
            'name = "乙"', 'name = "乙"\napproval = { mode = "n_of_m", signers = ["leader"], n = 3 }'
        ),
        "stages[b].approval.n",
    ),
    (
        GOOD.replace('name = "乙"', 'name = "乙"\napproval = { mode = "all", signers = ["counsel"] }'),
        "stages[b].approval.signers",
    ),
    (GOOD.replace('name = "完"', 'name = "完"\nnext = "a"'), "stages[z].next"),
    (GOOD + '[[stages]]\nid = "a"\nname = "重"\nkind = "end"\n', "stages[a].id"),
    (GOOD.replace('kind = "end"', 'kind = "human"'), "stages[z].roles"),
    (GOOD.replace("version = 1", "version = 0"), "version"),
    (GOOD.replace('start = "a"', 'start = "a"\ncolour = "red"'), "colour"),
    ("kind = ", "TOML"),
]


@pytest.mark.parametrize(("text", "key"), BAD)
def test_bad_definition_names_file_and_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_definition(text, "/defs/mine.toml")
    message = str(info.value)
    assert "/defs/mine.toml" in message and key in message and "\n" not in message


def test_check_lists_every_problem() -> None:
    text = GOOD.replace('roles = ["leader"]', 'roles = ["wizard"]').replace(
        'condition = "f"', 'condition = "g"'
    )
    definition, found = check_definition(text, "x.toml")
    assert definition is not None and len(found) == 2


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="无法读取"):
        load_definition_file(tmp_path / "missing.toml")


runner = CliRunner()


def test_cli_check_ok_and_bad(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(app, ["process", "check", str(good)])
    assert result.exit_code == 0 and "校验通过" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('target = "b"', 'target = "nowhere"'), encoding="utf-8")
    result = runner.invoke(app, ["process", "check", str(bad)])
    assert isinstance(result.exception, ConfigError) and "1 处问题" in str(result.exception)


def test_cli_list_and_show() -> None:
    result = runner.invoke(app, ["process", "list"])
    assert result.exit_code == 0 and "normative_document" in result.output
    result = runner.invoke(app, ["process", "show", "行政规范性文件"])
    assert result.exit_code == 0 and "合法性审核" in result.output and "PRE-DELIB-LEGALITY" in result.output
    result = runner.invoke(app, ["process", "show", "major_decision", "--mermaid"])
    assert result.exit_code == 0 and result.output.startswith("flowchart TD")
