"""GB/T 9704-2012 basics shared by the templates' builder and the documents reviewkit composes in code
(the 修改对照稿): A4 with the standard margins, 仿宋_GB2312 三号 body, 方正小标宋简体 二号 title,
黑体 / 楷体_GB2312 headings, a centred page number in the footer, and dates written the official way."""

from __future__ import annotations

from datetime import date
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
TABLE_SIZE = Pt(12)  # 小四
LINE = Pt(28)  # 22 lines a page on the standard type area


def official_date(value: date | None) -> str:
    """成文日期 in Arabic numerals without padding: ``2026年11月28日``."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def set_font(target: Any, east_asia: str, size: Any = None, *, bold: bool | None = None) -> None:
    """Set the Chinese (eastAsia) and Latin font of a run or style; Word reads both."""
    font = target.font
    font.name = LATIN_FONT if east_asia in (BODY_FONT, HEADING2_FONT) else east_asia
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    element = target.element if hasattr(target, "element") else target._element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):  # a theme font would win
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def apply_page_and_styles(doc: Any) -> None:
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.footer_distance = Mm(18)
    normal = doc.styles["Normal"]
    set_font(normal, BODY_FONT, BODY_SIZE)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    title = doc.styles["Title"]
    set_font(title, TITLE_FONT, TITLE_SIZE, bold=False)
    title.font.color.rgb = None
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(28)
    _no_border(title)
    for name, font in (("Heading 1", HEADING1_FONT), ("Heading 2", HEADING2_FONT)):
        style = doc.styles[name]
        set_font(style, font, BODY_SIZE, bold=False)
        style.font.color.rgb = None
        style.paragraph_format.first_line_indent = Pt(32)
        style.paragraph_format.space_before = style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        style.paragraph_format.line_spacing = LINE
    set_font(doc.styles["Table Grid"], BODY_FONT, TABLE_SIZE)
    _page_number_footer(doc)


def _no_border(style: Any) -> None:
    ppr = style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)


def _page_number_footer(doc: Any) -> None:
    """``— 1 —`` centred in 宋体 四号 (GB/T 9704 7.5)."""
    for section in doc.sections:
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for text, field in (("— ", False), ("PAGE", True), (" —", False)):
            run = footer.add_run()
            set_font(run, "宋体", Pt(14))
            if not field:
                run.text = text
                continue
            begin, instr, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
            begin.set(qn("w:fldCharType"), "begin")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            end.set(qn("w:fldCharType"), "end")
            run._r.append(begin)
            run._r.append(instr)
            run._r.append(end)


def body_paragraph(doc: Any, text: str = "", *, indent: bool = True, align: Any = None) -> Any:
    p = doc.add_paragraph(text)
    if indent:
        p.paragraph_format.first_line_indent = Pt(32)  # two characters
    if align is not None:
        p.alignment = align
    return p
