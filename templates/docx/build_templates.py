"""Build the shipped Word templates (run once; the .docx files are committed and meant to be edited in
Word afterwards). ``python templates/docx/build_templates.py`` overwrites them: only do that to start
over from the shipped layout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from reviewkit.documents.layout import TITLE_FONT, apply_page_and_styles, body_paragraph, set_font

HERE = Path(__file__).resolve().parent
RIGHT, CENTER = WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.CENTER


def new(title: str) -> Any:
    doc = Document()
    apply_page_and_styles(doc)
    doc.add_paragraph(title, style="Title")
    return doc


def heading(doc: Any, text: str) -> None:
    doc.add_paragraph(text, style="Heading 1")


def plain(doc: Any, text: str, **kw: Any) -> Any:
    return body_paragraph(doc, text, **kw)


def signature(doc: Any, *lines: str) -> None:
    """The 署名 and date, right-aligned, kept on the page of the paragraph before them (never an orphan
    signature page: the preceding paragraph and the blank line keep with the next)."""
    body = doc.paragraphs
    if body:
        body[-1].paragraph_format.keep_with_next = True
    blank = doc.add_paragraph()
    blank.paragraph_format.keep_with_next = True
    for i, line in enumerate(lines):
        p = plain(doc, line, indent=False, align=RIGHT)
        p.paragraph_format.right_indent = Pt(64)
        p.paragraph_format.keep_with_next = i < len(lines) - 1


def table(doc: Any, head: list[str] | None, rows: list[list[str]], widths: list[float] | None = None) -> None:
    t = doc.add_table(rows=0, cols=len(rows[0]))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for values in ([head] if head else []) + rows:
        cells = t.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
            for p in cell.paragraphs:
                p.paragraph_format.line_spacing = Pt(20)
                for run in p.runs:
                    run.font.size = Pt(12)
                    if head and values is head:
                        set_font(run, "黑体", Pt(12))
    if widths:
        for row in t.rows:
            for cell, w in zip(row.cells, widths, strict=True):
                cell.width = Pt(w)
    doc.add_paragraph()


def opinion() -> Any:
    """合法性审核意见书 issued by the 审核机构 in its own name and number (国办发〔2018〕115号; legal review 2026-12,
    D3/P4/P6): 文号 of the 机构, 收文日期, the materials received, findings under 主体/权限/内容/程序, the 机构's
    signature and seal. No case number or SHA-256 in the body: they are in the file's properties and the audit trail."""
    doc = new("合法性审核意见书")
    plain(doc, "{{意见.文号}}", indent=False, align=CENTER)
    plain(doc, "{{案件.起草单位}}：", indent=False)
    plain(
        doc,
        "你单位于{{意见.收文日期}}报送的《{{案件.标题}}》（送审稿）及相关材料收悉。收到的材料：{{意见.材料}}。"
        "本机构依照{{意见.审核依据}}，对该文件的制定主体、制定权限、内容和制定程序进行了合法性审核，现提出审核意见如下：",
    )
    heading(doc, "一、审核结论")
    plain(doc, "{{意见.勾选}}")
    plain(doc, "{{意见.结论说明}}")
    heading(doc, "二、审核情况")
    table(doc, ["审核事项", "审核情况"], [["{{审核.事项}}", "{{审核.情况}}"]], [90, 360])
    heading(doc, "三、具体问题、依据及修改建议")
    table(
        doc,
        ["序号", "条款", "问题", "依据", "修改建议"],
        [["{{发现.序号}}", "{{发现.条款}}", "{{发现.问题}}", "{{发现.依据}}", "{{发现.建议}}"]],
        [30, 55, 150, 120, 100],
    )
    heading(doc, "四、其他意见")
    plain(doc, "{{意见.意见}}")
    signature(doc, "{{机关.审核机构}}（盖章）", "{{意见.日期}}")
    plain(doc, "（经办人：{{意见.审核人}}　　联系电话：{{机关.联系电话}}）")
    return doc


def risk() -> Any:
    doc = new("《{{案件.标题}}》实施风险评估报告")
    heading(doc, "一、评估对象")
    plain(
        doc, "《{{案件.标题}}》（第{{评估.稿次}}稿），起草单位：{{案件.起草单位}}，案件编号：{{案件.编号}}。"
    )
    heading(doc, "二、评估依据和方法")
    plain(doc, "{{评估.依据}}")
    heading(doc, "三、风险点、防控措施和应急处置预案")
    plain(doc, "{{评估.意见}}")
    heading(doc, "四、评估结论")
    plain(doc, "{{评估.结论}}。{{评估.结论说明}}")
    signature(doc, "评估人：{{评估.评估人}}", "{{评估.日期}}")
    return doc


def consultation() -> Any:
    doc = new("《{{案件.标题}}》征求意见采纳情况表")
    plain(doc, "征求意见期间：{{征求意见.起止}}。")
    plain(doc, "听取市场主体和行业协会商会意见情况：{{征求意见.市场主体}}。")
    plain(
        doc,
        "共收到意见{{征求意见.总数}}条，其中采纳{{征求意见.采纳}}条，部分采纳{{征求意见.部分采纳}}条，"
        "不予采纳{{征求意见.不予采纳}}条{{征求意见.待研究}}。",
    )
    table(
        doc,
        ["序号", "条款", "意见提出人", "意见内容", "采纳情况", "理由说明"],
        [
            [
                "{{意见.序号}}",
                "{{意见.条款}}",
                "{{意见.提出人}}",
                "{{意见.内容}}",
                "{{意见.采纳情况}}",
                "{{意见.理由}}",
            ]
        ],
        [30, 50, 80, 130, 55, 110],
    )
    signature(doc, "填表单位：{{案件.起草单位}}", "填表日期：{{日期.今天}}")
    return doc


def fair_competition() -> Any:
    doc = new("公平竞争审查表")
    table(
        doc,
        None,
        [
            ["政策措施名称", "《{{案件.标题}}》"],
            ["起草单位", "{{案件.起草单位}}"],
            ["审查稿次", "第{{审查.稿次}}稿"],  # the SHA-256 is in the audit trail, not on the paper (as D3)
            ["听取利害关系人意见情况", "{{征求意见.市场主体}}"],
        ],
        [130, 320],
    )
    table(doc, ["审查标准（公平竞争审查条例）", "审查结果"], [["{{标准.名称}}", "{{标准.结果}}"]], [200, 250])
    table(
        doc,
        None,
        [
            ["审查结论", "{{审查.勾选}}"],
            ["审查意见", "{{审查.意见}}"],
            ["适用例外规定情况", "{{审查.例外}}"],
            ["审查人", "{{审查.审查人}}"],
            ["审查日期", "{{审查.日期}}"],
        ],
        [130, 320],
    )
    plain(
        doc, "注：未经公平竞争审查或者经审查不符合公平竞争审查标准的，不得出台（公平竞争审查条例第十八条）。"
    )
    return doc


def deliberation() -> Any:
    doc = new("集体审议记录（摘录）")
    table(
        doc,
        None,
        [
            ["会议名称", "{{审议.会议}}"],
            ["审议日期", "{{审议.日期}}"],
            ["主持人", "{{审议.主持人}}"],
            ["出席人员", "{{审议.出席人员}}"],
            ["审议事项", "《{{案件.标题}}》（第{{审议.稿次}}稿）"],
            ["合法性审核意见", "{{审议.合法性审核}}"],
            ["公平竞争审查", "{{审议.公平竞争审查}}"],
            ["风险评估", "{{审议.风险评估}}"],
            ["审议结论", "{{审议.结论}}"],
            ["审议意见", "{{审议.意见}}"],
            ["不同意见", "{{审议.不同意见}}"],
        ],
        [130, 320],
    )  # 不同意见如实载明 (37号 三(七))
    plain(doc, "本摘录依据案件记录生成，经与会议记录原件核对一致后加盖印章。")
    signature(doc, "摘录人：{{审议.摘录人}}", "{{日期.今天}}")
    return doc


def register() -> Any:
    doc = new("行政规范性文件登记表")
    rows = [
        ["文件名称", "{{案件.标题}}"],
        ["发文字号", "{{案件.文号}}"],
        ["制定机关", "{{机关.名称}}"],
        ["起草单位", "{{案件.起草单位}}"],
        ["成文日期", "{{登记.成文日期}}"],
        ["公布日期", "{{案件.公布日期}}"],
        ["施行日期", "{{登记.施行日期}}"],
        ["有效期", "{{登记.有效期}}"],
        ["公开征求意见", "{{征求意见.起止}}"],
        ["公平竞争审查", "{{登记.公平竞争审查}}"],
        ["合法性审核", "{{登记.合法性审核}}"],
        ["风险评估", "{{登记.风险评估}}"],
        ["集体审议", "{{登记.集体审议}}"],
        ["报送备案期限", "{{登记.备案期限}}"],
        ["审核案件编号", "{{案件.编号}}"],
        ["正式文本所据文稿", "第{{登记.稿次}}稿，SHA-256 {{登记.文稿指纹}}"],
    ]
    table(doc, None, rows, [130, 320])
    signature(doc, "登记人：{{登记.登记人}}", "登记日期：{{日期.今天}}")
    return doc


def official_text() -> Any:
    """The issuable 正式文本: a 印发通知 (党政机关公文处理工作条例 第八条: "办法" is not a 文种) with its 主送机关,
    the 办法 after it, and the 版记 (抄送, 印发机关, 印发日期) at the foot of the last page (GB/T 9704-2012 7.4):
    a floating table anchored to the bottom margin, so it stays there however long the text is."""
    doc = Document()
    apply_page_and_styles(doc)
    mark = doc.add_paragraph()
    mark.alignment = CENTER
    run = mark.add_run("{{机关.名称}}文件")
    set_font(run, TITLE_FONT, Pt(48))
    run.font.color.rgb = RGBColor(0xE6, 0x00, 0x12)
    doc.add_paragraph()
    number = plain(doc, "{{案件.文号}}", indent=False, align=CENTER)
    _red_rule(number)
    doc.add_paragraph()
    doc.add_paragraph("{{机关.名称}}关于印发《{{案件.标题}}》的通知", style="Title")
    plain(doc, "{{机关.主送机关}}：", indent=False)
    plain(doc, "现将《{{案件.标题}}》印发给你们，请认真贯彻执行。")
    signature(doc, "{{机关.名称}}", "{{案件.成文日期}}")
    plain(doc, "（此件公开发布）")
    title = doc.add_paragraph("{{案件.标题}}", style="Title")
    title.paragraph_format.page_break_before = True
    plain(doc, "{{正文.段落}}")
    _colophon(doc)
    return doc


def _colophon(doc: Any) -> None:
    """版记 (GB/T 9704-2012 7.4): 抄送 and 印发机关/印发日期 in 4号仿宋, between a thick first and last rule
    and a thin rule between them, at the foot of the last page."""
    t = doc.add_table(rows=2, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    first = t.rows[0].cells[0].merge(t.rows[0].cells[1])
    first.text = "抄送：{{机关.抄送}}。"
    t.rows[1].cells[0].text = "{{机关.印发机关}}"
    t.rows[1].cells[1].text = "{{案件.公布日期}}印发"
    for row in t.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.first_line_indent = Pt(0)
                p.paragraph_format.left_indent = Pt(14)
                p.paragraph_format.right_indent = Pt(14)
                for r in p.runs:
                    set_font(r, "仿宋_GB2312", Pt(14))
    t.rows[1].cells[1].paragraphs[0].alignment = RIGHT
    tbl_pr = t._tbl.tblPr
    floating = OxmlElement("w:tblpPr")
    for key, value in (
        ("leftFromText", "0"),
        ("rightFromText", "0"),
        ("vertAnchor", "margin"),
        ("horzAnchor", "margin"),
        ("tblpXSpec", "center"),
        ("tblpYSpec", "bottom"),
    ):
        floating.set(qn(f"w:{key}"), value)
    tbl_pr.insert(1 if tbl_pr.find(qn("w:tblStyle")) is not None else 0, floating)
    overlap = OxmlElement("w:tblOverlap")
    overlap.set(qn("w:val"), "never")
    floating.addnext(overlap)
    borders = OxmlElement("w:tblBorders")
    for side, size in (
        ("top", "8"),
        ("bottom", "8"),
        ("insideH", "4"),
        ("left", "0"),
        ("right", "0"),
        ("insideV", "0"),
    ):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single" if size != "0" else "nil")
        if size != "0":
            line.set(qn("w:sz"), size)
            line.set(qn("w:space"), "0")
            line.set(qn("w:color"), "000000")
        borders.append(line)
    tbl_pr.append(borders)
    _after_floating_table(doc)


def _after_floating_table(doc: Any) -> None:
    """A body must not end with a table: Word adds a paragraph after it, LibreOffice drops a floating
    table that ends the body (the 版记 vanished from the printed 正式文本). One empty 1-pt paragraph."""
    tail = doc.add_paragraph()
    tail.paragraph_format.space_before = tail.paragraph_format.space_after = Pt(0)
    tail.paragraph_format.line_spacing = Pt(1)
    tail.paragraph_format.first_line_indent = Pt(0)


def _rules(p: Any, sides: tuple[str, ...], color: str) -> None:
    ppr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    for side in sides:
        line = OxmlElement(f"w:{side}")
        for key, value in (("val", "single"), ("sz", "8"), ("space", "4"), ("color", color)):
            line.set(qn(f"w:{key}"), value)
        border.append(line)
    ppr.append(border)


def _red_rule(p: Any) -> None:
    """The red separator line under the 文号 (版头中的分隔线)."""
    ppr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "8"), ("color", "E60012")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    ppr.append(border)


def filing_report() -> Any:
    """备案报告, an upward document (上行文): 版头 with the 发文字号 on the left and 签发人 on the right of one line
    (GB/T 9704-2012 7.2.6), the materials as its 附件 (the report is not its own attachment), 联系人 in the 附注."""
    doc = Document()
    apply_page_and_styles(doc)
    mark = doc.add_paragraph()
    mark.alignment = CENTER
    run = mark.add_run("{{机关.名称}}文件")
    set_font(run, TITLE_FONT, Pt(48))
    run.font.color.rgb = RGBColor(0xE6, 0x00, 0x12)
    doc.add_paragraph()
    line = plain(doc, "{{备案.文号}}\t签发人：{{备案.签发人}}", indent=False)
    line.paragraph_format.left_indent = Pt(16)
    line.paragraph_format.right_indent = Pt(16)
    line.paragraph_format.tab_stops.add_tab_stop(Mm(156) - Pt(16), WD_TAB_ALIGNMENT.RIGHT)  # 版心 156 mm
    _red_rule(line)
    doc.add_paragraph()
    doc.add_paragraph("{{机关.名称}}关于报送《{{案件.标题}}》备案的报告", style="Title")
    plain(doc, "{{机关.备案机关}}：", indent=False)
    plain(
        doc,
        "《{{案件.标题}}》（{{案件.文号}}）已于{{备案.审议日期}}经{{备案.会议}}审议通过，于{{案件.公布日期}}公布，"
        "{{备案.施行}}。根据《国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知》（国办发〔2018〕37号）"
        "的规定，现将该文件报送备案，请予审查。",
    )
    plain(doc, "{{材料.前缀}}{{材料.序号}}．{{材料.名称}}")  # 附件说明 (GB/T 9704-2012 7.3.4)
    signature(doc, "{{机关.名称}}", "{{备案.日期}}")
    plain(doc, "（联系人：{{备案.联系人}}，联系电话：{{机关.联系电话}}）")
    return doc


TEMPLATES = {
    "合法性审核意见书": opinion,
    "风险评估报告": risk,
    "征求意见采纳情况表": consultation,
    "公平竞争审查表": fair_competition,
    "集体审议记录摘录": deliberation,
    "规范性文件登记表": register,
    "正式文本": official_text,
    "备案报告": filing_report,
}


def main(names: list[str]) -> None:
    """Build the named templates (all when none is named)."""
    for name, build in TEMPLATES.items():
        if names and name not in names:
            continue
        doc = build()
        doc.core_properties.title = f"{name}（模板）"
        doc.core_properties.author = "reviewkit"
        doc.save(str(HERE / f"{name}.docx"))
        print(HERE / f"{name}.docx")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
