"""The audit trail as users meet it: verify the chain, read the log, export a case's 全过程记录.

Exported JSON lines hold, per event, exactly the canonical JSON the hash covers plus a ``hash`` key
spliced in before the closing brace: drop ``hash``, re-serialise canonically (sorted keys, no spaces,
UTF-8), SHA-256, and compare; ``prev_hash`` links each line to the one before.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from reviewkit.domain.roles import role_name
from reviewkit.errors import InvalidInput
from reviewkit.services.actors import Actor
from reviewkit.services.authz import audited_refusals, authorize
from reviewkit.services.kernel import definition_of, get_case
from reviewkit.services.queries import case_detail
from reviewkit.store import audit
from reviewkit.store.db import get_engine, require_schema, session_scope
from reviewkit.store.models import AuditEvent, Case, Decision, DocumentVersion, User

ACTION_NAMES = {
    "case.created": "发起案件",
    "version.submitted": "提交文稿版本",
    "version.refused": "提交版本被拒绝",
    "stage.entered": "进入环节",
    "decision.recorded": "作出决定",
    "decision.refused": "决定被拒绝",
    "decision.voided": "旧稿上的批准失效",
    "task.rebound": "待办改按新稿办理",
    "task.reassigned": "改派待办",
    "number.assigned": "统一编号",
    "prereview.completed": "自动预审完成",
    "flow_run.attached": "关联流程运行",
    "flow_run.replaced": "流程运行在 Prefect 中结束或被删除，已换新运行",
    "flow_run.rescheduled": "重新调度流程运行",
    "flow_run.lease_taken_over": "接管过期的流程租约",
    "gate.rewait": "人工环节换新键重新等待",
    "roster.user_saved": "保存名册人员",
    "roster.user_disabled": "停用人员",
    "roster.pin_set": "设置 PIN",
    "roster.refused": "名册操作被拒绝",
    "identity.refused": "身份验证失败",
    "identity.code_issued": "签发一次性审批码",
    "identity.code_used": "使用一次性审批码",
    "identity.token_issued": "签发脚本令牌",
    "identity.token_revoked": "撤销脚本令牌",
    "delegation.granted": "委托代理",
    "delegation.revoked": "撤销委托",
    "audit.exported": "导出审计记录",
    "permission.refused": "越权操作被拒绝",
    "store.gc": "清理文件库",
}
CHANNEL_NAMES = {
    "cli": "命令行",
    "prefect-ui": "Prefect 界面",
    "api": "程序接口",
    "demo": "演示",
    "system": "系统",
}


def action_name(action: str) -> str:
    return ACTION_NAMES.get(action, action)


def verify(*, anchor: tuple[int, str] | None = None) -> audit.VerifyReport:
    require_schema()
    with get_engine().connect() as conn:
        return audit.verify_chain(conn, anchor=anchor)


def describe(report: audit.VerifyReport) -> str:
    if report.broken is None:
        return f"审计链完整：共 {report.count} 个事件，链头第 {report.head_seq} 号，哈希 {report.head_hash}"
    b = report.broken
    return f"审计链断裂：第 {b.seq} 号事件{audit.BREAK_NAMES[b.kind]}（{b.detail}）；此前 {report.count} 个事件完整"


def parse_anchor(text: str) -> tuple[int, str]:
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise InvalidInput(f"锚点“{text}”格式应为 序号:SHA-256，如 120:3f5a…（64 位）")
    return int(seq), digest.lower()


@dataclass(frozen=True)
class EventView:
    seq: int
    case_id: int | None
    action: str
    action_name: str
    actor: str
    role: str
    channel: str
    occurred_utc: str
    occurred_local: str
    payload: dict[str, Any]
    hash: str


def log(
    *, case_ref: str | int | None = None, limit: int | None = None, action: str | None = None
) -> list[EventView]:
    """Events, oldest first (the last ``limit`` of them when given)."""
    require_schema()
    with session_scope() as session:
        query = select(AuditEvent)
        if case_ref is not None:
            query = query.where(AuditEvent.case_id == get_case(session, case_ref).id)
        if action:
            query = query.where(col(AuditEvent.action).startswith(action))
        if limit:
            rows = list(reversed(session.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit)).all()))
        else:
            rows = list(session.exec(query.order_by(col(AuditEvent.id))).all())
    return [
        EventView(
            e.id or 0,
            e.case_id,
            e.action,
            action_name(e.action),
            e.actor,
            e.role,
            e.channel,
            e.occurred_utc,
            e.occurred_local,
            _payload(e.payload),
            e.hash,
        )
        for e in rows
    ]


def _payload(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {"（无法解析）": text}
    return value if isinstance(value, dict) else {"value": value}


def summary(payload: dict[str, Any]) -> str:
    parts = []
    for key, value in payload.items():
        if value in (None, "", [], {}):
            continue
        if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
            value = value[:16] + "…"
        parts.append(f"{key}={value}")
    return "；".join(parts)


def jsonl_lines(case_id: int | None = None) -> Any:
    """The exported bytes, one event per line (see the module docstring)."""
    where = "" if case_id is None else f" WHERE case_id = {int(case_id)}"
    with get_engine().connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=20_000).exec_driver_sql(
            f"SELECT {audit.ROW_COLUMNS} FROM audit_events{where} ORDER BY id"
        )
        for row in result:
            body = audit.body_bytes(*row[:10])
            yield body[:-1] + b',"hash":"' + row[10].encode() + b'"}\n'


@dataclass(frozen=True)
class ExportResult:
    path: Path
    fmt: str
    events: int
    sha256: str
    intact: bool


def export(case_ref: str | int | None, fmt: str, out: Path, by: Actor) -> ExportResult:
    """Write the case's events (``jsonl``; the whole chain when ``case_ref`` is None) or its 全过程记录
    (``docx``), after checking the chain; the export itself is audited with the file's SHA-256."""
    require_schema()
    if fmt not in ("jsonl", "docx"):
        raise InvalidInput(f"导出格式“{fmt}”不支持，可选：jsonl、docx")
    with audited_refusals(by, "导出审计记录"):
        role = authorize(by, "audit.export")
    case_id: int | None = None
    if case_ref is not None:
        with session_scope() as session:
            case_id = get_case(session, case_ref).id
    elif fmt == "docx":
        raise InvalidInput("导出全过程记录（docx）须用 --case 指明案件")
    report = verify()
    if fmt == "jsonl":
        digest, count = hashlib.sha256(), 0
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as fh:
            for line in jsonl_lines(case_id):
                fh.write(line)
                digest.update(line)
                count += 1
        sha = digest.hexdigest()
    else:
        assert case_id is not None
        from reviewkit.documents.audit_record import write

        record = build_record(case_id, by, report)
        data = write(record, out)
        sha, count = hashlib.sha256(data).hexdigest(), len(record.events)
    with session_scope(write=True) as session:
        audit.append(
            session,
            action="audit.exported",
            actor=by.username,
            role=role,
            channel=by.channel,
            case_id=case_id,
            payload={
                "format": fmt,
                "file": out.name,
                "sha256": sha,
                "events": count,
                "head_seq": report.head_seq,
                "intact": report.broken is None,
            },
        )
    return ExportResult(out, fmt, count, sha, report.broken is None)


def build_record(case_id: int, by: Actor, report: audit.VerifyReport) -> Any:
    from reviewkit.documents.audit_record import AuditRecord

    detail = case_detail(case_id)
    c = detail.case
    with session_scope() as session:
        case = session.get(Case, case_id)
        assert case is not None
        names = {u.username: u.display_name for u in session.exec(select(User)).all()}
        versions = session.exec(
            select(DocumentVersion)
            .where(DocumentVersion.case_id == case_id)
            .order_by(col(DocumentVersion.seq))
        ).all()
        decisions = session.exec(
            select(Decision).where(Decision.case_id == case_id).order_by(col(Decision.id))
        ).all()

    definition = definition_of(case)

    def who(username: str | None) -> str:
        return f"{names.get(username or '', username)}（{username}）" if username else ""

    facts = [
        ("案件编号", c.number),
        ("文件标题", c.title),
        ("案件类型", f"{c.kind_name}（流程第 {detail.process_version} 版）"),
        ("起草单位", c.drafting_unit),
        ("起草人", who(c.drafter)),
        ("当前环节", f"{c.stage_name}（第 {c.round} 轮）"),
        ("状态", "已结束" if c.status == "closed" else "进行中"),
        ("文号", c.doc_number or "（未编号）"),
        ("公布日期", detail.published_on or "（未公布）"),
    ]
    version_rows = [
        [str(v.seq), v.filename, v.sha256, who(v.submitted_by), _local(v.created_at), v.note]
        for v in versions
    ]
    decision_rows = [
        [
            definition.stage(d.stage).name if d.stage in {s.id for s in definition.stages} else d.stage,
            str(d.round),
            d.decision,
            who(d.actor) + (f"（代 {who(d.on_behalf_of)}）" if d.on_behalf_of else ""),
            role_name(d.role),
            CHANNEL_NAMES.get(d.channel, d.channel),
            d.version_sha256 or "",
            _local(d.created_at),
            f"已失效：{d.voided_reason}" if d.voided_at else "有效",
        ]
        for d in decisions
    ]
    event_rows = [
        [
            str(e.seq),
            e.occurred_local.replace("T", " ")[:19],
            e.action_name,
            who(e.actor),
            role_name(e.role) if e.role else "",
            CHANNEL_NAMES.get(e.channel, e.channel),
            summary(e.payload),
        ]
        for e in log(case_ref=case_id)
    ]
    integrity = [
        describe(report) + "。",
        "每个事件记录前一事件的哈希与自身哈希（SHA-256，规范化 JSON），任何修改、删除、调换或插入均可由"
        "“reviewkit audit verify”查出。",
        f"复核本记录时可运行：reviewkit audit verify --anchor {report.head_seq}:{report.head_hash}",
    ]
    return AuditRecord(
        title=f"{c.kind_name}合法性审核全过程记录",
        facts=facts,
        versions=version_rows,
        decisions=decision_rows,
        events=event_rows,
        integrity=integrity,
        exported_by=by.label,
        exported_at=datetime.now(UTC).astimezone(_tz()),
    )


def _tz() -> Any:
    from zoneinfo import ZoneInfo

    from reviewkit.settings import get_settings

    return ZoneInfo(get_settings().timezone)


def _local(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(_tz()).strftime("%Y-%m-%d %H:%M")
