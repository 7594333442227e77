"""Hostile and unusable files are refused fast, with one Chinese line naming the file."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest

from reviewkit.documents import check_file, parse_file
from reviewkit.errors import DocumentError
from tests.unit.documents.conftest import make_docx

MINIMAL_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"></Types>'
)


def refused(path: Path, limits: dict[str, int], fragment: str, **extra: object) -> str:
    started = time.perf_counter()
    with pytest.raises(DocumentError) as info:
        check_file(path, **limits, **extra)  # type: ignore[arg-type]
    assert time.perf_counter() - started < 3
    message = str(info.value)
    assert f"《{path.name}》" in message
    assert "\n" not in message
    assert fragment in message, message
    return message


def test_missing_file(tmp_path: Path, limits: dict[str, int]) -> None:
    refused(tmp_path / "nope.docx", limits, "不存在")


def test_empty_file(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "empty.docx"
    path.write_bytes(b"")
    refused(path, limits, "空文件")


def test_oversized_file_is_refused_on_stat(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse 50 MB file
    refused(path, limits, "过大")


def test_wrong_extension(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "draft.pdf"
    path.write_bytes(b"%PDF-1.7\n")
    refused(path, limits, "不受支持")


def test_pdf_renamed_docx(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "draft.docx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    refused(path, limits, "PDF")


def test_legacy_doc_renamed_docx(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048 + "WordDocument".encode("utf-16-le")
    )
    refused(path, limits, ".doc")


def test_encrypted_ooxml(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "secret.docx"
    body = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + body)
    refused(path, limits, "加密")


def test_truncated_docx(tmp_path: Path, limits: dict[str, int]) -> None:
    good = make_docx(tmp_path / "good.docx", ["第一条　为了规范管理，制定本办法。"] * 50)
    path = tmp_path / "cut.docx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    refused(path, limits, "损坏")


def test_random_bytes_named_docx(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "noise.docx"
    path.write_bytes(os.urandom(4096))
    refused(path, limits, "docx")


def test_zip_bomb_by_total_size(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", MINIMAL_CT)
        zf.writestr("word/document.xml", "<w:document/>")
        with zf.open("word/media/zeros.bin", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(64):  # 64 MB of zeros → ~64 KB compressed
                member.write(chunk)
    assert path.stat().st_size < 1024 * 1024
    refused(path, limits, "炸弹")


def test_zip_bomb_by_ratio(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "ratio.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", MINIMAL_CT)
        zf.writestr("word/document.xml", b"<w:document>" + b" " * (8 * 1024 * 1024) + b"</w:document>")
    refused(path, limits, "压缩比")


def test_zip_with_lying_sizes_fails_cleanly(tmp_path: Path, limits: dict[str, int]) -> None:
    """A central directory that under-declares sizes: inflation is capped, the CRC check fails."""
    good = make_docx(tmp_path / "good.docx", ["正文"] * 10)
    data = bytearray(good.read_bytes())
    buf = io.BytesIO(bytes(data))
    with zipfile.ZipFile(buf) as zf:
        info = zf.getinfo("word/document.xml")
    # patch the uncompressed size in the central directory entry to 10 bytes
    cd = data.rfind(b"PK\x01\x02", 0, len(data))
    while cd != -1:
        name_len = int.from_bytes(data[cd + 28 : cd + 30], "little")
        if data[cd + 46 : cd + 46 + name_len] == info.filename.encode():
            data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
            break
        cd = data.rfind(b"PK\x01\x02", 0, cd)
    path = tmp_path / "liar.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(DocumentError):
        parse_file(path, **limits)  # type: ignore[arg-type]


def test_docx_without_document_xml(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "notword.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", MINIMAL_CT)
        zf.writestr("xl/workbook.xml", "<workbook/>")
    refused(path, limits, "document.xml")


def test_billion_laughs(tmp_path: Path, limits: dict[str, int]) -> None:
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(10)
        )
        + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )
    path = tmp_path / "lol.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", MINIMAL_CT)
        zf.writestr("word/document.xml", lol)
    refused(path, limits, "实体炸弹")


def test_utf16_doctype_is_seen(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "u16.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", MINIMAL_CT)
        zf.writestr("word/document.xml", '<?xml version="1.0"?><!DOCTYPE x><x/>'.encode("utf-16"))
    refused(path, limits, "DOCTYPE")


def test_too_many_paragraphs(tmp_path: Path, limits: dict[str, int]) -> None:
    path = make_docx(tmp_path / "long.docx", ["段落"] * 60)
    refused(path, {**limits, "max_paragraphs": 50}, "段落过多")
    text = tmp_path / "long.txt"
    text.write_text("行\n" * 100, encoding="utf-8")
    refused(text, {**limits, "max_paragraphs": 50}, "段落过多")


def test_zip_renamed_txt(tmp_path: Path, limits: dict[str, int]) -> None:
    good = make_docx(tmp_path / "good.docx", ["正文"])
    path = tmp_path / "draft.txt"
    path.write_bytes(good.read_bytes())
    refused(path, limits, "扩展名不符")


def test_binary_txt(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "bin.txt"
    path.write_bytes(b"abc\x00\x01\x02" * 100)
    refused(path, limits, "二进制")


def test_symlink_outside_base_dir(tmp_path: Path, limits: dict[str, int]) -> None:
    outside = tmp_path / "outside"
    inside = tmp_path / "inside"
    outside.mkdir()
    inside.mkdir()
    target = outside / "secret.txt"
    target.write_text("第一条　内容", encoding="utf-8")
    link = inside / "draft.txt"
    link.symlink_to(target)
    refused(link, limits, "允许的目录之外", base_dir=inside)
    check_file(link, **limits)  # type: ignore[arg-type]  # without a base dir the link is followed
    ok = inside / "ok.txt"
    ok.write_text("正文", encoding="utf-8")
    check_file(ok, **limits, base_dir=inside)  # type: ignore[arg-type]


def test_directory_is_not_a_file(tmp_path: Path, limits: dict[str, int]) -> None:
    folder = tmp_path / "folder.docx"
    folder.mkdir()
    refused(folder, limits, "不是普通文件")


def test_good_docx_passes(tmp_path: Path, limits: dict[str, int]) -> None:
    check_file(make_docx(tmp_path / "ok.docx", ["某某办法", "第一条　为了……，制定本办法。"]), **limits)  # type: ignore[arg-type]


RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="{target}"/></Relationships>'
)


def test_main_part_named_by_rels_is_checked_too(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "odd.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", MINIMAL_CT)
        zf.writestr("_rels/.rels", RELS.format(target="word/main.bin"))
        zf.writestr("word/main.bin", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>')
    refused(path, limits, "DOCTYPE")


def test_rels_pointing_at_a_missing_part(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "dangling.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", MINIMAL_CT)
        zf.writestr("_rels/.rels", RELS.format(target="/word/nowhere.xml"))
        zf.writestr("word/document.xml", "<w:document/>")
    refused(path, limits, "word/nowhere.xml")


def test_malformed_rels_is_a_clean_error(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "badrels.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", MINIMAL_CT)
        zf.writestr("_rels/.rels", "<Relationships><unclosed>")
        zf.writestr("word/document.xml", "<w:document/>")
    refused(path, limits, "损坏")


def test_archived_files_are_never_read_through_a_symlink(tmp_path: Path, limits: dict[str, int]) -> None:
    """Drafts and materials (``follow_symlinks=False``): a link is refused wherever it points."""
    elsewhere = tmp_path / "elsewhere"
    here = tmp_path / "送审 材料"
    elsewhere.mkdir()
    here.mkdir()
    real = here / "起草说明.txt"
    real.write_text("起草说明", encoding="utf-8")
    outside = elsewhere / "secret.txt"
    outside.write_text("第一条　内容", encoding="utf-8")
    for name, target in (("外部 链接.txt", outside), ("同目录 链接.txt", real)):
        link = here / name
        link.symlink_to(target)
        message = refused(link, limits, "符号链接", follow_symlinks=False)
        assert str(target.resolve()) in message
        check_file(link, **limits)  # type: ignore[arg-type]  # prereview reads through links (stores nothing)
    dangling = here / "悬空.txt"
    dangling.symlink_to(elsewhere / "gone.txt")
    refused(dangling, limits, "符号链接", follow_symlinks=False)
    check_file(real, **limits, follow_symlinks=False)  # type: ignore[arg-type]
