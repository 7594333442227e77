"""``reviewkit audit`` end to end: verify (exit 0 / exit 1 naming the broken event), log, export as
JSON lines (hashes re-computable by anyone) and as the 全过程记录 docx."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from docx import Document

from tests.builders import build_docx, write_roster
from tests.e2e.cli import run

PIN = {"REVIEWKIT_PIN": "864213"}


@pytest.fixture
def case(tmp_path: Path) -> tuple[Path, str]:
    home = tmp_path / "var"
    assert (
        run(
            home,
            "user",
            "add",
            "admin1",
            "--name",
            "管理员",
            "--role",
            "admin",
            "--new-pin",
            PIN["REVIEWKIT_PIN"],
        ).code
        == 0
    )
    assert (
        run(
            home, "user", "import", str(write_roster(tmp_path / "roster.toml")), "--as", "admin1", env=PIN
        ).code
        == 0
    )
    assert (
        run(
            home, "user", "set-pin", "drafter1", "--new-pin", PIN["REVIEWKIT_PIN"], "--as", "admin1", env=PIN
        ).code
        == 0
    )
    r = run(
        home,
        "case",
        "new",
        str(build_docx(tmp_path / "送审稿.docx")),
        "--title",
        "某县财政专项资金管理办法",
        "--unit",
        "预算股",
        "--drafter",
        "drafter1",
        "--json",
        env=PIN,
    )
    assert r.code == 0, r.err
    return home, json.loads(r.out)["case"]["number"]


def test_verify_log_and_exports(case: tuple[Path, str], tmp_path: Path) -> None:
    home, number = case
    r = run(home, "audit", "verify")
    assert r.code == 0 and "审计链完整" in r.out, r.err
    head = json.loads(run(home, "audit", "verify", "--json").out)
    assert head["intact"] and head["count"] >= 10

    events = json.loads(run(home, "audit", "log", "--case", number, "--json", "--as", "admin1", env=PIN).out)
    assert [e["action"] for e in events][:2] == ["case.created", "version.submitted"]
    r = run(home, "audit", "log", "--as", "drafter1", "--pin", "x")
    assert r.code == 1

    out = tmp_path / "trail.jsonl"
    r = run(
        home,
        "audit",
        "export",
        "--case",
        number,
        "--format",
        "jsonl",
        "-o",
        str(out),
        "--as",
        "admin1",
        env=PIN,
    )
    assert r.code == 0, r.err
    data = out.read_bytes()
    assert hashlib.sha256(data).hexdigest() in r.out
    for line in data.decode("utf-8").splitlines():
        event = json.loads(line)
        claimed = event.pop("hash")
        canonical = json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == claimed

    doc_path = tmp_path / "全过程记录.docx"
    r = run(
        home,
        "audit",
        "export",
        "--case",
        number,
        "--format",
        "docx",
        "-o",
        str(doc_path),
        "--as",
        "admin1",
        env=PIN,
    )
    assert r.code == 0, r.err
    doc = Document(str(doc_path))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "全过程记录" in text and "审计链完整" in text and "reviewkit audit verify --anchor" in text
    assert number in cells and "发起案件" in cells and "起草人甲（drafter1）" in cells
    exported = json.loads(
        run(home, "audit", "log", "--action", "audit.exported", "--json", "--as", "admin1", env=PIN).out
    )
    assert [e["payload"]["format"] for e in exported] == ["jsonl", "docx"]
    r = run(home, "audit", "export", "--format", "docx", "--as", "admin1", env=PIN)
    assert r.code == 1 and "--case" in r.err


def test_verify_names_a_tampered_event(case: tuple[Path, str]) -> None:
    home, _ = case
    anchor = json.loads(run(home, "audit", "verify", "--json").out)
    with sqlite3.connect(home / "reviewkit.db") as db:
        db.execute("DROP TRIGGER audit_events_no_update")
        db.execute("UPDATE audit_events SET actor = 'mallory' WHERE id = 3")
    r = run(home, "audit", "verify")
    assert r.code == 1
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and "第 3 号事件被修改" in lines[0], r.err
    r = run(home, "audit", "verify", "--anchor", f"{anchor['head_seq']}:{anchor['head_hash']}")
    assert r.code == 1
    r = run(home, "audit", "verify", "--anchor", "abc")
    assert r.code == 1 and "锚点" in r.err
