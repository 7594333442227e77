"""render.py: placeholders survive what Word does to them (split runs, full-width braces), lists repeat
rows and paragraphs, unknown names fail loudly, core properties are set; the shipped templates carry
the GB/T 9704 fonts and page."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from reviewkit.documents.layout import official_date
from reviewkit.documents.render import Properties, TemplateError, placeholders, render

TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "docx"
PROPS = Properties(
    title="《某办法》合法性审核意见书", author="王芳", created=datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
)


def _template(build) -> bytes:  # type: ignore[no-untyped-def]
    doc = Document()
    build(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _open(data: bytes):  # type: ignore[no-untyped-def]
    return Document(io.BytesIO(data))


def _split_runs(doc, *pieces: str, bold_middle: bool = True):  # type: ignore[no-untyped-def]
    """A paragraph whose placeholder Word has split over several runs (a format change mid-word)."""
    p = doc.add_paragraph()
    for i, piece in enumerate(pieces):
        run = p.add_run(piece)
        run.bold = bold_middle and i == 1
    return p


def test_placeholder_split_over_runs_and_full_width_braces() -> None:
    def build(doc):  # type: ignore[no-untyped-def]
        _split_runs(doc, "标题：{{案", "件.标", "题}}。")
        _split_runs(doc, "文号：｛｛ 案件.文号 ｝｝", "", "！")
        doc.add_paragraph("{{案件.标题}}与{{案件.文号}}同段")

    data = render(_template(build), {"案件": {"标题": "某县采购办法", "文号": "某财规〔2026〕3号"}}, PROPS)
    texts = [p.text for p in _open(data).paragraphs]
    assert texts == [
        "标题：某县采购办法。",
        "文号：某财规〔2026〕3号！",
        "某县采购办法与某财规〔2026〕3号同段",
    ]


def test_replacement_keeps_the_format_of_the_placeholder_start() -> None:
    def build(doc):  # type: ignore[no-untyped-def]
        p = doc.add_paragraph()
        p.add_run("结论：")
        r = p.add_run("{{意见.结论}}")
        r.bold = True

    doc = _open(render(_template(build), {"意见": {"结论": "应当予以修改"}}, PROPS))
    runs = doc.paragraphs[0].runs
    assert [(r.text, bool(r.bold)) for r in runs] == [("结论：", False), ("应当予以修改", True)]


def test_list_repeats_table_rows_and_paragraphs() -> None:
    def build(doc):  # type: ignore[no-untyped-def]
        t = doc.add_table(rows=2, cols=3)
        for cell, text in zip(t.rows[0].cells, ["序号", "条款", "问题"], strict=True):
            cell.text = text
        for cell, text in zip(
            t.rows[1].cells, ["{{发现.序号}}", "{{发现.条款}}", "{{发现.问题}}"], strict=True
        ):
            cell.text = text
        doc.add_paragraph("{{材料.序号}}．{{材料.名称}}")
        doc.add_paragraph("完")

    ctx = {
        "发现": [
            {"序号": "1", "条款": "第四条", "问题": "限定本地"},
            {"序号": "2", "条款": "第十二条", "问题": "设定罚款"},
        ],
        "材料": [{"序号": "1", "名称": "备案报告"}, {"序号": "2", "名称": "正式文本"}],
    }
    doc = _open(render(_template(build), ctx, PROPS))
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows == [["序号", "条款", "问题"], ["1", "第四条", "限定本地"], ["2", "第十二条", "设定罚款"]]
    assert [p.text for p in doc.paragraphs] == ["1．备案报告", "2．正式文本", "完"]


def test_empty_list_leaves_one_row_reading_none() -> None:
    def build(doc):  # type: ignore[no-untyped-def]
        t = doc.add_table(rows=1, cols=2)
        t.rows[0].cells[0].text = "{{发现.序号}}"
        t.rows[0].cells[1].text = "{{发现.问题}}"

    doc = _open(render(_template(build), {"发现": []}, PROPS))
    assert [[c.text for c in r.cells] for r in doc.tables[0].rows] == [["（无）", ""]]


def test_unknown_placeholder_names_itself_and_the_template() -> None:
    def build(doc):  # type: ignore[no-untyped-def]
        doc.add_paragraph("{{案件.标题}}{{案件.标提}}")

    with pytest.raises(TemplateError, match=r"《测试模板.docx》.*\{\{案件.标提\}\}.*案件.标题"):
        render(_template(build), {"案件": {"标题": "x"}}, PROPS, name="测试模板.docx")


def test_newlines_become_line_breaks_and_headers_are_filled() -> None:
    def build(doc):  # type: ignore[no-untyped-def]
        doc.add_paragraph("{{意见.意见}}")
        section = doc.sections[0]
        section.header.paragraphs[0].text = "{{案件.编号}}"

    doc = _open(
        render(
            _template(build), {"意见": {"意见": "第一点\n第二点"}, "案件": {"编号": "RK-2026-0001"}}, PROPS
        )
    )
    p = doc.paragraphs[0]
    assert p.text == "第一点\n第二点"
    assert len(p._p.findall(".//" + qn("w:br"))) == 1
    assert doc.sections[0].header.paragraphs[0].text == "RK-2026-0001"


def test_core_properties_are_set() -> None:
    doc = _open(render(_template(lambda d: d.add_paragraph("x")), {}, PROPS))
    props = doc.core_properties
    assert (props.title, props.author, props.last_modified_by) == (PROPS.title, "王芳", "王芳")
    assert props.created == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def test_official_date_has_no_padding() -> None:
    assert official_date(date(2026, 1, 5)) == "2026年1月5日"
    assert official_date(date(2026, 11, 28)) == "2026年11月28日"


@pytest.mark.parametrize(
    "name",
    [
        "合法性审核意见书",
        "风险评估报告",
        "征求意见采纳情况表",
        "公平竞争审查表",
        "集体审议记录摘录",
        "规范性文件登记表",
        "正式文本",
        "备案报告",
    ],
)
def test_shipped_templates_use_gb9704_fonts_and_page(name: str) -> None:
    path = TEMPLATES / f"{name}.docx"
    doc = Document(str(path))
    assert placeholders(path), "a template without placeholders fills nothing"
    normal = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert doc.styles["Normal"].font.size.pt == 16  # 三号
    if name not in ("正式文本", "备案报告"):  # these open with the red 版头 (发文机关标志)
        assert doc.paragraphs[0].style.name == "Title"
    title = doc.styles["Title"].element.rPr.find(qn("w:rFonts"))
    assert title.get(qn("w:eastAsia")) == "方正小标宋简体"
    section = doc.sections[0]
    assert (round(section.top_margin / Mm(1)), round(section.left_margin / Mm(1))) == (37, 28)


def test_official_text_template_has_the_number_line_under_the_issuer_mark() -> None:
    texts = [p.text for p in Document(str(TEMPLATES / "正式文本.docx")).paragraphs if p.text]
    # D1 (legal review 2026-12): a 印发通知 (公文处理工作条例 第八条), then the 办法 itself
    assert texts[:4] == [
        "{{机关.名称}}文件",
        "{{案件.文号}}",
        "{{机关.名称}}关于印发《{{案件.标题}}》的通知",
        "{{机关.主送机关}}：",
    ]
    assert "{{案件.成文日期}}" in texts and "{{案件.标题}}" in texts


def test_filing_report_template_has_number_and_signer_on_one_line() -> None:
    """D4: an upward document shows 发文字号 and 签发人 on one line under the 版头 (GB/T 9704-2012 7.2.6)."""
    texts = [p.text for p in Document(str(TEMPLATES / "备案报告.docx")).paragraphs if p.text]
    assert texts[1] == "{{备案.文号}}\t签发人：{{备案.签发人}}"
    assert texts[-1] == "（联系人：{{备案.联系人}}，联系电话：{{机关.联系电话}}）"
