from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from reviewkit.documents import parse_file, parse_text
from tests.unit.documents.conftest import make_docx

DRAFT = """某县财政局文件

某财规〔2023〕1号

某县财政局关于印发《某县政府投资项目资金管理办法》的通知

各乡镇人民政府，县直各部门：
现将《某县政府投资项目资金管理办法》印发给你们，请遵照执行。

第一章　总则
第一条　为了规范资金管理，根据《中华人民共和国预算法》等规定，制定本办法。
第二条　本办法适用于本县。
第二章　附则
第一百零五条　本办法自2023年7月1日起施行，有效期5年。
附件：1.项目申请表
2.资金汇总表

某县财政局
2023年06月01日
"""


def test_parse_text_structure() -> None:
    doc = parse_text(DRAFT, "draft.txt")
    assert doc.title == "某县财政局关于印发《某县政府投资项目资金管理办法》的通知"
    assert doc.instrument_name == "某县政府投资项目资金管理办法"
    assert doc.doc_number == "某财规〔2023〕1号"
    assert doc.issuing_body == "某县财政局"
    assert [(c.number, c.title) for c in doc.chapters] == [(1, "总则"), (2, "附则")]
    assert [a.number for a in doc.articles] == [1, 2, 105]
    assert doc.articles[0].chapter == 1 and doc.articles[2].chapter == 2
    assert [(a.label, a.title) for a in doc.attachments] == [("附件1", "项目申请表"), ("附件2", "资金汇总表")]
    assert [(d.value, d.form) for d in doc.dates] == [
        (date(2023, 7, 1), "standard"),
        (date(2023, 6, 1), "padded"),
    ]
    para = next(p for p in doc.paragraphs if p.text.startswith("第二条"))
    assert para.article == 2 and para.chapter == 1
    assert [p.index for p in doc.paragraphs] == list(range(len(doc.paragraphs)))


def test_issuer_from_title_when_no_masthead() -> None:
    doc = parse_text("某市人民政府办公室关于加强物业管理的通知\n第一条　内容。", "x.txt")
    assert doc.issuing_body == "某市人民政府办公室"


def test_docx_paragraphs_tables_and_sha(tmp_path: Path, limits: dict[str, int]) -> None:
    path = make_docx(
        tmp_path / "d.docx",
        [
            "某县农贸市场管理办法",
            "第一条　为了规范农贸市场秩序，制定本办法。",
            "",
            "第二条　二〇二三年七月一日起施行。",
        ],
        table=[["项目", "标准"], ["摊位费", "每月100元"]],
    )
    doc = parse_file(path, **limits)  # type: ignore[arg-type]
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.source_format == "docx"
    assert doc.title == "某县农贸市场管理办法"
    assert doc.paragraphs[0].style == "Title"
    assert doc.paragraphs[2].text == "" and doc.paragraphs[3].article == 2
    assert doc.tables[0].rows == (("项目", "标准"), ("摊位费", "每月100元"))
    assert doc.tables[0].after_paragraph == 1
    assert doc.dates[0].form == "chinese" and doc.dates[0].value == date(2023, 7, 1)


def test_text_encodings(tmp_path: Path, limits: dict[str, int]) -> None:
    text = "某县办法\n第一条　为了规范管理，制定本办法。\n"
    for encoding, suffix in (("utf-8", ".txt"), ("utf-8-sig", ".txt"), ("gb18030", ".md"), ("gbk", ".txt")):
        path = tmp_path / f"d-{encoding}{suffix}"
        path.write_bytes(text.encode(encoding))
        doc = parse_file(path, **limits)  # type: ignore[arg-type]
        assert doc.title == "某县办法", encoding
        assert doc.articles[0].number == 1


def test_markdown_headings(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "d.md"
    path.write_text("# 某县档案管理办法\n\n第一条　为了……，制定本办法。\n", encoding="utf-8")
    doc = parse_file(path, **limits)  # type: ignore[arg-type]
    assert doc.title == "某县档案管理办法"
    assert doc.paragraphs[0].style == "Heading 1"


def test_article_numbers() -> None:
    doc = parse_text(
        "第十条　甲\n第二十条　乙\n第一百二十三条　丙\n第12条 丁\n第三条规定的情形除外。", "x.txt"
    )
    assert [a.number for a in doc.articles] == [10, 20, 123, 12]


def test_docx_text_and_styles_match_python_docx(tmp_path: Path, limits: dict[str, int]) -> None:
    """parse.py reads the XML itself; it must see exactly what python-docx shows."""
    from docx import Document

    doc = Document()
    doc.add_heading("某县农贸市场管理办法", level=0)
    doc.add_heading("第一章　总则", level=1)
    para = doc.add_paragraph("第一条　甲")
    run = para.add_run("乙")
    run.add_tab()
    run.add_text("丙")
    run.add_break()
    para.add_run("丁")
    doc.add_paragraph("  前后有空格  ", style="List Bullet")
    doc.add_paragraph("")
    path = tmp_path / "styled.docx"
    doc.save(str(path))
    parsed = parse_file(path, **limits)  # type: ignore[arg-type]
    reference = Document(str(path)).paragraphs
    assert [p.text for p in parsed.paragraphs] == [p.text.strip() for p in reference]
    assert [p.style for p in parsed.paragraphs] == [
        p.style.name if p._p.pPr is not None and p._p.pPr.pStyle is not None else "" for p in reference
    ]
    assert parsed.paragraphs[1].style == "Heading 1" and parsed.paragraphs[0].style == "Title"
    assert parsed.paragraphs[2].text == "第一条　甲乙\t丙\n丁"
