"""Reading a draft the user hands in: checked completely before anything is stored."""

from __future__ import annotations

from pathlib import Path

from reviewkit.documents.safety import read_checked
from reviewkit.errors import DocumentError
from reviewkit.settings import get_settings

ACCEPTED_SUFFIXES = (".docx",)


def read_draft(path: Path) -> tuple[str, bytes]:
    """Return (file name, bytes) of a valid .docx draft, or raise one Chinese line."""
    if path.suffix.lower() not in ACCEPTED_SUFFIXES:
        raise DocumentError(f"文件《{path.name}》不是 .docx 文稿，请提交 Word（.docx）格式的送审稿")
    settings = get_settings()
    data = read_checked(
        path,
        max_bytes=settings.max_upload_bytes,
        max_uncompressed=settings.max_uncompressed_bytes,
        max_paragraphs=settings.max_paragraphs,
        follow_symlinks=False,  # the draft is archived: the file itself, never what a link points at
    )
    return path.name, data
