"""修改对照稿: the new draft against the one counsel saw, as Word tracked changes.

Paragraphs are aligned first (difflib over paragraph texts); a changed paragraph is then compared
character by character. Deleted text is ``w:del`` (struck through), inserted text ``w:ins``
(underlined), so the drafter or counsel can step through the changes in Word's 审阅 tab and accept or
reject each. Counsel's remarks on the old version (the opinion, the findings by paragraph) are Word
comments on the paragraph they concern, wherever it ended up, so they are still open in the new text.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.run import Run

from reviewkit.documents.layout import apply_page_and_styles, body_paragraph


@dataclass(frozen=True)
class Remark:
    """A comment to keep open: on old paragraph ``paragraph`` (None: on the document as a whole)."""

    paragraph: int | None
    text: str
    author: str
    initials: str = ""


@dataclass(frozen=True)
class Comparison:
    title: str
    old_label: str  # 第1稿（审核所据）
    new_label: str
    author: str  # who made the changes (the new version's submitter)
    when: datetime
    remarks: list[Remark] = field(default_factory=list)


@dataclass
class _Ids:
    value: int = 0

    def next(self) -> str:
        self.value += 1
        return str(self.value)


def paragraphs_of(data: bytes) -> list[str]:
    """Body paragraph texts in python-docx order (the indices findings use)."""
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def compare(old: list[str], new: list[str], info: Comparison) -> bytes:
    doc = Document()
    apply_page_and_styles(doc)
    doc.add_paragraph(f"《{info.title}》修改对照稿", style="Title")
    for line in (
        f"对照：{info.new_label}与{info.old_label}",
        "说明：删除线为删去的内容，下划线为新增的内容（Word 修订，"
        "可在“审阅”选项卡中逐条接受或拒绝）；批注为审核时提出、仍待核对的意见。",
    ):
        body_paragraph(doc, line, indent=False).runs[0].font.size = doc.styles["Normal"].font.size
    rule = doc.add_paragraph()
    rule.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rule.add_run("—" * 20)
    ids = _Ids(100)
    stamp = info.when.strftime("%Y-%m-%dT%H:%M:%SZ")
    mark = {"author": info.author, "date": stamp}
    where: dict[int, Any] = {}  # old paragraph index → output paragraph
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                where[i1 + k] = _plain(doc, new[j1 + k])
            continue
        for i, j in _pair(old, new, range(i1, i2), range(j1, j2)):
            if i is not None and j is not None:
                where[i] = _changed(doc, old[i], new[j], ids, mark)
            elif i is not None:
                where[i] = _whole(doc, old[i], "del", ids, mark)
            elif j is not None:
                _whole(doc, new[j], "ins", ids, mark)
    title = doc.paragraphs[0]
    for remark in info.remarks:
        target = where.get(remark.paragraph, title) if remark.paragraph is not None else title
        doc.add_comment(
            _anchor(target), text=remark.text, author=remark.author, initials=remark.initials or ""
        )
    core = doc.core_properties
    core.title = f"《{info.title}》修改对照稿"
    core.author = core.last_modified_by = info.author
    core.created = core.modified = info.when
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


SIMILAR = 0.45


def _pair(old: list[str], new: list[str], olds: range, news: range) -> list[tuple[int | None, int | None]]:
    """Align a changed block in order: an old paragraph is paired with the first new one it still
    resembles (a revised article); the others are whole deletions or insertions."""
    out: list[tuple[int | None, int | None]] = []
    pending = list(news)
    for i in olds:
        match = next(
            (
                j
                for j in pending
                if difflib.SequenceMatcher(None, old[i], new[j], autojunk=False).ratio() >= SIMILAR
            ),
            None,
        )
        if match is None:
            out.append((i, None))
            continue
        while pending and pending[0] != match:
            out.append((None, pending.pop(0)))
        pending.pop(0)
        out.append((i, match))
    out += [(None, j) for j in pending]
    return out


def _plain(doc: Any, text: str) -> Any:
    return body_paragraph(doc, text, indent=False)


def _run(text: str, *, deleted: bool = False) -> Any:
    r = OxmlElement("w:r")
    t = OxmlElement("w:delText" if deleted else "w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    r.append(t)
    return r


def _tracked(kind: str, text: str, ids: _Ids, mark: dict[str, str]) -> Any:
    wrapper = OxmlElement(f"w:{kind}")
    wrapper.set(qn("w:id"), ids.next())
    wrapper.set(qn("w:author"), mark["author"])
    wrapper.set(qn("w:date"), mark["date"])
    wrapper.append(_run(text, deleted=kind == "del"))
    return wrapper


def _changed(doc: Any, before: str, after: str, ids: _Ids, mark: dict[str, str]) -> Any:
    p = body_paragraph(doc, "", indent=False)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in _merge_small(matcher.get_opcodes(), before):
        if op == "equal":
            p._p.append(_run(before[i1:i2]))
            continue
        if i2 > i1:
            p._p.append(_tracked("del", before[i1:i2], ids, mark))
        if j2 > j1:
            p._p.append(_tracked("ins", after[j1:j2], ids, mark))
    return p


def _merge_small(
    opcodes: Iterable[tuple[str, int, int, int, int]], before: str
) -> list[tuple[str, int, int, int, int]]:
    """Fold an equal stretch of one or two characters between two changes into the change, so a
    rewritten sentence reads as one deletion and one insertion instead of confetti."""
    out: list[tuple[str, int, int, int, int]] = []
    for op in opcodes:
        if out and out[-1][0] != "equal" and op[0] != "equal":
            _, a1, _, b1, _ = out.pop()
            out.append(("replace", a1, op[2], b1, op[4]))
        elif (
            out
            and op[0] != "equal"
            and len(out) >= 2
            and out[-1][0] == "equal"
            and out[-1][2] - out[-1][1] <= 2
            and out[-2][0] != "equal"
        ):
            out.pop()
            _, a1, _, b1, _ = out.pop()
            out.append(("replace", a1, op[2], b1, op[4]))
        else:
            out.append(op)
    return out


def _whole(doc: Any, text: str, kind: str, ids: _Ids, mark: dict[str, str]) -> Any:
    p = body_paragraph(doc, "", indent=False)
    p._p.append(_tracked(kind, text, ids, mark))
    ppr = p._p.get_or_add_pPr()
    rpr = OxmlElement("w:rPr")
    change = OxmlElement(f"w:{kind}")
    change.set(qn("w:id"), ids.next())
    change.set(qn("w:author"), mark["author"])
    change.set(qn("w:date"), mark["date"])
    rpr.append(change)
    ppr.append(rpr)
    return p


def _anchor(paragraph: Any) -> list[Run]:
    """The runs a comment covers: the paragraph's own runs, or a new empty run when all its text sits
    inside tracked changes."""
    runs = paragraph.runs
    if runs:
        return [runs[0], runs[-1]] if len(runs) > 1 else [runs[0]]
    r = _run("")
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, r)
    return [Run(r, paragraph)]
