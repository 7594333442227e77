from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_uncompressed": 20 * 1024 * 1024, "max_paragraphs": 2000}


def make_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    doc = Document()
    for i, text in enumerate(paragraphs):
        doc.add_paragraph(text, style="Title" if i == 0 and text.endswith(("办法", "通知")) else None)
        if table and i == 1:
            t = doc.add_table(rows=len(table), cols=len(table[0]))
            for r, row in enumerate(table):
                for c, cell in enumerate(row):
                    t.cell(r, c).text = cell
    doc.save(str(path))
    return path


@pytest.fixture
def limits() -> dict[str, int]:
    return dict(LIMITS)
