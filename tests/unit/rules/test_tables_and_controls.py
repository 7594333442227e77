"""Table cells and content controls (w:sdt) are read, screened and commented (issue #17)."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml

from reviewkit.documents import parse_file
from reviewkit.documents.annotate import annotate_docx
from reviewkit.rules import run_rules

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
SDT = (
    f'<w:sdt {W}><w:sdtPr><w:alias w:val="条款"/></w:sdtPr><w:sdtContent>'
    "<w:p><w:r><w:t>第九条　对未按期签订协议的，一律视为自动放弃奖励。</w:t></w:r></w:p>"
    "</w:sdtContent></w:sdt>"
)


def draft(path: Path) -> Path:
    doc = Document()
    doc.add_paragraph("某县奖补资金管理办法")
    doc.add_paragraph("第一条　为规范资金管理，制定本办法。")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "项目"
    table.cell(0, 1).text = "条件"
    table.cell(1, 0).text = "办理渣土运输备案"
    table.cell(1, 1).text = "每车收取管理费300元"
    doc.add_paragraph("第二条　本办法自2027年1月1日起施行。")
    body = doc.element.body
    body.insert(len(body) - 1, parse_xml(SDT))  # before sectPr
    inline = doc.add_paragraph("第三条　")
    run_sdt = parse_xml(
        f"<w:sdt {W}><w:sdtContent><w:r><w:t>对在萧山区注册并纳税的企业给予奖励。</w:t></w:r></w:sdtContent></w:sdt>"
    )
    inline._p.append(run_sdt)
    doc.save(str(path))
    return path


def test_cells_and_controls_are_read_in_order_with_locators(tmp_path: Path) -> None:
    parsed = parse_file(draft(tmp_path / "d.docx"))
    assert [p.text for p in parsed.paragraphs][:3] == [
        "某县奖补资金管理办法", "第一条　为规范资金管理，制定本办法。", "第二条　本办法自2027年1月1日起施行。"
    ]  # fmt: skip
    located = [(p.locator, p.index) for p in parsed.extra]
    assert ("表1第2行第2列", 1) in located  # anchored after the body paragraph before the table
    assert ("内容控件1", 2) in located
    assert ("第4段内容控件", 3) in located


def test_findings_in_cells_and_controls_carry_the_locator(tmp_path: Path) -> None:
    parsed = parse_file(draft(tmp_path / "d.docx"))
    found = {(f.rule_id, f.cell) for f in run_rules(parsed, today=date(2026, 12, 5), statistical=False)}
    assert ("SUB-FEE", "表1第2行第2列") in found
    assert ("RIGHTS-PRESUMPTION", "内容控件1") in found
    assert ("COMP-NONLOCAL-CONDITION", "第4段内容控件") in found


def test_annotated_copy_comments_the_cell_itself(tmp_path: Path) -> None:
    src = draft(tmp_path / "d.docx")
    parsed = parse_file(src)
    findings = [f for f in run_rules(parsed, today=date(2026, 12, 5), statistical=False) if f.cell]
    dest = annotate_docx(src, findings, tmp_path / "out.docx")
    with zipfile.ZipFile(dest) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    table_xml = xml[xml.find("<w:tbl>") : xml.find("</w:tbl>")]
    assert "commentRangeStart" in table_xml  # the comment sits in the cell, not on a body paragraph
    sdt_xml = xml[xml.find("<w:sdt>") : xml.find("</w:sdt>")]
    assert "commentRangeStart" in sdt_xml
