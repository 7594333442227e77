"""The report, register and overdue commands as a user runs them, on a seeded history."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from docx import Document

from tests.e2e.cli import run
from tests.history import generate


def test_report_register_overdue_commands(isolated_home: Path, tmp_path: Path) -> None:
    truth = generate(150, first=date(2022, 7, 1), last=date(2023, 6, 30), cutoff=date(2023, 7, 20))
    out = tmp_path / "report.docx"
    r = run(isolated_home, "report", "--from", "2023-01-01", "--to", "2023-06-30", "-o", str(out), "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    issued = [
        c.number for c in truth.cases if c.published and date(2023, 1, 1) <= c.published <= date(2023, 6, 30)
    ]
    assert sorted(data["figures"]["issued"]) == sorted(issued)
    assert any("有件必审" in p for p in data["text"])
    doc = Document(str(out))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "2023年上半年行政规范性文件合法性审核工作情况" in body and "审核率" in body
    assert len(doc.tables) >= 5 and len(doc.inline_shapes) >= 2

    text = run(isolated_home, "report", "--from", "2023-01-01", "--to", "2023-06-30")
    assert text.code == 0 and "报备率" in text.out

    bad = run(isolated_home, "report", "--from", "2023-13-01", "--to", "2023-06-30")
    assert bad.code == 1 and bad.err.count("\n") == 1 and "日期" in bad.err
    backwards = run(isolated_home, "report", "--from", "2023-06-30", "--to", "2023-01-01")
    assert backwards.code == 1 and "报告期间有误" in backwards.err

    reg = run(isolated_home, "register", "list", "--on", "2023-07-20", "--json")
    assert reg.code == 0, reg.err
    assert {row["doc_number"] for row in json.loads(reg.out)} == {
        c.doc_number for c in truth.cases if c.doc_number
    }
    missing = run(isolated_home, "register", "show", "某财规〔2099〕1号")
    assert missing.code == 1 and "登记簿中没有" in missing.err

    late = run(isolated_home, "overdue", "--on", "2023-08-10", "--json")
    assert late.code == 0, late.err
    assert all(i["status"] == "overdue" for i in json.loads(late.out))
    table = run(isolated_home, "overdue", "--on", "2023-08-10", "--all")
    assert table.code == 0 and "超期及到期事项" in table.out
