"""Builds the sample drafts used by ``reviewkit demo`` from the texts below.

Run from the repository root: ``python templates/samples/build_samples.py``. The .docx files are
committed; this script documents where they come from and rebuilds them after an edit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
TITLE = "某县政府采购代理机构监督管理暂行办法"

COMMON_HEAD = [
    "第一章　总则",
    "第一条　为加强本县政府采购代理机构监督管理，规范政府采购代理行为，提高政府采购质量和效率，"
    "根据《中华人民共和国政府采购法》《中华人民共和国政府采购法实施条例》《政府采购代理机构管理暂行办法》"
    "（财库〔2018〕2号）等规定，结合本县实际，制定本办法。",
    "第二条　本办法适用于在本县行政区域内从事政府采购代理业务的采购代理机构及其从业人员的监督管理。",
    "第三条　县财政局负责本县政府采购代理机构的监督管理工作。县级各预算单位应当加强对其委托的采购代理"
    "机构的履约管理。",
]

DRAFT_BODY = [
    "第二章　代理机构的选择与委托",
    "第四条　采购人应当优先选择在本县注册登记并缴纳税收的采购代理机构，外地代理机构在本县承接业务的，"
    "应当在本县设立分支机构。",
    "第五条　采购代理机构应当在承接本县政府采购代理业务前，向县财政局办理备案手续，未经备案的，不得从事"
    "本县政府采购代理业务。",
    "第六条　采购人与采购代理机构签订委托代理协议，适用《中华人民共和国合同法》的有关规定，明确代理采购"
    "的范围、权限、期限、档案保存、代理费用收取方式及标准等事项。",
    "第三章　代理行为规范",
    "第七条　采购代理机构应当严格按照委托代理协议开展采购活动，不得超越代理权限，不得向采购人或者供应商"
    "收取没有法律依据的费用。",
    "第八条　采购代理机构应当在规定的媒体上发布采购信息，采购文件的发售期限自开始发出之日起不得少于5个工作日。",
    "第九条　采购代理机构应当妥善保存采购文件，保存期限为从采购结束之日起至少十五年。",
    "第四章　监督检查",
    "第十条　县财政局对采购代理机构的代理行为实行年度考核，考核结果向社会公开。",
    "第十一条　县财政局可以对采购代理机构的代理活动进行检查，有关单位和个人应当如实反映情况，提供有关材料。",
    "第十二条　采购代理机构有下列情形之一的，由县财政局处以五千元以上二万元以下罚款，并列入本县政府采购"
    "黑名单，三年内不得在本县从事政府采购代理业务：（一）未按规定办理备案的；（二）考核不合格的。",
    "第五章　附则",
    "第十三条　本办法由县财政局负责解释。",
    "第十四条　本办法自印发之日起施行。",
]

REVISED_BODY = [
    "第二章　代理机构的选择与委托",
    "第四条　采购人应当根据项目特点、代理机构专业领域和综合信用水平等因素，自主择优选择采购代理机构。"
    "任何单位和个人不得以任何方式为采购人指定采购代理机构。",
    "第五条　采购代理机构应当按照《政府采购代理机构管理暂行办法》的规定，在中国政府采购网完成网上登记。"
    "县财政局不对采购代理机构设定额外的备案或者登记条件。",
    "第六条　采购人与采购代理机构签订委托代理协议，适用《中华人民共和国民法典》的有关规定，明确代理采购"
    "的范围、权限、期限、档案保存、代理费用收取方式及标准等事项。",
    "第三章　代理行为规范",
    "第七条　采购代理机构应当严格按照委托代理协议开展采购活动，不得超越代理权限，不得向采购人或者供应商"
    "收取没有法律依据的费用。",
    "第八条　采购代理机构应当在规定的媒体上发布采购信息，采购文件的发售期限自开始发出之日起不得少于5个工作日。",
    "第九条　采购代理机构应当妥善保存采购文件，保存期限为从采购结束之日起至少十五年。",
    "第四章　监督检查",
    "第十条　县财政局对采购代理机构的代理行为进行监督评价，评价结果依法向社会公开。",
    "第十一条　县财政局可以依法对采购代理机构的代理活动进行检查，有关单位和个人应当如实反映情况，提供有关材料。",
    "第十二条　采购代理机构违反本办法规定的，由县财政局依照《中华人民共和国政府采购法》"
    "《中华人民共和国政府采购法实施条例》的有关规定处理。",
    "第五章　附则",
    "第十三条　本办法由县财政局负责解释。",
    "第十四条　本办法自2027年1月1日起施行，有效期2年。",
]


def _font(run, name: str, size: float) -> None:  # type: ignore[no-untyped-def]
    run.font.name = name
    run.font.size = Pt(size)
    run._element.rPr.rFonts.set(qn("w:eastAsia"), name)


def build(path: Path, body: list[str], note: str) -> None:
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(TITLE), "方正小标宋简体", 22)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(sub.add_run(f"（{note}）"), "楷体_GB2312", 16)
    for text in COMMON_HEAD + body:
        p = doc.add_paragraph()
        if text.startswith("第") and "章" in text[:5]:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(p.add_run(text), "黑体", 16)
        else:
            p.paragraph_format.first_line_indent = Pt(32)
            _font(p.add_run(text), "仿宋_GB2312", 16)
    props = doc.core_properties
    props.title = TITLE
    props.author = "某县财政局政府采购股"
    props.created = dt.datetime(2026, 11, 2, 9, 0, 0)
    props.modified = dt.datetime(2026, 11, 2, 9, 0, 0)
    props.last_modified_by = "某县财政局政府采购股"
    props.revision = 1
    doc.save(str(path))


if __name__ == "__main__":
    build(HERE / "draft-v1.docx", DRAFT_BODY, "送审稿")
    build(HERE / "draft-v2.docx", REVISED_BODY, "修改稿")
    print("已生成 draft-v1.docx、draft-v2.docx")
