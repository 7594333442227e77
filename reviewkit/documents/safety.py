"""Refuse hostile or unusable files before anything inflates or parses them.

Every check works on bounded input: the file size is checked on ``stat`` before reading; a .docx's zip
central directory (declared sizes) is checked before any member is inflated; XML parts are read only
up to their prolog to look for DOCTYPE/ENTITY declarations; the main document part is streamed in
chunks (its declared size is already bounded) to count paragraphs. Each refusal is a
:class:`DocumentError` with one Chinese line naming the file.
"""

from __future__ import annotations

import errno
import io
import os
import posixpath
import re
import stat
import zipfile
from pathlib import Path
from typing import Any

from reviewkit.errors import DocumentError

DOCX_SUFFIXES = frozenset({".docx"})
TEXT_SUFFIXES = frozenset({".txt", ".md"})
ALLOWED_SUFFIXES = DOCX_SUFFIXES | TEXT_SUFFIXES

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF"
RTF_MAGIC = b"{\\rtf"

MAX_ZIP_ENTRIES = 2_000
MAX_COMPRESSION_RATIO = 200  # per member, for members over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
PROLOG_BYTES = 64 * 1024
CHUNK = 256 * 1024
_DECL = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_PARAGRAPH_TAG = re.compile(rb"<w:p[\s>/]")
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _fail(path: Path, reason: str) -> DocumentError:
    return DocumentError(f"文件《{path.name}》{reason}")


def _symlink(path: Path) -> DocumentError:
    try:
        target = " ".join(str(path.resolve()).split())  # one line, whatever the target's name holds
    except (OSError, RuntimeError):
        target = "无法解析的位置"
    return _fail(path, f"是符号链接（指向 {target}），不予归档；请提交文件本身，而不是链接")


def check_path(
    path: Path, *, max_bytes: int, base_dir: Path | None = None, follow_symlinks: bool = True
) -> int:
    """Existence, type, size and symlink checks; returns the size in bytes.

    ``follow_symlinks=False`` (files that will be archived: drafts, materials) refuses a path whose last
    component is a symbolic link, wherever it points: what is archived is the file the user handed in,
    never whatever a link leads to (``/etc/…``, another user's folder)."""
    if not follow_symlinks and path.is_symlink():
        raise _symlink(path)
    if base_dir is not None:
        base = base_dir.resolve()
        target = path.resolve()
        if not target.is_relative_to(base):
            raise _fail(path, f"位于允许的目录之外（{base}），已拒绝")
    if not path.exists():
        raise _fail(path, "不存在" if not path.is_symlink() else "是指向不存在目标的链接")
    if not path.is_file():
        raise _fail(path, "不是普通文件")
    suffix = path.suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise _fail(path, f"的类型（{suffix or '无扩展名'}）不受支持，仅支持 .docx、.txt、.md")
    size = path.stat().st_size
    if size == 0:
        raise _fail(path, "是空文件（0 字节）")
    if size > max_bytes:
        raise _fail(path, f"过大（{_mb(size)}），超过上限 {_mb(max_bytes)}")
    return size


def read_checked(
    path: Path,
    *,
    max_bytes: int,
    max_uncompressed: int,
    max_paragraphs: int,
    base_dir: Path | None = None,
    follow_symlinks: bool = True,
) -> bytes:
    """Run every check and return the bytes that were checked (parse those, not the path again)."""
    check_path(path, max_bytes=max_bytes, base_dir=base_dir, follow_symlinks=follow_symlinks)
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)  # a link swapped in after the check is not followed either
    try:
        fd = os.open(path, flags)
    except OSError as err:
        if err.errno == errno.ELOOP and not follow_symlinks:
            raise _symlink(path) from None
        raise _fail(path, f"无法读取（{err.strerror or err}）") from None
    try:
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise _fail(path, "不是普通文件")
            data = fh.read(max_bytes + 1)
    except OSError as err:
        raise _fail(path, f"无法读取（{err.strerror or err}）") from None
    if not data:
        raise _fail(path, "是空文件（0 字节）")
    if len(data) > max_bytes:
        raise _fail(path, f"过大，超过上限 {_mb(max_bytes)}")
    check_bytes(path, data, max_uncompressed=max_uncompressed, max_paragraphs=max_paragraphs)
    return data


def check_file(
    path: Path,
    *,
    max_bytes: int,
    max_uncompressed: int,
    max_paragraphs: int,
    base_dir: Path | None = None,
    follow_symlinks: bool = True,
) -> None:
    """Raise :class:`DocumentError` unless ``path`` is a readable, non-hostile .docx/.txt/.md."""
    read_checked(
        path,
        max_bytes=max_bytes,
        max_uncompressed=max_uncompressed,
        max_paragraphs=max_paragraphs,
        base_dir=base_dir,
        follow_symlinks=follow_symlinks,
    )


def check_bytes(path: Path, data: bytes, *, max_uncompressed: int, max_paragraphs: int) -> None:
    head = data[:8]
    suffix = path.suffix.lower()
    if head.startswith(PDF_MAGIC):
        raise _fail(path, "实为 PDF 文件（扩展名不符），请提供 .docx 或文本文件")
    if head.startswith(OLE_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o" in data:
            raise _fail(path, "已加密（受密码保护），请解除密码后再提交")
        raise _fail(path, "是旧版 Word（.doc）或其他 OLE 格式文件，请另存为 .docx 后再提交")
    if head.startswith(RTF_MAGIC):
        raise _fail(path, "实为 RTF 文件（扩展名不符），请另存为 .docx 后再提交")
    if suffix in DOCX_SUFFIXES:
        _check_docx(path, data, max_uncompressed=max_uncompressed, max_paragraphs=max_paragraphs)
    else:
        if head.startswith(ZIP_MAGIC):
            raise _fail(path, "实为压缩包或 Word 文件（扩展名不符），请使用正确的扩展名")
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise _fail(path, "不是文本文件（含二进制内容）")
        lines = data.count(b"\n") + 1
        if lines > max_paragraphs:
            raise _fail(path, f"段落过多（{lines} 行），超过上限 {max_paragraphs}")


def _check_docx(path: Path, data: bytes, *, max_uncompressed: int, max_paragraphs: int) -> None:
    if not data.startswith(ZIP_MAGIC):
        raise _fail(path, "不是有效的 .docx 文件（文件头不符）")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _fail(path, "已损坏或不完整（zip 结构无法读取）") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise _fail(path, f"包含的部件过多（{len(infos)} 个），疑为恶意文件")
        total = 0
        for info in infos:
            if info.file_size < 0 or info.compress_size < 0 or info.header_offset >= len(data):
                raise _fail(path, "已损坏或不完整（zip 目录与内容不符）")
            if info.compress_size > len(data):
                raise _fail(path, "已损坏或不完整（zip 目录与内容不符）")
            total += info.file_size
            if total > max_uncompressed:
                raise _fail(path, f"解压后过大（超过 {_mb(max_uncompressed)}），疑为压缩炸弹")
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_COMPRESSION_RATIO * max(
                1, info.compress_size
            ):
                raise _fail(path, f"压缩比异常（部件 {info.filename}），疑为压缩炸弹")
            if info.flag_bits & 0x1:
                raise _fail(path, "已加密（zip 部件受密码保护）")
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names:
            raise _fail(path, "不是有效的 Office 文档（缺少 [Content_Types].xml）")
        try:
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    _check_prolog(path, archive, info)
            main = main_document_part(archive)
            if main not in names:
                raise _fail(path, f"不是 Word 文档（缺少主文档部件 {main}）")
            if not main.endswith(".xml"):
                _check_prolog(path, archive, archive.getinfo(main))
            _count_paragraphs(path, archive, main, max_paragraphs)
        except DocumentError:
            raise
        except Exception:  # noqa: BLE001 - zlib, zipfile and lxml errors of a damaged archive
            raise _fail(path, "已损坏或不完整（部件无法解压或解析）") from None


def xml_parser() -> Any:
    """lxml parser for package parts: no entity expansion, no DTD, no network, no huge trees."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def main_document_part(archive: zipfile.ZipFile) -> str:
    """The main document part named by ``_rels/.rels`` (``word/document.xml`` by convention)."""
    from lxml import etree

    if "_rels/.rels" in archive.namelist():
        root = etree.fromstring(archive.read("_rels/.rels"), xml_parser())
        for rel in root.iter(_RELATIONSHIP):
            if rel.get("Type", "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                target = str(rel.get("Target", ""))
                if target:
                    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(target)
    return "word/document.xml"


def _check_prolog(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    with archive.open(info) as member:
        head = member.read(PROLOG_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[1:2] == b"\x00" or head[:1] == b"\x00":
        try:
            head = head.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise _fail(path, f"的部件 {info.filename} 编码异常") from None
    if _DECL.search(head):
        raise _fail(path, f"的部件 {info.filename} 含 DOCTYPE/ENTITY 声明，疑为 XML 实体炸弹，已拒绝")
    if info.file_size > PROLOG_BYTES and not _ELEMENT_START.search(head):
        raise _fail(path, f"的部件 {info.filename} 结构异常（前 64KB 内无 XML 元素）")


def _count_paragraphs(path: Path, archive: zipfile.ZipFile, part: str, max_paragraphs: int) -> None:
    count = 0
    tail = b""
    with archive.open(part) as member:
        while chunk := member.read(CHUNK):
            window = tail + chunk
            count += len(_PARAGRAPH_TAG.findall(window))
            if count > max_paragraphs:
                raise _fail(path, f"段落过多（超过上限 {max_paragraphs}）")
            # keep the last few bytes so a tag split across chunks is seen once
            cut = max(0, len(window) - 5)
            tail = window[cut:]
            count -= len(_PARAGRAPH_TAG.findall(tail))


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
