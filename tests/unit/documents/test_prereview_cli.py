"""``reviewkit prereview`` end to end through typer's runner (no database, no Prefect)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from reviewkit.cli import _register, app
from tests.unit.documents.conftest import make_docx

_register()
runner = CliRunner()
DRAFT = [
    "某县农贸市场管理办法",
    "第一条　为了规范农贸市场秩序，根据《集贸市场管理条例》，制定本办法。",
    "第二条　对未按规定分类投放垃圾的单位，处1000元以上5000元以下罚款。",
    "第三条　本办法自2024年8月1日起施行，有效期5年。",
]
CLEAN = [
    "某县农贸市场管理办法",
    "第一条　为了规范农贸市场秩序，根据《集贸市场管理条例》，制定本办法。",
    "第二条　县市场监管局负责农贸市场的监督管理。",
    "第三条　本办法自2024年8月1日起施行，有效期5年。",
]


def test_json_output_one_object_per_file(tmp_path: Path) -> None:
    a = make_docx(tmp_path / "a.docx", DRAFT)
    b = tmp_path / "b.txt"
    b.write_text("\n".join(CLEAN), encoding="gbk")
    result = runner.invoke(app, ["prereview", "--json", str(a), str(b)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["file"] for d in data] == [str(a), str(b)]
    (penalty,) = [f for f in data[0]["findings"] if f["rule_id"] == "SUB-PENALTY"]
    assert penalty["paragraph"] == 2 and penalty["category"] == "penalty" and penalty["severity"] == "error"
    assert set(penalty) >= {
        "rule_id",
        "category",
        "severity",
        "paragraph",
        "text",
        "message",
        "basis",
        "suggestion",
    }
    assert data[1]["findings"] == []


def test_unreadable_file_exit_1_others_still_analysed(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx", DRAFT)
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"%PDF-1.4 not a word file")
    result = runner.invoke(app, ["prereview", "--json", str(bad), str(good)])
    assert result.exit_code == 1
    assert "错误：文件《bad.docx》" in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1
    data = json.loads(result.stdout)
    assert "error" in data[0] and data[1]["findings"]


def test_table_output_and_annotated_copies(tmp_path: Path) -> None:
    src = make_docx(tmp_path / "draft.docx", DRAFT)
    out = tmp_path / "annotated"
    result = runner.invoke(app, ["prereview", str(src), "--annotate-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert "SUB-PENALTY" in result.stdout and "设定行政处罚" in result.stdout
    copy = out / "draft.预审批注.docx"
    with zipfile.ZipFile(copy) as zf:
        assert "reviewkit 预审" in zf.read("word/comments.xml").decode("utf-8")


def test_fail_on_gates_by_severity(tmp_path: Path) -> None:
    src = make_docx(tmp_path / "draft.docx", DRAFT)
    clean = make_docx(tmp_path / "clean.docx", CLEAN)
    assert runner.invoke(app, ["prereview", "--fail-on", "error", str(src)]).exit_code == 3
    assert runner.invoke(app, ["prereview", "--fail-on", "warning", str(clean)]).exit_code == 0
    assert runner.invoke(app, ["prereview", str(src)]).exit_code == 0


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert runner.invoke(app, ["prereview"]).exit_code == 2
    src = make_docx(tmp_path / "draft.docx", DRAFT)
    assert runner.invoke(app, ["prereview", "--fail-on", "fatal", str(src)]).exit_code == 2
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert runner.invoke(app, ["prereview", "--annotate-dir", str(afile), str(src)]).exit_code == 2


def test_directory_argument_and_extra_catalog(tmp_path: Path) -> None:
    folder = tmp_path / "drafts"
    folder.mkdir()
    (folder / "a.txt").write_text("第十条　依照《某省旧条例》办理。", encoding="utf-8")
    extra = tmp_path / "local.toml"
    extra.write_text(
        'as_of = 2027-03-01\n[[law]]\nname = "某省旧条例"\nstatus = "repealed"\ndate = 2024-01-01\n'
        'replaced_by = "某省新条例"\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["prereview", "--json", "--catalog", str(extra), str(folder)])
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)
    assert entry["catalog_as_of"] == "2027-03-01"
    assert [f["rule_id"] for f in entry["findings"]] == ["CITE-REPEALED"]
