"""``reviewkit user`` end to end: setup mode creates the first admin, then the roster needs an admin
with a PIN; PINs, tokens, delegations, approval codes; ``decide`` needs a proof of identity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.builders import build_docx, write_roster
from tests.e2e.cli import run

ADMIN_PIN = "864213"


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), err
    return lines[0]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "var"
    r = run(home, "user", "add", "admin1", "--name", "管理员", "--role", "admin", "--new-pin", ADMIN_PIN)
    assert r.code == 0, r.err
    return home


def test_setup_mode_then_admin_only(home: Path, tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "roster.toml")
    r = run(home, "user", "import", str(roster))
    assert r.code == 1 and "请用 --as 指明操作人" in _one_error_line(r.err)
    r = run(home, "user", "import", str(roster), "--as", "admin1", "--pin", "000000")
    assert r.code == 1 and "PIN 不正确" in _one_error_line(r.err)
    r = run(home, "user", "import", str(roster), "--as", "admin1", env={"REVIEWKIT_PIN": ADMIN_PIN})
    assert r.code == 0, r.err
    users = {u["username"]: u for u in json.loads(run(home, "user", "list", "--json").out)}
    assert users["admin1"]["has_pin"] and not users["counsel1"]["has_pin"]
    r = run(home, "user", "set-pin", "counsel1", "--new-pin", "135792", "--as", "admin1", "--pin", ADMIN_PIN)
    assert r.code == 0, r.err
    r = run(home, "user", "disable", "drafter1", "--as", "counsel1", "--pin", "135792")
    assert r.code == 1 and "无权管理人员名册" in _one_error_line(r.err)
    r = run(home, "user", "set-pin", "counsel1", "--new-pin", "975312", "--as", "counsel1", "--pin", "135792")
    assert r.code == 0, r.err  # a person changes their own PIN
    r = run(home, "user", "disable", "gone1", "--as", "admin1", "--pin", ADMIN_PIN)
    assert r.code == 0, r.err
    log = json.loads(
        run(
            home, "audit", "log", "--json", "--action", "permission.", "--as", "admin1", "--pin", ADMIN_PIN
        ).out
    )
    assert [e["actor"] for e in log] == ["counsel1"]
    r = run(home, "user", "add", "x1", "--name", "某", "--role", "pope", "--as", "admin1", "--pin", ADMIN_PIN)
    assert r.code == 1 and "角色未知" in _one_error_line(r.err)


def test_tokens_delegations_and_decide_needs_identity(home: Path, tmp_path: Path) -> None:
    pin = {"REVIEWKIT_PIN": ADMIN_PIN}
    assert (
        run(
            home, "user", "import", str(write_roster(tmp_path / "roster.toml")), "--as", "admin1", env=pin
        ).code
        == 0
    )
    r = run(home, "user", "token", "clerk1", "--label", "备案脚本", "--as", "admin1", env=pin)
    assert r.code == 0, r.err
    token = next(w for w in r.out.split() if w.startswith("rkt_"))
    r = run(home, "audit", "log", "--json", env={"REVIEWKIT_TOKEN": token})
    assert r.code == 0 and json.loads(r.out), r.err
    r = run(home, "audit", "log", "--json", env={"REVIEWKIT_TOKEN": token + "x"})
    assert r.code == 1 and "REVIEWKIT_TOKEN 无效" in _one_error_line(r.err)

    r = run(
        home,
        "user",
        "delegate",
        "counsel1",
        "head1",
        "--until",
        "2099-12-31",
        "--reason",
        "休假",
        "--as",
        "admin1",
        env=pin,
    )
    assert r.code == 0, r.err
    listed = json.loads(run(home, "user", "delegations", "--json").out)
    assert [(d["principal"], d["delegate"], d["roles"]) for d in listed] == [
        ("counsel1", "head1", ["legality_reviewer", "counsel"])
    ]
    assert run(home, "user", "revoke-delegation", str(listed[0]["id"]), "--as", "admin1", env=pin).code == 0
    assert json.loads(run(home, "user", "delegations", "--json").out) == []
    r = run(home, "user", "delegate", "counsel1", "head1", "--until", "31/12", "--as", "admin1", env=pin)
    assert r.code == 1 and "YYYY-MM-DD" in _one_error_line(r.err)

    draft = build_docx(tmp_path / "送审稿.docx")
    r = run(
        home,
        "case",
        "new",
        str(draft),
        "--title",
        "某办法",
        "--unit",
        "预算股",
        "--drafter",
        "drafter1",
        "--json",
    )
    assert r.code == 1 and "需要" in _one_error_line(r.err)  # the drafter too proves who they are
    assert (
        run(home, "user", "set-pin", "drafter1", "--new-pin", "513724", "--as", "admin1", env=pin).code == 0
    )
    created = run(
        home,
        "case",
        "new",
        str(draft),
        "--title",
        "某办法",
        "--unit",
        "预算股",
        "--drafter",
        "drafter1",
        "--json",
        "--pin",
        "513724",
    )
    assert created.code == 0, created.err
    number = json.loads(created.out)["case"]["number"]
    r = run(home, "decide", number, "-d", "提交")
    assert r.code == 1 and "请用 --as" in _one_error_line(r.err)
    r = run(home, "decide", number, "-d", "提交", "--as", "drafter1")
    assert r.code == 1 and "需要" in _one_error_line(r.err)  # no terminal, no PIN: refuse, never hang
    r = run(home, "decide", number, "-d", "提交", "--as", "drafter1", "--pin", "000000")
    assert r.code == 1 and "PIN 不正确" in _one_error_line(r.err)
    r = run(home, "user", "code", number, "--as", "drafter1", "--pin", "513724")
    assert r.code == 0 and "一次性审批码" in r.out, r.err
    r = run(home, "user", "code", number, "--as", "admin1", env=pin)
    assert r.code == 1 and "不能办理该待办" in _one_error_line(r.err)
    r = run(
        home,
        "user",
        "reassign",
        "--to",
        "head1",
        "--case",
        number,
        "--reason",
        "起草人出差",
        "--as",
        "admin1",
        env=pin,
    )
    assert r.code == 0 and "已改派 1 项" in r.out, r.err
