"""Issue #11 from the command line: 执法证 registered by an admin, the expiry reminder, a refused
enforcement case with one clear Chinese line, the new kinds in ``process list``."""

from __future__ import annotations

import json
from pathlib import Path

from tests.builders import build_docx, write_roster
from tests.e2e.cli import run

ADMIN = {"REVIEWKIT_PIN": "864213"}


def test_certificates_and_a_refused_enforcement_case(tmp_path: Path) -> None:
    home = tmp_path / "var"
    assert (
        run(home, "user", "add", "admin1", "--name", "管理员", "--role", "admin", "--new-pin", "864213").code
        == 0
    )
    assert (
        run(
            home, "user", "import", str(write_roster(tmp_path / "roster.toml")), "--as", "admin1", env=ADMIN
        ).code
        == 0
    )
    for user, name in (("officer1", "执法员甲"), ("officer2", "执法员乙")):
        r = run(home, "user", "add", user, "--name", name, "--role", "drafter", "--as", "admin1", env=ADMIN)
        assert r.code == 0, r.err
    r = run(
        home,
        "user",
        "cert",
        "officer1",
        "--number",
        "44000120001",
        "--scope",
        "财政监督",
        "--expires",
        "2020-01-01",
        "--as",
        "admin1",
        env=ADMIN,
    )
    assert r.code == 0 and "已登记" in r.out, r.err
    r = run(
        home,
        "user",
        "cert",
        "officer2",
        "--number",
        "44000120002",
        "--scope",
        "财政监督,会计监督",
        "--expires",
        "2099-12-31",
    )
    assert r.code == 1 and len(r.err.strip().splitlines()) == 1 and "--as" in r.err  # admin only
    assert (
        run(
            home,
            "user",
            "cert",
            "officer2",
            "--number",
            "44000120002",
            "--scope",
            "财政监督,会计监督",
            "--expires",
            "2099-12-31",
            "--as",
            "admin1",
            env=ADMIN,
        ).code
        == 0
    )
    rows = json.loads(run(home, "user", "certs", "--expiring", "30", "--json").out)
    assert [(r["username"], r["status"]) for r in rows] == [("officer1", "已过期")]
    assert "44000120002" in run(home, "user", "certs").out

    assert (
        run(home, "user", "set-pin", "drafter1", "--new-pin", "135790", "--as", "admin1", env=ADMIN).code == 0
    )
    draft = build_docx(tmp_path / "decision.docx", title="行政处罚决定书（草稿）")
    r = run(
        home,
        "case",
        "new",
        str(draft),
        "--title",
        "对某公司拟处罚款",
        "--unit",
        "监督检查股",
        "--kind",
        "enforcement_review",
        "--officer",
        "officer1",
        "--officer",
        "officer2",
        "--fact",
        "enforcement_field=财政监督",
        "--as",
        "drafter1",
        "--pin",
        "135790",
    )
    lines = r.err.strip().splitlines()
    assert (
        r.code == 1
        and len(lines) == 1
        and "执法员甲（officer1）的执法证（44000120001）已于2020年1月1日过期" in lines[0]
    )

    listed = run(home, "process", "list").out
    for name in ("行政复议答复", "行政应诉答辩", "依申请公开"):
        assert name in listed
