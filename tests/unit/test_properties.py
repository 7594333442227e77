"""Property tests of the document reader: whatever bytes or text arrive — random, a real .docx with
bytes flipped, cut short or its zip entries shuffled — ``parse_file`` either returns a document or
raises its own ``DocumentError`` (one Chinese line). Nothing else escapes: no zipfile, lxml,
UnicodeDecodeError or KeyError for the CLI to turn into an "internal error".

(Hostile files by name — zip bomb, billion laughs, encrypted, .doc, PDF… — are in tests/unit/documents/;
random decision sequences in tests/unit/domain/test_process_properties.py.)"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewkit.documents.parse import parse_file, parse_text
from reviewkit.errors import DocumentError
from tests.builders import build_docx

_DIR = Path(tempfile.mkdtemp(prefix="rk-props-"))
REAL = build_docx(_DIR / "real.docx").read_bytes()
with zipfile.ZipFile(io.BytesIO(REAL)) as _zf:
    PARTS = {info.filename: _zf.read(info) for info in _zf.infolist()}

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory(dir=_DIR) as tmp:
        path = Path(tmp) / f"送审稿 样本{suffix}"
        path.write_bytes(data)
        try:
            doc = parse_file(path, max_bytes=1_000_000, max_uncompressed=5_000_000, max_paragraphs=2_000)
        except DocumentError as err:
            text = str(err)
            assert text and "\n" not in text and any("\u4e00" <= ch <= "\u9fff" for ch in text), text
            return
        assert all(isinstance(p.text, str) for p in doc.paragraphs)


@SETTINGS
@given(st.binary(max_size=4096), st.sampled_from([".docx", ".txt", ".md", ".DOCX"]))
def test_arbitrary_bytes_parse_or_raise_document_error(data: bytes, suffix: str) -> None:
    _parse(data, suffix)


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, len(REAL) - 1), st.integers(0, 255)), min_size=1, max_size=12))
def test_a_docx_with_bytes_flipped(flips: list[tuple[int, int]]) -> None:
    data = bytearray(REAL)
    for offset, value in flips:
        data[offset] = value
    _parse(bytes(data), ".docx")


@SETTINGS
@given(st.integers(0, len(REAL) - 1))
def test_a_docx_cut_short(length: int) -> None:
    _parse(REAL[:length], ".docx")


@SETTINGS
@given(st.data())
def test_a_docx_with_parts_dropped_replaced_or_renamed(data: st.DataObject) -> None:
    names = sorted(PARTS)
    keep = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in keep:
            content = PARTS[name]
            how = data.draw(st.sampled_from(["same", "junk", "truncated", "renamed"]))
            if how == "junk":
                content = data.draw(st.binary(max_size=200))
            elif how == "truncated":
                content = content[: data.draw(st.integers(0, max(0, len(content) - 1)))]
            elif how == "renamed":
                name = "x/" + name
            zf.writestr(name, content)
    _parse(out.getvalue(), ".docx")


@SETTINGS
@given(st.text(max_size=300), st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_any_text_in_any_supported_encoding(text: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    _parse(data, ".txt")
    doc = parse_text(text, "样本.txt")
    assert len(doc.paragraphs) <= text.count("\n") + text.count("\r") + 1
