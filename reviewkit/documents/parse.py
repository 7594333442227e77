"""Read a .docx (python-docx) or a UTF-8 / GB18030 .txt/.md into :class:`ParsedDocument`.

Files are checked first (:mod:`reviewkit.documents.safety`), then the very bytes that were checked
are parsed. Structure (title, 文号, issuing body, chapters, articles, 附件, dates) is recognised by
:mod:`reviewkit.rules.structure` (pure), which is shared by both formats.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from reviewkit.documents.safety import DOCX_SUFFIXES, main_document_part, read_checked, xml_parser
from reviewkit.errors import DocumentError
from reviewkit.rules.document import Paragraph, ParsedDocument
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
W_STYLE_ID = f"{_W}styleId"
_STYLE_NAME = re.compile(rb'<w:name w:val="([^"]*)"')
W_R, W_HYPERLINK = f"{_W}r", f"{_W}hyperlink"
W_SDT, W_SDT_CONTENT = f"{_W}sdt", f"{_W}sdtContent"


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
        raws, tables, extra = _extract_docx(data, name, max_paragraphs)
        doc = assemble(name, digest, "docx", raws, tables)
        return replace(doc, extra=tuple(extra)) if extra else doc
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


_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _xml(archive: zipfile.ZipFile, part: str) -> Any:
    from lxml import etree

    return etree.fromstring(archive.read(part), xml_parser())


def _target(archive: zipfile.ZipFile, rels_part: str, kind: str, base: str) -> str | None:
    """The part a relationship of type ``…/kind`` points to (package-absolute, no leading slash)."""
    if rels_part not in archive.namelist():
        return None
    for rel in _xml(archive, rels_part).iter(_REL):
        if rel.get("Type", "").endswith(f"/{kind}") and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            return (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(base, target))
            )
    return None


def _styles_part(archive: zipfile.ZipFile, main: str) -> str | None:
    folder, file = posixpath.split(main)
    part = _target(archive, posixpath.join(folder, "_rels", f"{file}.rels"), "styles", folder)
    return part if part is not None and part in archive.namelist() else None


def _style_names(archive: zipfile.ZipFile, part: str | None, used: set[str]) -> dict[str, str]:
    """UI names (as python-docx shows them) of the style ids the body uses.

    styles.xml is often hundreds of KB and the body uses a handful of styles, so each id is looked
    up in the raw bytes; only when that fails (an unusual namespace prefix) is the part parsed.
    """
    if part is None or not used:
        return {}
    from docx.styles import BabelFish  # "heading 1" → "Heading 1", as python-docx shows it

    data = archive.read(part)
    names: dict[str, str] = {}
    for style_id in used:
        at = data.find(f'w:styleId="{style_id}"'.encode())
        m = _STYLE_NAME.search(data, at, at + 2000) if at >= 0 else None
        if m is None:
            names = {}
            break
        names[style_id] = BabelFish.internal2ui(m.group(1).decode("utf-8", "replace"))
    else:
        return names
    for style in _xml(archive, part).iterchildren(f"{_W}style"):
        name = style.find(f"{_W}name")
        style_id = style.get(W_STYLE_ID)
        if style_id in used and name is not None:
            names[style_id] = BabelFish.internal2ui(name.get(W_VAL) or style_id)
    return names


def _extract_docx(
    data: bytes, name: str, max_paragraphs: int
) -> tuple[list[RawParagraph], list[Any], list[Paragraph]]:
    """Body paragraphs, tables, and the paragraphs of table cells and content controls.

    The body is what python-docx's ``Document.paragraphs`` gives: direct ``w:p`` children of
    ``w:body``, with the text ``Paragraph.text`` gives (see the tests), so finding indices map to
    Word paragraphs. Table cells (``w:tbl``) and content controls (``w:sdt``, at body level or
    inline in a paragraph) are not in that list; they come back as ``extra`` paragraphs in document
    order, each anchored to the body paragraph before it and located (表1第2行第3列, 内容控件1,
    第5段内容控件). python-docx's ``Document()`` is not used: it would also load every other part.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            main = main_document_part(archive)
            root = _xml(archive, main)
            body = root.find(f"{_W}body")
            if body is None:
                raise DocumentError(f"文件《{name}》不是 Word 文档（缺少正文 w:body）")
            raws: list[RawParagraph] = []
            style_ids: list[str | None] = []
            tables: list[tuple[int, tuple[tuple[str, ...], ...]]] = []
            extra: list[Paragraph] = []
            sdt_count = 0
            for child in body.iterchildren(W_P, W_TBL, W_SDT):
                anchor = max(len(raws) - 1, 0)
                if child.tag == W_P:
                    style_el = child.find(f"{W_PPR}/{W_PSTYLE}")
                    style_ids.append(style_el.get(W_VAL) if style_el is not None else None)
                    raws.append(RawParagraph(_paragraph_text(child).strip(), ""))
                    if len(raws) > max_paragraphs:
                        raise DocumentError(f"文件《{name}》段落过多（超过上限 {max_paragraphs}）")
                    for inline in child.iterchildren(W_SDT):
                        text = "".join(_paragraph_text(r) for r in inline.iter(W_SDT_CONTENT)).strip()
                        if text:
                            extra.append(Paragraph(len(raws) - 1, text, locator=f"第{len(raws)}段内容控件"))
                elif child.tag == W_TBL:
                    tables.append((len(raws) - 1, _table_rows(child)))
                    extra.extend(_cell_paragraphs(child, len(tables), anchor))
                else:
                    sdt_count += 1
                    extra.extend(_sdt_paragraphs(child, sdt_count, anchor))
                if len(extra) > max_paragraphs:
                    raise DocumentError(f"文件《{name}》表格和内容控件段落过多（超过上限 {max_paragraphs}）")
            used = {sid for sid in style_ids if sid}
            styles = _style_names(archive, _styles_part(archive, main), used)
    except DocumentError:
        raise
    except Exception as err:  # noqa: BLE001 - any failure of a corrupt file becomes one clean line
        raise DocumentError(f"文件《{name}》无法作为 Word 文档打开（{type(err).__name__}）") from None
    if used:
        raws = [
            RawParagraph(raw.text, styles.get(sid, sid)) if sid else raw
            for raw, sid in zip(raws, style_ids, strict=True)
        ]
    return raws, tables, extra


def cell_locator(table: int, row: int, column: int, paragraph: int) -> str:
    """表1第2行第3列 (1-based), with 第k段 when the cell has several paragraphs and k > 1."""
    return f"表{table}第{row}行第{column}列" + (f"第{paragraph}段" if paragraph > 1 else "")


def _cell_paragraphs(table: Any, number: int, anchor: int) -> list[Paragraph]:
    out: list[Paragraph] = []
    for r, tr in enumerate(table.iterchildren(W_TR), start=1):
        for c, tc in enumerate(tr.iterchildren(W_TC), start=1):
            k = 0
            for p in tc.iter(W_P):
                k += 1
                text = _paragraph_text(p).strip()
                if text:
                    out.append(Paragraph(anchor, text, locator=cell_locator(number, r, c, k)))
    return out


def _sdt_paragraphs(sdt: Any, number: int, anchor: int) -> list[Paragraph]:
    out: list[Paragraph] = []
    k = 0
    for p in sdt.iter(W_P):
        k += 1
        text = _paragraph_text(p).strip()
        if text:
            out.append(Paragraph(anchor, text, locator=f"内容控件{number}" + (f"第{k}段" if k > 1 else "")))
    return out


_RUN_CHARS = {
    f"{_W}tab": "\t",
    f"{_W}ptab": "\t",
    f"{_W}br": "\n",
    f"{_W}cr": "\n",
    f"{_W}noBreakHyphen": "-",
}
W_T = f"{_W}t"


def _paragraph_text(p: Any) -> str:
    """The text python-docx's ``Paragraph.text`` gives (runs and hyperlinks; tabs, breaks), without
    its per-run XPath calls: same offsets as the runs the annotator anchors comments on."""
    parts: list[str] = []
    for inner in p.iterchildren(W_R, W_HYPERLINK):
        for run in [inner] if inner.tag == W_R else inner.iterchildren(W_R):
            for item in run.iterchildren():
                tag = item.tag
                if tag == W_T:
                    parts.append(item.text or "")
                elif tag in _RUN_CHARS:
                    parts.append(_RUN_CHARS[tag])
    return "".join(parts)


def _table_rows(table: Any) -> tuple[tuple[str, ...], ...]:
    rows = []
    for tr in table.iterchildren(W_TR):
        cells = []
        for tc in tr.iterchildren(W_TC):
            cells.append("\n".join(_paragraph_text(p).strip() for p in tc.iter(W_P)).strip())
        rows.append(tuple(cells))
    return tuple(rows)
