"""The 备案 package of a case: the latest copy of each material on file (rendered where none is), the
全过程记录, and a manifest with the SHA-256 of every file."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path, PurePath

from sqlmodel import col, select

from reviewkit.documents import package
from reviewkit.errors import InvalidInput, NotFound, PermissionDenied
from reviewkit.services.actors import Actor, acting
from reviewkit.services.audit_trail import build_record, verify
from reviewkit.services.documents import (
    PAPER_KINDS,
    Rendered,
    _render,
    kind_of,
    office_author,
    store_generated,
)
from reviewkit.services.kernel import get_case
from reviewkit.settings import get_settings
from reviewkit.store import audit, blobs
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Attachment, Case

# (material name in the package, attachment name, required, kind to render when missing)
CONTENTS = [
    ("备案报告", "备案报告", True, "filing_report"),
    ("正式文本", "正式文本", True, "official_text"),
    ("起草说明", "起草说明", True, None),
    ("合法性审核意见书", "审核意见书", True, "opinion"),
    ("集体审议记录", "集体审议记录", False, "deliberation"),
    ("征求意见采纳情况", "征求意见采纳情况", False, None),
    ("公平竞争审查结论", "公平竞争审查结论", False, None),
    ("风险评估报告", "风险评估报告", False, None),
    ("规范性文件登记表", "规范性文件登记表", False, None),
]
PACKAGE_ROLES = frozenset({"filing_clerk", "admin", "system"})


def build_package(
    case_ref: str | int, by: Actor, *, out: Path | None = None, store: bool = False
) -> tuple[bytes, list[str]]:
    """Build the zip; write it to ``out`` and/or put it on file (``store``). Returns the bytes and the
    names of the materials in it."""
    from reviewkit.documents.audit_record import render as render_record

    require_schema()
    data_dir = get_settings().resolved_data_dir
    with session_scope() as session:
        case = get_case(session, case_ref)
        actor = acting(session, by, case)
        if not actor.roles & PACKAGE_ROLES:
            raise PermissionDenied(f"{actor.label}不是备案员，不能制作备案材料包")
        if not case.doc_number:
            raise InvalidInput(f"案件 {case.number} 尚未统一编号印发，不能制作备案材料包")
        case_id, title, number, doc_number = case.id or 0, case.title, case.number, case.doc_number
        items: list[package.Item] = []
        for name, attach_as, required, kind_id in CONTENTS:
            found = session.exec(
                select(Attachment)
                .where(Attachment.case_id == case.id, Attachment.name == attach_as)
                .order_by(col(Attachment.id).desc())
            ).first()
            seq = f"{len(items) + 1:02d}"
            if found is not None:
                suffix = PurePath(found.filename).suffix or ".docx"
                items.append(
                    package.Item(
                        name,
                        f"{seq}-{name}{suffix}",
                        blobs.read_bytes(data_dir, found.sha256),
                        "系统生成" if found.generated else f"{found.submitted_by} 提交",
                    )
                )
            elif kind_id is not None and required:
                rendered = _render(session, case, kind_of(kind_id), None, office_author())
                items.append(package.Item(name, f"{seq}-{name}.docx", rendered.data, "系统生成"))
            elif required:
                raise InvalidInput(f"案件 {case.number} 缺少“{name}”，不能制作备案材料包；请先补充该材料")
    record = build_record(case_id, actor, verify())
    items.append(
        package.Item("全过程记录", f"{len(items) + 1:02d}-全过程记录.docx", render_record(record), "系统生成")
    )
    now = datetime.now(UTC)
    data = package.build(
        items, title=title, case_number=number, doc_number=doc_number, made_at=now, made_by=actor.label
    )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    with session_scope(write=True) as session:
        case_row = session.get(Case, case_id)
        if case_row is None:
            raise NotFound(f"没有案件 {case_id}")
        if store:
            kind = PAPER_KINDS["package"]
            rendered = Rendered(
                kind, data, f"{kind.title}-{number}.zip", title, hashlib.sha256(data).hexdigest()
            )
            store_generated(session, case_row, rendered, actor, stage=case_row.stage, round_=case_row.round)
        else:
            audit.append(
                session,
                action="package.made",
                actor=actor.username,
                channel=actor.channel,
                case_id=case_id,
                payload={
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "files": [i.filename for i in items],
                    "file": out.name if out else None,
                },
            )
    return data, [i.name for i in items]
