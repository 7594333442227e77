"""修改对照稿 as Word tracked changes with comments kept open, and the 备案 package's manifest."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

from docx import Document
from docx.oxml.ns import qn

from reviewkit.documents import package
from reviewkit.documents.redline import Comparison, Remark, compare

OLD = [
    "某县政府采购代理机构监督管理暂行办法",
    "（送审稿）",
    "第一条　为了规范管理，制定本办法。",
    "第四条　采购人应当优先选择在本县注册登记并缴纳税收的采购代理机构。",
    "第五条　采购代理机构应当办理备案手续。",
    "第六条　本办法自印发之日起施行。",
]
NEW = [
    "某县政府采购代理机构监督管理暂行办法",
    "（修改稿）",
    "第一条　为了规范管理，制定本办法。",
    "第四条　采购人应当自主择优选择采购代理机构。",
    "第六条　本办法自2027年1月1日起施行，有效期2年。",
    "第七条　本办法由县财政局负责解释。",
]


def _doc(data: bytes):  # type: ignore[no-untyped-def]
    return Document(io.BytesIO(data))


def _changes(doc, tag: str, text_tag: str) -> list[str]:  # type: ignore[no-untyped-def]
    return ["".join(t.text or "" for t in el.iter(qn(text_tag))) for el in doc.element.body.iter(qn(tag))]


def test_tracked_changes_and_open_comments() -> None:
    info = Comparison(
        title="某县政府采购代理机构监督管理暂行办法",
        old_label="第1稿",
        new_label="第2稿",
        author="张伟",
        when=datetime(2026, 11, 28, tzinfo=UTC),
        remarks=[
            Remark(None, "审核意见（应当予以修改）：见各条", "王芳"),
            Remark(3, "第四条限定本地注册纳税的代理机构", "王芳"),
            Remark(4, "第五条以备案作为从业前置条件", "王芳"),
        ],
    )
    doc = _doc(compare(OLD, NEW, info))
    inserted = _changes(doc, "w:ins", "w:t")
    deleted = _changes(doc, "w:del", "w:delText")
    assert "第七条　本办法由县财政局负责解释。" in inserted  # a new paragraph
    assert "第五条　采购代理机构应当办理备案手续。" in deleted  # a removed paragraph
    assert any("自主择优" in t for t in inserted) and any("优先选择在本县注册登记" in t for t in deleted)
    assert "送审" in deleted and "修改" in inserted
    assert all(el.get(qn("w:author")) == "张伟" for el in doc.element.body.iter(qn("w:ins")))
    comments = {c.text: c.author for c in doc.comments}
    assert comments == {
        "审核意见（应当予以修改）：见各条": "王芳",
        "第四条限定本地注册纳税的代理机构": "王芳",
        "第五条以备案作为从业前置条件": "王芳",
    }
    # The comment on the deleted 第五条 sits on that (deleted) paragraph, not lost.
    for p in doc.paragraphs:
        if p._p.find(qn("w:commentRangeStart")) is not None and "第五条" in "".join(
            t.text or "" for t in p._p.iter(qn("w:delText"))
        ):
            break
    else:
        raise AssertionError("comment on the deleted article is missing")
    assert doc.core_properties.title == "《某县政府采购代理机构监督管理暂行办法》修改对照稿"


def test_unchanged_text_has_no_tracked_changes() -> None:
    info = Comparison(
        title="某办法",
        old_label="第1稿",
        new_label="第2稿",
        author="张伟",
        when=datetime(2026, 11, 28, tzinfo=UTC),
    )
    doc = _doc(compare(OLD, OLD, info))
    assert _changes(doc, "w:ins", "w:t") == [] and _changes(doc, "w:del", "w:delText") == []


def test_package_manifest_lists_sha256_and_checks() -> None:
    items = [
        package.Item("备案报告", "01-备案报告.docx", b"report"),
        package.Item("正式文本", "02-正式文本.docx", b"text"),
    ]
    made = datetime(2026, 11, 28, tzinfo=UTC)
    data = package.build(
        items,
        title="某办法",
        case_number="RK-2026-0001",
        doc_number="某财规〔2026〕1号",
        made_at=made,
        made_by="刘洋",
    )
    assert data == package.build(
        items,
        title="某办法",
        case_number="RK-2026-0001",
        doc_number="某财规〔2026〕1号",
        made_at=made,
        made_by="刘洋",
    )  # reproducible
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read("清单.json"))
        assert zf.namelist() == ["01-备案报告.docx", "02-正式文本.docx", "清单.json", "清单.txt"]
        assert "SHA-256" in zf.read("清单.txt").decode("utf-8")
    import hashlib

    assert [f["sha256"] for f in manifest["files"]] == [
        hashlib.sha256(b"report").hexdigest(),
        hashlib.sha256(b"text").hexdigest(),
    ]
    assert package.verify(data) == []
    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, b"forged" if name == "01-备案报告.docx" else src.read(name))
    assert package.verify(tampered.getvalue()) == ["01-备案报告.docx 的 SHA-256 与清单不符"]
