from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from reviewkit.documents import parse_file
from reviewkit.documents.annotate import AUTHOR, annotate_docx
from reviewkit.errors import InvalidInput
from reviewkit.rules import run_rules
from tests.unit.documents.conftest import make_docx

TODAY = date(2025, 6, 30)
PARAGRAPHS = [
    "某县农贸市场管理办法",
    "第一条　为了规范农贸市场秩序，制定本办法。",
    "第二条　对未按规定分类投放垃圾的单位，处1000元以上5000元以下罚款。",
    "第三条　抵押登记依照《中华人民共和国物权法》办理。",
    "第四条　本办法自2024年8月1日起施行，有效期5年。",
]


def comments_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("word/comments.xml").decode("utf-8")


def test_annotated_copy_has_comments_and_original_is_untouched(
    tmp_path: Path, limits: dict[str, int]
) -> None:
    src = make_docx(tmp_path / "draft.docx", PARAGRAPHS)
    before = src.read_bytes()
    findings = run_rules(parse_file(src, **limits), today=TODAY)  # type: ignore[arg-type]
    assert {"SUB-PENALTY", "CITE-REPEALED", "FORM-NO-BASIS"} <= {f.rule_id for f in findings}
    dest = annotate_docx(src, findings, tmp_path / "out" / "draft.批注.docx")
    assert src.read_bytes() == before
    xml = comments_xml(dest)
    assert xml.count("<w:comment ") == len(findings)
    assert f'w:author="{AUTHOR}"' in xml and 'w:initials="RK"' in xml
    assert "行政处罚法" in xml and "依据：" in xml
    doc = Document(str(dest))
    # the text is unchanged; the penalty comment covers exactly the matched words
    assert [p.text for p in doc.paragraphs] == PARAGRAPHS
    body = dest.read_bytes()
    with zipfile.ZipFile(dest) as zf:
        document_xml = zf.read("word/document.xml").decode("utf-8")
    penalty = next(f for f in findings if f.rule_id == "SUB-PENALTY")
    start = document_xml.index("commentRangeStart")
    assert body and penalty.text in document_xml[start:]
    reparsed = parse_file(dest, **limits)  # type: ignore[arg-type]
    assert [p.text for p in reparsed.paragraphs] == PARAGRAPHS


def test_text_input_becomes_docx_with_comments(tmp_path: Path, limits: dict[str, int]) -> None:
    src = tmp_path / "draft.txt"
    src.write_text("\n".join(PARAGRAPHS), encoding="gb18030")
    findings = run_rules(parse_file(src, **limits), today=TODAY)  # type: ignore[arg-type]
    dest = annotate_docx(src, findings, tmp_path / "draft.docx")
    assert [p.text for p in Document(str(dest)).paragraphs] == PARAGRAPHS
    assert comments_xml(dest).count("<w:comment ") == len(findings)


def test_refuses_to_overwrite_the_original(tmp_path: Path) -> None:
    src = make_docx(tmp_path / "draft.docx", PARAGRAPHS)
    with pytest.raises(InvalidInput):
        annotate_docx(src, [], src)


def test_no_findings_gives_a_plain_copy(tmp_path: Path) -> None:
    src = make_docx(tmp_path / "draft.docx", PARAGRAPHS)
    dest = annotate_docx(src, [], tmp_path / "copy.docx")
    assert [p.text for p in Document(str(dest)).paragraphs] == PARAGRAPHS
