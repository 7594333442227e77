"""An annotated copy: the draft with a Word comment (批注) on each flagged run.

The original is read once into memory and never written. A .txt/.md draft becomes a new .docx, one
paragraph per line, so paragraph indices stay those of the findings. Where a finding names the exact
text, plain runs are split so the comment covers just that text.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from reviewkit.documents.parse import parse_bytes, resolve_limits
from reviewkit.documents.safety import DOCX_SUFFIXES, read_checked
from reviewkit.errors import DocumentError, InvalidInput
from reviewkit.rules.model import CATEGORY_LABELS, SEVERITY_LABELS, Finding

AUTHOR = "reviewkit 预审"
INITIALS = "RK"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PLAIN_CHILDREN = {f"{_W}rPr", f"{_W}t"}


def comment_lines(finding: Finding) -> list[str]:
    head = (
        f"【{SEVERITY_LABELS.get(finding.severity, finding.severity)}·"
        f"{CATEGORY_LABELS.get(finding.category, finding.category)}】{finding.rule_id} {finding.title}"
    )
    lines = [head, finding.message, f"依据：{finding.basis}"]
    if finding.similar:
        lines.append(finding.similar)
    if finding.suggestion:
        lines.append(f"建议：{finding.suggestion}")
    return lines


def annotate_docx(
    src: Path,
    findings: Iterable[Finding],
    dest: Path,
    *,
    author: str = AUTHOR,
    initials: str = INITIALS,
    max_bytes: int | None = None,
    max_uncompressed: int | None = None,
    max_paragraphs: int | None = None,
) -> Path:
    """Write ``dest``: a copy of ``src`` with one comment per finding; returns ``dest``."""
    from docx import Document

    src, dest = Path(src), Path(dest)
    if dest.suffix.lower() != ".docx":
        raise InvalidInput(f"批注副本《{dest.name}》应当是 .docx 文件")
    if dest.exists() and src.exists() and dest.resolve() == src.resolve():
        raise InvalidInput(f"批注副本不能覆盖原文件《{src.name}》")
    max_bytes, max_uncompressed, max_paragraphs = resolve_limits(max_bytes, max_uncompressed, max_paragraphs)
    data = read_checked(
        src, max_bytes=max_bytes, max_uncompressed=max_uncompressed, max_paragraphs=max_paragraphs
    )
    if src.suffix.lower() in DOCX_SUFFIXES:
        try:
            document = Document(io.BytesIO(data))
        except Exception as err:  # noqa: BLE001 - a corrupt file becomes one clean line
            raise DocumentError(f"文件《{src.name}》无法作为 Word 文档打开（{type(err).__name__}）") from None
    else:
        document = _docx_from_text(data, src.name, max_paragraphs)
    paragraphs = document.paragraphs
    anchor = next((k for k, p in enumerate(paragraphs) if p.text.strip()), 0)
    for finding in findings:
        index = finding.paragraph if finding.paragraph is not None else anchor
        if not paragraphs:
            paragraphs = [document.add_paragraph("")]
        index = min(max(index, 0), len(paragraphs) - 1)
        target = _located(document, finding.cell) if finding.cell else None
        runs = _runs_for(target if target is not None else paragraphs[index], finding)
        lines = comment_lines(finding)
        comment = document.add_comment(runs, text=lines[0], author=author, initials=initials)
        for line in lines[1:]:
            comment.add_paragraph(line)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    try:
        document.save(str(tmp))
        tmp.replace(dest)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise InvalidInput(f"无法写入批注副本《{dest.name}》（{err.strerror or err}）") from None
    return dest


_CELL = re.compile(r"^表(\d+)第(\d+)行第(\d+)列(?:第(\d+)段)?$")
_BLOCK_SDT = re.compile(r"^内容控件(\d+)(?:第(\d+)段)?$")


def _located(document: Any, locator: str) -> Any | None:
    """The python-docx paragraph a table-cell or content-control locator names (see parse.py)."""
    from docx.text.paragraph import Paragraph

    body = document.element.body
    try:
        if m := _CELL.match(locator):
            table = list(body.iterchildren(f"{_W}tbl"))[int(m.group(1)) - 1]
            row = list(table.iterchildren(f"{_W}tr"))[int(m.group(2)) - 1]
            cell = list(row.iterchildren(f"{_W}tc"))[int(m.group(3)) - 1]
            p = list(cell.iter(f"{_W}p"))[int(m.group(4) or 1) - 1]
        elif m := _BLOCK_SDT.match(locator):
            sdt = list(body.iterchildren(f"{_W}sdt"))[int(m.group(1)) - 1]
            p = list(sdt.iter(f"{_W}p"))[int(m.group(2) or 1) - 1]
        else:
            return None  # an inline content control: the comment goes on its body paragraph
    except IndexError:
        return None
    return Paragraph(p, document._body)


def _docx_from_text(data: bytes, name: str, max_paragraphs: int) -> Any:
    from docx import Document

    parsed = parse_bytes(data, name, max_paragraphs=max_paragraphs)
    document = Document()
    for para in parsed.paragraphs:
        style = "Title" if para.index == parsed.title_paragraph else None
        document.add_paragraph(para.text, style=style)
    return document


def _runs_for(paragraph: Any, finding: Finding) -> Sequence[Any]:
    """The runs covering the finding's text (split where possible), else every run of the paragraph."""
    runs = _all_runs(paragraph)
    if not runs:
        return [paragraph.add_run("")]
    if not finding.text:
        return runs
    raw = "".join(r.text for r in runs)
    lead = len(raw) - len(raw.lstrip())
    start = lead + finding.start if finding.start >= 0 else -1
    if start < 0 or raw[start : start + len(finding.text)] != finding.text:
        start = raw.find(finding.text)
    if start < 0:
        return runs
    end = start + len(finding.text)
    _split_at(paragraph, end)
    _split_at(paragraph, start)
    covered, pos = [], 0
    for run in _all_runs(paragraph):
        size = len(run.text)
        if pos < end and pos + size > start:
            covered.append(run)
        pos += size
    return covered or runs


def _all_runs(paragraph: Any) -> list[Any]:
    from docx.text.hyperlink import Hyperlink

    runs: list[Any] = []
    for item in paragraph.iter_inner_content():
        runs.extend(item.runs if isinstance(item, Hyperlink) else [item])
    return runs


def _split_at(paragraph: Any, offset: int) -> None:
    """Split the plain run that straddles ``offset`` into two runs with the same formatting."""
    from docx.text.run import Run

    pos = 0
    for run in _all_runs(paragraph):
        text = run.text
        if pos < offset < pos + len(text):
            if {child.tag for child in run._r} - _PLAIN_CHILDREN:
                return  # tabs, breaks, fields or drawings: keep the run whole
            cut = offset - pos
            twin = copy.deepcopy(run._r)
            run._r.addnext(twin)
            run.text = text[:cut]
            Run(twin, run._parent).text = text[cut:]
            return
        pos += len(text)
