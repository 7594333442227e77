"""Rich renderables for the CLI. Presentation only."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from reviewkit.domain.roles import role_name
from reviewkit.services.queries import STATUS_NAMES, CaseDetail, CaseSummary

console = Console()
err_console = Console(stderr=True)

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def print_json(value: Any) -> None:
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    elif isinstance(value, list):
        value = [asdict(v) if is_dataclass(v) and not isinstance(v, type) else v for v in value]
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def cases_table(rows: list[CaseSummary]) -> Table:
    table = Table(title=f"审核案件（{len(rows)} 件）", show_lines=False)
    for col in ("编号", "类型", "标题", "起草单位", "当前环节", "轮次", "状态", "文号"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r.id) + " " + r.number, r.kind_name, r.title, r.drafting_unit, r.stage_name,
                      str(r.round), STATUS_NAMES.get(r.status, r.status), r.doc_number or "")
    return table


def timeline_table(detail: CaseDetail) -> Table:
    table = Table(title="办理过程", show_lines=False)
    for col in ("环节", "轮次", "进入", "完成", "期限", "决定", "决定人", "渠道"):
        table.add_column(col)
    for row in detail.timeline:
        due = row.due_on or ""
        if row.due_on and not row.due_complete:
            due += "（按周一至周五推算）"
        table.add_row(row.stage_name, str(row.round), row.entered_at.replace("T", " "),
                      (row.left_at or "").replace("T", " ")[:19], due, row.outcome or "",
                      row.actor_name or "", row.channel or "")
    return table


def findings_table(findings: list[dict[str, Any]]) -> Table:
    table = Table(title=f"预审发现（{len(findings)} 项）")
    for col in ("稿次", "级别", "规则", "段落", "问题", "依据"):
        table.add_column(col)
    for f in findings:
        sev = f["severity"]
        table.add_row(str(f.get("version_seq") or ""), Text(SEVERITY_NAMES.get(sev, sev), style=SEVERITY_STYLES.get(sev, "")),
                      f["rule_id"], "" if f["paragraph"] is None else str(f["paragraph"]), f["message"], f["basis"])
    return table


def case_panel(detail: CaseDetail) -> Group:
    c = detail.case
    lines = [
        f"[b]{c.number}[/b]  {c.title}",
        f"类型：{c.kind_name}（流程第 {detail.process_version} 版）   起草单位：{c.drafting_unit}   起草人：{c.drafter}",
        f"当前环节：[b]{c.stage_name}[/b]（第 {c.round} 轮）   状态：{STATUS_NAMES.get(c.status, c.status)}",
    ]
    if c.doc_number:
        lines.append(f"文号：{c.doc_number}   公布日期：{detail.published_on}")
    if detail.flags:
        lines.append("标记：" + "、".join(detail.flags))
    for t in detail.open_tasks:
        roles = "、".join(role_name(r) for r in t["candidate_roles"])
        lines.append(f"[yellow]待办：{t['stage_name']}（第 {t['round']} 轮），由{roles}办理，期限 {t['due_on'] or '无'}[/yellow]")
    parts: list[Any] = [Panel("\n".join(lines), title="案件")]
    versions = Table(title="文稿版本")
    for col in ("稿次", "文件", "SHA-256", "提交人", "说明", "时间"):
        versions.add_column(col)
    for v in detail.versions:
        versions.add_row(str(v["seq"]), v["filename"], v["sha256"][:16] + "…", v["submitted_by"], v["note"],
                         v["created_at"].replace("T", " "))
    parts += [versions, timeline_table(detail)]
    if detail.findings:
        parts.append(findings_table(detail.findings))
    return Group(*parts)
