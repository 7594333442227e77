"""``reviewkit case`` from the command line: good input works, bad input gets one Chinese line, exit 1,
and leaves no row and no file behind."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.builders import build_docx, write_roster
from tests.e2e.cli import run


def _files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "var"
    r = run(home, "user", "import", str(write_roster(tmp_path / "roster.toml")))
    assert r.code == 0, r.err
    r = run(home, "user", "set-pin", "drafter1", "--new-pin", "135790")  # setup mode: no admin yet
    assert r.code == 0, r.err
    return home


PIN = ["--pin", "135790"]


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    txt = tmp_path / "说明.txt"
    txt.write_text("这不是 Word 文稿", encoding="utf-8")
    empty = tmp_path / "空文件.docx"
    empty.write_bytes(b"")
    corrupt = tmp_path / "损坏.docx"
    corrupt.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    pdf = tmp_path / "伪装 的PDF.docx"
    pdf.write_bytes(b"%PDF-1.7\n" + b"x" * 200)
    no_body = tmp_path / "缺正文.docx"
    with zipfile.ZipFile(no_body, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    return {"non-docx": txt, "empty": empty, "corrupt": corrupt, "pdf": pdf, "no-document-xml": no_body}


def test_bad_drafts_are_refused_cleanly(home: Path, tmp_path: Path) -> None:
    before = _files_under(home / "data")
    for label, path in _bad_files(tmp_path).items():
        r = run(
            home,
            "case",
            "new",
            str(path),
            "--title",
            "某办法",
            "--unit",
            "预算股",
            "--drafter",
            "drafter1",
            *PIN,
        )
        assert r.code == 1, (label, r.err)
        lines = r.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("错误："), (label, r.err)
        assert "Traceback" not in r.err + r.out
        assert path.name in lines[0], (label, lines[0])
    listing = run(home, "case", "list", "--json")
    assert listing.code == 0 and json.loads(listing.out) == []
    assert _files_under(home / "data") == before


def test_new_list_show(home: Path, tmp_path: Path) -> None:
    draft = build_docx(tmp_path / "送审稿 v1.docx")
    r = run(
        home,
        "case",
        "new",
        str(draft),
        "--title",
        "某县财政专项资金管理办法",
        "--unit",
        "预算股",
        "--drafter",
        "drafter1",
        "--flag",
        "touches_business",
        "--json",
        *PIN,
    )
    assert r.code == 0, r.err
    created = json.loads(r.out)
    assert created["case"]["stage"] == "drafting" and created["flags"] == ["touches_business"]
    listing = json.loads(run(home, "case", "list", "--json").out)
    assert [c["number"] for c in listing] == [created["case"]["number"]]
    shown = run(home, "case", "show", created["case"]["number"])
    assert shown.code == 0 and "某县财政专项资金管理办法" in shown.out and "起草" in shown.out
    missing = run(home, "case", "show", "RK-1999-0001")
    assert missing.code == 1 and missing.err.strip() == "错误：没有案件“RK-1999-0001”"


def test_usage_errors_exit_2(home: Path) -> None:
    assert run(home, "case", "new").code == 2
    assert run(home, "no-such-command").code == 2


def test_unknown_flag_and_unknown_user(home: Path, tmp_path: Path) -> None:
    draft = build_docx(tmp_path / "d.docx")
    r = run(
        home, "case", "new", str(draft), "--title", "某办法", "--unit", "预算股", "--drafter", "nobody", *PIN
    )
    assert r.code == 1 and "nobody" in r.err, r.err
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
        "--flag",
        "bogus",
        *PIN,
    )
    assert r.code == 1 and "没有案件标记：bogus" in r.err, r.err
    assert json.loads(run(home, "case", "list", "--json").out) == []
