"""公开征求意见的意见登记: comments recorded per article with their disposition (采纳 / 部分采纳 /
不予采纳, with the reason), from which the 征求意见采纳情况表 is rendered.

CSV import (UTF-8 with or without BOM, or GB18030 as Excel saves it), one comment a row, headers:
``条款,意见提出人,类别,意见内容,采纳情况,理由,收到日期`` (条款, 类别, 理由 and 收到日期 may be empty).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import col, select

from reviewkit.documents.parse import decode_text
from reviewkit.errors import InvalidInput, NotFound, PermissionDenied
from reviewkit.services.actors import Actor, acting, channel_of
from reviewkit.services.document_context import DISPOSITIONS
from reviewkit.services.kernel import get_case, record_refusal
from reviewkit.store import audit
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import ConsultationComment

ALIASES = {
    **{v: k for k, v in DISPOSITIONS.items()},
    "不采纳": "not_adopted",
    "未采纳": "not_adopted",
    "部分": "partly",
    **{k: k for k in DISPOSITIONS},
}
ROLES = frozenset({"drafter", "unit_head", "admin"})
HEADERS = {
    "条款": "article",
    "意见提出人": "commenter",
    "类别": "kind",
    "意见内容": "content",
    "采纳情况": "disposition",
    "理由": "reason",
    "收到日期": "received_on",
}
MAX_ROWS = 5000


@dataclass(frozen=True)
class NewComment:
    commenter: str
    content: str
    disposition: str = "pending"
    article: str = ""
    reason: str = ""
    kind: str = ""
    received_on: date | None = None


def disposition_id(value: str) -> str:
    key = ALIASES.get(value.strip())
    if key is None:
        raise InvalidInput(f"采纳情况“{value}”无法识别，可选：采纳、部分采纳、不予采纳、待研究")
    return key


def _check(c: NewComment, where: str = "") -> NewComment:
    if not c.commenter.strip():
        raise InvalidInput(f"{where}缺少意见提出人")
    if not c.content.strip():
        raise InvalidInput(f"{where}缺少意见内容")
    disposition = disposition_id(c.disposition)
    if disposition in ("partly", "not_adopted") and not c.reason.strip():
        raise InvalidInput(f"{where}{DISPOSITIONS[disposition]}的意见须说明理由")
    return NewComment(
        c.commenter.strip(),
        c.content.strip(),
        disposition,
        c.article.strip(),
        c.reason.strip(),
        c.kind.strip(),
        c.received_on,
    )


def add(case_ref: str | int, comments: list[NewComment], by: Actor) -> int:
    """Record comments (all or none); returns how many were recorded."""
    require_schema()
    try:
        checked = [
            _check(c, f"第 {i} 条意见：" if len(comments) > 1 else "") for i, c in enumerate(comments, 1)
        ]
        with session_scope(write=True) as session:
            case = get_case(session, case_ref)
            actor = acting(session, by, case)
            if not actor.roles & ROLES:
                raise PermissionDenied(f"{actor.label}不是起草人或起草科室负责人，不能登记征求意见")
            if case.status != "open":
                raise InvalidInput(f"案件 {case.number} 已结束，不能再登记意见")
            for c in checked:
                session.add(
                    ConsultationComment(
                        case_id=case.id or 0,
                        article=c.article,
                        commenter=c.commenter,
                        commenter_kind=c.kind,
                        content=c.content,
                        disposition=c.disposition,
                        reason=c.reason,
                        received_on=c.received_on,
                        recorded_by=actor.username,
                    )
                )
            counts = {k: sum(1 for c in checked if c.disposition == k) for k in DISPOSITIONS}
            audit.append(
                session,
                action="consultation.recorded",
                actor=actor.username,
                channel=actor.channel,
                case_id=case.id,
                payload={"count": len(checked), "by_disposition": counts},
            )
    except (InvalidInput, PermissionDenied, NotFound) as err:
        record_refusal(
            case_ref, by, channel_of(by), "consultation.refused", str(err), {"count": len(comments)}
        )
        raise
    return len(checked)


def read_csv(path: Path) -> list[NewComment]:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InvalidInput(f"无法读取《{path.name}》：{err.strerror or err}") from err
    text = decode_text(raw, path.name).lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    fields = [h.strip() for h in reader.fieldnames or []]
    missing = [h for h in ("意见提出人", "意见内容", "采纳情况") if h not in fields]
    if missing:
        raise InvalidInput(f"《{path.name}》缺少表头：{'、'.join(missing)}；表头应为 {','.join(HEADERS)}")
    out = []
    for n, row in enumerate(reader, 2):
        if n > MAX_ROWS + 1:
            raise InvalidInput(f"《{path.name}》超过 {MAX_ROWS} 条意见")
        values = {HEADERS[k.strip()]: (v or "").strip() for k, v in row.items() if k and k.strip() in HEADERS}
        if not any(values.values()):
            continue
        received = None
        if values.get("received_on"):
            try:
                received = date.fromisoformat(values["received_on"])
            except ValueError:
                raise InvalidInput(f"《{path.name}》第 {n} 行：收到日期应为 YYYY-MM-DD") from None
        try:
            out.append(
                _check(
                    NewComment(
                        values.get("commenter", ""),
                        values.get("content", ""),
                        values.get("disposition", ""),
                        values.get("article", ""),
                        values.get("reason", ""),
                        values.get("kind", ""),
                        received,
                    )
                )
            )
        except InvalidInput as err:
            raise InvalidInput(f"《{path.name}》第 {n} 行：{err}") from None
    if not out:
        raise InvalidInput(f"《{path.name}》中没有意见")
    return out


def import_csv(case_ref: str | int, path: Path, by: Actor) -> int:
    return add(case_ref, read_csv(path), by)


@dataclass(frozen=True)
class CommentRow:
    seq: int
    article: str
    commenter: str
    kind: str
    content: str
    disposition: str
    disposition_name: str
    reason: str
    received_on: str | None
    recorded_by: str


def list_comments(case_ref: str | int) -> list[CommentRow]:
    require_schema()
    with session_scope() as session:
        case = get_case(session, case_ref)
        rows = session.exec(
            select(ConsultationComment)
            .where(ConsultationComment.case_id == case.id)
            .order_by(col(ConsultationComment.id))
        ).all()
        return [
            CommentRow(
                i,
                c.article,
                c.commenter,
                c.commenter_kind,
                c.content,
                c.disposition,
                DISPOSITIONS.get(c.disposition, c.disposition),
                c.reason,
                c.received_on.isoformat() if c.received_on else None,
                c.recorded_by,
            )
            for i, c in enumerate(rows, 1)
        ]
