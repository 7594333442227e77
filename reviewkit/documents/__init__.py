"""Documents at the edge: safety checks, parsing (.docx via lxml, .txt/.md) and annotated copies.

Public API::

    check_file(path, *, max_bytes, max_uncompressed, max_paragraphs, base_dir=None, follow_symlinks=True) -> None
    read_checked(path, *, max_bytes, max_uncompressed, max_paragraphs, base_dir=None, follow_symlinks=True)
    parse_file(path, *, max_bytes=None, max_uncompressed=None, max_paragraphs=None, base_dir=None)
    parse_bytes(data, name, *, max_paragraphs=None) -> ParsedDocument   # bytes already checked
    parse_text(text, name) -> ParsedDocument
    annotate_docx(src, findings, dest) -> Path
"""

from __future__ import annotations

from reviewkit.documents.annotate import annotate_docx
from reviewkit.documents.parse import decode_text, parse_bytes, parse_file, parse_text
from reviewkit.documents.safety import check_file, read_checked
from reviewkit.rules.document import ParsedDocument

__all__ = [
    "ParsedDocument",
    "annotate_docx",
    "check_file",
    "decode_text",
    "parse_bytes",
    "parse_file",
    "parse_text",
    "read_checked",
]
