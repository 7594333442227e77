"""Documents at the edge: safety checks, parsing (python-docx) and annotated copies."""

from __future__ import annotations

from reviewkit.documents.parse import decode_text, parse_bytes, parse_file, parse_text
from reviewkit.documents.safety import check_file
from reviewkit.rules.document import ParsedDocument

__all__ = ["ParsedDocument", "check_file", "decode_text", "parse_bytes", "parse_file", "parse_text"]
