"""The case's 全过程记录 as a Word document for the paper file: case facts, versions with their
SHA-256, decisions bound to the version they were made on, every audit event, and the chain check
that was run when it was printed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt


@dataclass(frozen=True)
class AuditRecord:
    title: str  # e.g. 行政规范性文件合法性审核全过程记录
    facts: list[tuple[str, str]]  # 案件基本情况: (label, value)
    versions: list[list[str]]  # 稿次, 文件, SHA-256, 提交人, 提交时间, 说明
    decisions: list[list[str]]  # 环节, 轮次, 决定, 决定人, 角色, 渠道, 所据文稿 SHA-256, 时间, 效力
    events: list[list[str]]  # 序号, 时间, 事项, 办理人, 角色, 渠道, 内容
    integrity: list[str]  # sentences on the chain check
    exported_by: str
    exported_at: datetime
    notes: list[str] = field(default_factory=list)


VERSION_HEAD = ["稿次", "文件", "SHA-256", "提交人", "提交时间", "说明"]
DECISION_HEAD = ["环节", "轮次", "决定", "决定人", "角色", "渠道", "所据文稿 SHA-256", "时间", "效力"]
EVENT_HEAD = ["序号", "时间", "事项", "办理人", "角色", "渠道", "内容"]


def _table(doc: Any, head: list[str], rows: list[list[str]], size: float = 8) -> None:
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(size)


def render(record: AuditRecord) -> bytes:
    doc = Document()
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(record.title)
    run.bold = True
    run.font.size = Pt(16)
    doc.add_paragraph("一、案件基本情况")
    _table(doc, ["项目", "内容"], [[k, v] for k, v in record.facts], size=10)
    doc.add_paragraph("二、文稿版本")
    _table(doc, VERSION_HEAD, record.versions)
    doc.add_paragraph("三、审核决定（每项决定均绑定其所据文稿的 SHA-256）")
    _table(doc, DECISION_HEAD, record.decisions) if record.decisions else doc.add_paragraph("（尚无决定）")
    doc.add_paragraph("四、全过程事件")
    _table(doc, EVENT_HEAD, record.events)
    doc.add_paragraph("五、完整性校验")
    for line in record.integrity:
        doc.add_paragraph(line)
    for line in record.notes:
        doc.add_paragraph(line)
    doc.add_paragraph(
        f"导出人：{record.exported_by}　　导出时间：{record.exported_at.strftime('%Y年%-m月%-d日 %H:%M')}"
    )
    props = doc.core_properties
    props.title = record.title
    props.author = record.exported_by
    props.created = record.exported_at
    props.modified = record.exported_at
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write(record: AuditRecord, path: Path) -> bytes:
    data = render(record)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data
