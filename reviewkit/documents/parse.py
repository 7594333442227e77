"""Read a .docx (python-docx) or a UTF-8 / GB18030 .txt/.md into :class:`ParsedDocument`.

Files are checked first (:mod:`reviewkit.documents.safety`), then the very bytes that were checked
are parsed. Structure (title, 文号, issuing body, chapters, articles, 附件, dates) is recognised by
:mod:`reviewkit.rules.structure` (pure), which is shared by both formats.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from reviewkit.documents.safety import DOCX_SUFFIXES, read_checked
from reviewkit.errors import DocumentError
from reviewkit.rules.document import ParsedDocument
from reviewkit.rules.structure import RawParagraph, assemble

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_P, W_TBL, W_TR, W_TC, W_PSTYLE, W_PPR = (
    f"{_W}p",
    f"{_W}tbl",
    f"{_W}tr",
    f"{_W}tc",
    f"{_W}pStyle",
    f"{_W}pPr",
)
W_VAL = f"{_W}val"


def resolve_limits(
    max_bytes: int | None, max_uncompressed: int | None, max_paragraphs: int | None
) -> tuple[int, int, int]:
    if max_bytes is None or max_uncompressed is None or max_paragraphs is None:
        from reviewkit.settings import get_settings

        s = get_settings()
        max_bytes = s.max_upload_bytes if max_bytes is None else max_bytes
        max_uncompressed = s.max_uncompressed_bytes if max_uncompressed is None else max_uncompressed
        max_paragraphs = s.max_paragraphs if max_paragraphs is None else max_paragraphs
    return max_bytes, max_uncompressed, max_paragraphs


def parse_file(
    path: Path,
    *,
    max_bytes: int | None = None,
    max_uncompressed: int | None = None,
    max_paragraphs: int | None = None,
    base_dir: Path | None = None,
) -> ParsedDocument:
    """Check and parse ``path``; limits default to the settings (``REVIEWKIT_MAX_*``)."""
    path = Path(path)
    max_bytes, max_uncompressed, max_paragraphs = resolve_limits(max_bytes, max_uncompressed, max_paragraphs)
    data = read_checked(
        path,
        max_bytes=max_bytes,
        max_uncompressed=max_uncompressed,
        max_paragraphs=max_paragraphs,
        base_dir=base_dir,
    )
    return parse_bytes(data, path.name, max_paragraphs=max_paragraphs)


def parse_bytes(data: bytes, name: str, *, max_paragraphs: int | None = None) -> ParsedDocument:
    """Parse bytes already checked by :func:`reviewkit.documents.safety.check_bytes`."""
    _, _, max_paragraphs = resolve_limits(0, 0, max_paragraphs)
    digest = hashlib.sha256(data).hexdigest()
    suffix = Path(name).suffix.lower()
    if suffix in DOCX_SUFFIXES:
        raws, tables = _extract_docx(data, name, max_paragraphs)
        return assemble(name, digest, "docx", raws, tables)
    text = decode_text(data, name)
    return parse_text(text, name, sha256=digest, source_format="md" if suffix == ".md" else "txt")


def parse_text(
    text: str, name: str, *, sha256: str | None = None, source_format: str = "txt"
) -> ParsedDocument:
    """Parse plain text: one paragraph per line (blank lines kept, so indices match the lines)."""
    if sha256 is None:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    raws: list[RawParagraph] = []
    markdown = source_format == "md" or name.lower().endswith(".md")
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        style = ""
        line = line.strip().strip("\ufeff")
        if markdown and line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            line = line[level:].strip()
            style = f"Heading {level}"
        raws.append(RawParagraph(line, style))
    while raws and not raws[-1].text:
        raws.pop()
    return assemble(name, sha256, "md" if markdown else source_format, raws, [])


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK/GB2312)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(f"文件《{name}》的文字编码无法识别（支持 UTF-8、GB18030/GBK）")


def _extract_docx(data: bytes, name: str, max_paragraphs: int) -> tuple[list[RawParagraph], list[Any]]:
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
        body = document.element.body
        styles = document.styles.element
    except Exception as err:  # noqa: BLE001 - any failure of a corrupt file becomes one clean line
        raise DocumentError(f"文件《{name}》无法作为 Word 文档打开（{type(err).__name__}）") from None
    style_names: dict[str, str] = {}

    def style_name(style_id: str | None) -> str:
        if not style_id:
            return ""
        if style_id not in style_names:
            element = styles.get_by_id(style_id)
            style_names[style_id] = (element.name_val if element is not None else None) or style_id
        return style_names[style_id]

    raws: list[RawParagraph] = []
    tables: list[tuple[int, tuple[tuple[str, ...], ...]]] = []
    try:
        for child in body.iterchildren():
            if child.tag == W_P:
                raws.append(RawParagraph(child.text.strip(), style_name(child.style)))
                if len(raws) > max_paragraphs:
                    raise DocumentError(f"文件《{name}》段落过多（超过上限 {max_paragraphs}）")
            elif child.tag == W_TBL:
                tables.append((len(raws) - 1, _table_rows(child)))
    except DocumentError:
        raise
    except Exception as err:  # noqa: BLE001
        raise DocumentError(f"文件《{name}》内容结构异常，无法读取（{type(err).__name__}）") from None
    return raws, tables


def _table_rows(table: Any) -> tuple[tuple[str, ...], ...]:
    rows = []
    for tr in table.iterchildren(W_TR):
        cells = []
        for tc in tr.iterchildren(W_TC):
            cells.append("\n".join(p.text.strip() for p in tc.iter(W_P)).strip())
        rows.append(tuple(cells))
    return tuple(rows)
