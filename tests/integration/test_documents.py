"""Papers from the record: the demo case, run through the real services on SQLite and PostgreSQL, leaves
every formal paper on file, each with the values of the case in it (read back with python-docx)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from sqlmodel import col, select

from reviewkit.services import demo, workflow
from reviewkit.services.documents import KINDS, render_document
from reviewkit.settings import get_settings
from reviewkit.store import blobs
from reviewkit.store.db import session_scope
from reviewkit.store.models import Attachment, AuditEvent, Case
from tests.actors import proven

OFFICIAL_DATE = re.compile(r"^\d{4}年[1-9]\d?月[1-9]\d?日$")


def run_demo() -> int:
    case_id = demo.prepare()
    for _ in range(40):
        with session_scope() as session:
            case = session.get(Case, case_id)
            assert case is not None
            if case.status != "open":
                return case_id
        if workflow.stage_kind(case_id) == "auto":
            workflow.run_auto_stage(case_id)
        else:
            demo.decide_scripted(case_id)
    raise AssertionError("demo did not finish")


def on_file(case_id: int, name: str, round_: int | None = None) -> tuple[Attachment, bytes]:
    with session_scope() as session:
        query = select(Attachment).where(Attachment.case_id == case_id, Attachment.name == name)
        if round_ is not None:
            query = query.where(Attachment.round == round_)
        item = session.exec(query.order_by(col(Attachment.id).desc())).first()
    assert item is not None, f"{name} not on file"
    return item, blobs.read_bytes(get_settings().resolved_data_dir, item.sha256)


def text_of(data: bytes) -> tuple[list[str], list[list[str]]]:
    doc = Document(io.BytesIO(data))
    rows = [[c.text for c in r.cells] for t in doc.tables for r in t.rows]
    return [p.text for p in doc.paragraphs if p.text.strip()], rows


def field(rows: list[list[str]], label: str) -> str:
    return next(r[1] for r in rows if r[0] == label)


@pytest.fixture
def demo_case(db_url: str) -> int:
    return run_demo()


def test_the_demo_files_every_paper_with_the_case_values(demo_case: int) -> None:
    case_id = demo_case
    with session_scope() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.stage == "filed"
        number, doc_number = case.number, case.doc_number
        failures = session.exec(select(AuditEvent).where(AuditEvent.action == "document.failed")).all()
    assert failures == []
    assert doc_number is not None and re.fullmatch(r"某财规〔\d{4}〕1号", doc_number)

    # Round 1: the 审核机构 returns the draft; the opinion ticks 应当予以修改 and lists the findings by article.
    # Legal review 2026-12 D3/P4/P6 (国办发〔2018〕115号): the 机构's own 文号, 收文日期, materials received, findings
    # under 主体/权限/内容/程序, signed and sealed by the 审核机构 (not by an outside lawyer); no case number or
    # SHA-256 in the body; 应当予以修改 no longer says "未经修改的，不得提交集体审议" (only 不合法 bars 审议, 37号(六)).
    item, data = on_file(case_id, "审核意见书", 1)
    assert item.generated and item.stage == "legality_review"
    paras, rows = text_of(data)
    year = date.today().year
    assert paras[1] == f"某财法审〔{year}〕1号"
    assert "☐合法　☑应当予以修改　☐不合法" in paras
    assert any("第四条限定本地注册纳税的代理机构" in p for p in paras)
    assert (
        re.search(r"你单位于\d{4}年\d{1,2}月\d{1,2}日报送的", paras[3])
        and "起草说明、风险评估报告" in paras[3]
    )
    assert "制定依据（《中华人民共和国政府采购法》" in paras[3]
    assert not any("SHA-256" in p or number in p for p in paras)
    assert not any("不得提交集体审议" in p for p in paras)
    assert paras[-3] == "某县财政局法规股（盖章）" and OFFICIAL_DATE.match(paras[-2])
    assert paras[-1].startswith("（经办人：孙丽")
    assert [r[0] for r in rows[1:5]] == ["制定主体", "制定权限", "内容", "制定程序"]
    assert "行政许可" in field(rows, "制定权限") and "已公开征求意见" in field(rows, "制定程序")
    assert any(r[1] == "第十二条" and "行政处罚法" in r[3] for r in rows[5:])
    assert any(r[1] == "第六条" and "合同法" in r[2] and "民法典" in r[4] for r in rows[5:])
    doc = Document(io.BytesIO(data))
    props = doc.core_properties
    assert (
        props.title == f"《{demo.DEMO_TITLE}》合法性审核意见书" and props.author == "孙丽" and props.created
    )
    assert props.subject == number  # the case number lives in the file's properties, not in the body
    signature = [p for p in doc.paragraphs if p.text.strip()][-3:]
    assert all(p.paragraph_format.keep_with_next for p in signature[:-2])  # no orphan signature page

    # Round 2: 合法, the next number of the 机构's series.
    paras, rows = text_of(on_file(case_id, "审核意见书", 2)[1])
    assert "☑合法　☐应当予以修改　☐不合法" in paras and "送审稿（第2稿）" in paras[3]
    assert paras[1] == f"某财法审〔{year}〕2号"

    # The comments received, per article, with how each was handled.
    paras, rows = text_of(on_file(case_id, "征求意见采纳情况")[1])
    assert "共收到意见4条，其中采纳2条，部分采纳1条，不予采纳1条。" in paras
    assert any(p.startswith("征求意见期间：") and "日至" in p for p in paras)
    ninth = next(r for r in rows if r[1] == "第九条")
    assert ninth[4] == "不予采纳" and "政府采购法第四十二条" in ninth[5]

    paras, rows = text_of(on_file(case_id, "公平竞争审查结论", 2)[1])
    assert field(rows, "审查结论") == "☑符合　☐不符合" and field(rows, "审查人") == "赵敏"
    paras, rows = text_of(on_file(case_id, "风险评估报告")[1])
    assert "评估完成。风险可控，评估报告随送审材料报送合法性审核。" in paras and "评估人：李华" in paras
    paras, rows = text_of(on_file(case_id, "集体审议记录")[1])
    assert field(rows, "会议名称") == "局务会议" and field(rows, "审议结论") == "通过"
    assert field(rows, "出席人员").startswith("陈军（局长，主持）") and "第十条" in field(
        rows, "不同意见"
    )  # P8, 37号 三(七)
    assert field(rows, "合法性审核意见").startswith("合法（")

    # Publication: number, register, official text, filing report.
    paras, rows = text_of(on_file(case_id, "规范性文件登记表")[1])
    assert field(rows, "发文字号") == doc_number and field(rows, "施行日期") == "2027年1月1日"
    assert field(rows, "有效期") == "2年（至2028年12月31日）"  # D6: 自2027年1月1日起施行，有效期2年
    assert OFFICIAL_DATE.match(field(rows, "公布日期"))
    # D1/D2 (legal review 2026-12): the 正式文本 is a 印发通知 with 主送机关 (党政机关公文处理工作条例 第八条: "办法"
    # is not a 文种), the 办法 after it with its 章 headings centred, and the 版记 with 抄送 at the foot of the last page
    # (GB/T 9704-2012 7.4: a table floating at the bottom margin).
    item, data = on_file(case_id, "正式文本")
    paras, rows = text_of(data)
    notice = f"某县财政局关于印发《{demo.DEMO_TITLE}》的通知"
    assert paras[:5] == [
        "某县财政局文件",
        doc_number,
        notice,
        "局机关各股室，局属各单位，各乡镇财政所：",
        f"现将《{demo.DEMO_TITLE}》印发给你们，请认真贯彻执行。",
    ]
    assert paras[5] == "某县财政局" and OFFICIAL_DATE.match(paras[6]) and paras[7] == "（此件公开发布）"
    assert paras[8] == demo.DEMO_TITLE and any(p.startswith("第四条　采购人应当根据项目特点") for p in paras)
    assert "（修改稿）" not in paras
    doc = Document(io.BytesIO(data))
    chapter = next(p for p in doc.paragraphs if p.text.startswith("第一章"))
    article = next(p for p in doc.paragraphs if p.text.startswith("第一条"))
    assert chapter.alignment == WD_ALIGN_PARAGRAPH.CENTER and article.alignment is None
    assert next(p for p in doc.paragraphs if p.text == demo.DEMO_TITLE).paragraph_format.page_break_before
    assert rows[0][0] == "抄送：某县人民政府办公室，某县司法局。"
    assert rows[1][0] == "某县财政局办公室" and rows[1][1].endswith("日印发")  # 版记
    colophon = doc.tables[-1]._tbl
    floating = colophon.tblPr.find(qn("w:tblpPr"))
    assert floating is not None and floating.get(qn("w:tblpYSpec")) == "bottom"
    assert doc.element.body.index(colophon) > doc.element.body.index(
        article._p
    )  # after the text, on its last page
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"

    # D4: the 备案报告 is an upward document with its own 文号 and 签发人; it does not list itself; 联系人 in the 附注.
    paras, _ = text_of(on_file(case_id, "备案报告")[1])
    year = doc_number[doc_number.index("〔") + 1 : doc_number.index("〕")]
    assert paras[0] == "某县财政局文件" and paras[1] == f"某财报〔{year}〕1号\t签发人：陈军"
    assert paras[2] == f"某县财政局关于报送《{demo.DEMO_TITLE}》备案的报告" and paras[3] == "某县人民政府："
    assert f"（{doc_number}）" in paras[4] and "自2027年1月1日起施行" in paras[4]
    assert (
        paras[5] == "附件：1．正式文本"
        and paras[6] == "　　　2．起草说明"
        and "3．合法性审核意见书" in paras[7]
    )
    assert not any(p.endswith("备案报告") for p in paras[5:])
    assert paras[-1] == "（联系人：刘洋，联系电话：0000-12345678）" and OFFICIAL_DATE.match(paras[-2])

    # The 备案 package: a zip whose manifest holds the SHA-256 of each file, with the 全过程记录.
    item, data = on_file(case_id, "备案材料包")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read("清单.json"))
        names = [f["name"] for f in manifest["files"]]
        assert (
            names[:4] == ["备案报告", "正式文本", "起草说明", "合法性审核意见书"]
            and names[-1] == "全过程记录"
        )
        record, _ = text_of(zf.read(manifest["files"][-1]["file"]))
        assert any("审计链完整" in p for p in record)
    assert manifest["doc_number"] == doc_number and manifest["case"] == number
    from reviewkit.documents.package import verify

    assert verify(data) == []


def test_redline_after_return_keeps_counsels_comments(demo_case: int) -> None:
    item, data = on_file(demo_case, "修改对照稿")
    assert item.generated and item.round == 2
    doc = Document(io.BytesIO(data))
    inserted = "".join(t.text or "" for el in doc.element.body.iter(qn("w:ins")) for t in el.iter(qn("w:t")))
    deleted = "".join(
        t.text or "" for el in doc.element.body.iter(qn("w:del")) for t in el.iter(qn("w:delText"))
    )
    assert "自主择优选择采购代理机构" in inserted and "民法典" in inserted
    assert "在本县注册登记并缴纳税收" in deleted and "合同法" in deleted
    comments = [(c.author, c.text) for c in doc.comments]
    assert any(a == "孙丽" and t.startswith("审核意见（应当予以修改）") for a, t in comments)
    assert any(a == "孙丽" and t.startswith("第四条限定本地注册纳税") for a, t in comments)
    assert any(a == "reviewkit 预审" and "行政处罚" in t for a, t in comments)
    assert "第1稿" in doc.paragraphs[1].text and "第2稿" in doc.paragraphs[1].text


def test_every_kind_renders_for_the_demo_case(demo_case: int) -> None:
    for kind in KINDS:
        if kind.id == "audit_record":
            continue
        rendered = render_document(demo_case, kind.title)
        paras, rows = text_of(rendered.data)
        joined = "\n".join(paras + ["|".join(r) for r in rows])
        assert "{{" not in joined and "｛｛" not in joined, kind.title
        assert demo.DEMO_TITLE in joined, kind.title


def test_a_rendered_paper_converts_to_pdf(db_url: str, tmp_path: Path) -> None:
    """LibreOffice (installed by .ci/run) opens the rendered .docx and prints it; the PDF's text holds
    the 文号 line, the title and the 成文日期."""
    import shutil
    import subprocess

    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not soffice or not pdftotext or not db_url.startswith("sqlite"):
        pytest.skip("needs LibreOffice and poppler-utils (see .ci/run); run once, on SQLite")
    case_id = run_demo()
    docx = tmp_path / "正式文本.docx"
    docx.write_bytes(render_document(case_id, "正式文本").data)
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "正式文本.pdf"
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    with session_scope() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.doc_number and case.published_on
    squeezed = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", case.doc_number) in squeezed and "某县财政局文件" in squeezed
    assert demo.DEMO_TITLE in squeezed and "第十四条" in squeezed
    published = case.published_on
    assert f"{published.year}年{published.month}月{published.day}日" in squeezed
    # The 版记 is printed, on the last page (GB/T 9704-2012 7.4): LibreOffice dropped a floating table that
    # ended the body, so the template ends with an empty paragraph after it.
    pages = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout,
        ).group(1)
    )  # type: ignore[union-attr]
    last = re.sub(
        r"\s+",
        "",
        subprocess.run(
            [pdftotext, "-f", str(pages), "-l", str(pages), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout,
    )
    assert "抄送：" in last and f"{published.year}年{published.month}月{published.day}日印发" in last, last


def _edit_like_word(path: Path) -> None:
    """What Word does to a template in a clerk's hands: a placeholder split over runs with a proofing
    mark between them and a format change in the middle; a font changed elsewhere."""
    from docx.oxml import OxmlElement

    doc = Document(str(path))
    p = next(p for p in doc.paragraphs if "{{意见.审核人}}" in p.text)
    for r in list(p.runs):
        r._r.getparent().remove(r._r)
    for i, piece in enumerate(["（经办人：{{意", "见.审核", "人}}）"]):
        run = p.add_run(piece)
        run.bold = i == 1
        if i == 0:
            mark = OxmlElement("w:proofErr")
            mark.set(qn("w:type"), "spellStart")
            p._p.append(mark)
    doc.styles["Heading 1"].font.size = doc.styles["Normal"].font.size
    doc.save(str(path))


def test_templates_edited_in_word_still_render_and_a_broken_one_never_blocks_a_decision(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from reviewkit.services.attachments import attach
    from reviewkit.services.document_context import Pending
    from reviewkit.settings import reset_settings
    from tests.builders import build_docx

    templates = tmp_path / "templates"
    shutil.copytree(get_settings().templates_dir, templates)
    monkeypatch.setenv("REVIEWKIT_TEMPLATES_DIR", str(templates))
    reset_settings()
    opinion = templates / "docx" / "合法性审核意见书.docx"
    _edit_like_word(opinion)
    case_id = demo.prepare()
    while workflow.stage_kind(case_id) == "auto" or _stage(case_id) != "legality_review":
        workflow.run_auto_stage(case_id) if workflow.stage_kind(case_id) == "auto" else demo.decide_scripted(
            case_id
        )
    rendered = render_document(
        case_id, "合法性审核意见书", pending=Pending("应当予以修改", "第四条限定本地机构", "sunli")
    )
    paras, _ = text_of(rendered.data)
    assert any(p.startswith("（经办人：孙丽") for p in paras)

    doc = Document(str(opinion))
    doc.add_paragraph("联系人：{{意见.审核人姓名}}")  # a typo a clerk might make
    doc.save(str(opinion))
    attach(
        case_id,
        "审核意见书",
        build_docx(tmp_path / "意见.docx", title="审核意见书", articles=["应当修改。"]),
        proven("sunli"),
    )
    result = workflow.decide(case_id, "应当予以修改", proven("sunli"), opinion="第四条限定本地机构")
    assert result.to_stage == "revision"  # the decision stands
    with session_scope() as session:
        failed = session.exec(select(AuditEvent).where(AuditEvent.action == "document.failed")).all()
    assert len(failed) == 1 and "意见.审核人姓名" in failed[0].payload


def _stage(case_id: int) -> str:
    with session_scope() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.stage
