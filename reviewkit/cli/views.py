"""Rich renderables for the CLI. Presentation only.

rich (and ``services.queries``, with its dataclasses) is imported on first use, not with this module:
``case list --json`` prints plain JSON and must not pay for it (bench/case_list.py). ``console`` and
``err_console`` create their Console the first time something is printed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from reviewkit.domain.roles import role_name

if TYPE_CHECKING:
    from rich.console import Group
    from rich.table import Table

    from reviewkit.services.queries import CaseDetail, CaseSummary


class _LazyConsole:
    """A ``rich.console.Console`` made on first attribute access."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._real: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._real is None:
            from rich.console import Console

            self._real = Console(**self._options)
        return getattr(self._real, name)


console: Any = _LazyConsole()
err_console: Any = _LazyConsole(stderr=True)

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def print_json(value: Any) -> None:
    from dataclasses import asdict, is_dataclass

    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    elif isinstance(value, list):
        value = [asdict(v) if is_dataclass(v) and not isinstance(v, type) else v for v in value]
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def print_json_rows(rows: list[Any]) -> None:
    """A JSON array with one object per line: long lists (``case list`` over 10,000 cases) are printed
    by the C encoder in a fraction of the time ``indent=2`` takes, and stay readable line by line.

    Rows are dicts (or dataclasses) of plain values. The whole list goes through the C encoder in one
    call and each object is put on its own line afterwards: between two objects the encoder writes
    ``}, {"``, which cannot occur inside an encoded string (its quotes are escaped). When the rows
    hold nested objects that make the marker ambiguous, each row is encoded on its own instead."""
    import sys

    if not rows:
        sys.stdout.write("[]\n")
        return
    flat = all(type(r) is dict and r for r in rows)
    if not flat:
        from dataclasses import is_dataclass

        rows = [dict(vars(r)) if is_dataclass(r) and not isinstance(r, type) else r for r in rows]
        flat = all(type(r) is dict and r for r in rows)
    encoder = json.JSONEncoder(ensure_ascii=False, default=str)
    text = encoder.encode(rows)
    if flat and text.count('}, {"') == len(rows) - 1:
        body = text[1:-1].replace('}, {"', '},\n  {"')
    else:
        body = ",\n  ".join(encoder.encode(r) for r in rows)
    sys.stdout.write("[\n  " + body + "\n]\n")


def cases_table(rows: list[CaseSummary]) -> Table:
    from rich.table import Table

    from reviewkit.services.queries import STATUS_NAMES

    table = Table(title=f"审核案件（{len(rows)} 件）", show_lines=False)
    for col in ("编号", "类型", "标题", "起草单位", "当前环节", "轮次", "状态", "文号"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r.id) + " " + r.number,
            r.kind_name,
            r.title,
            r.drafting_unit,
            r.stage_name,
            str(r.round),
            STATUS_NAMES.get(r.status, r.status),
            r.doc_number or "",
        )
    return table


def local_time(iso: str | None) -> str:
    """``2026-11-28T07:26:33+00:00`` → ``11-28 15:26:33`` in the office's time zone."""
    if not iso:
        return ""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from reviewkit.settings import get_settings

    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(get_settings().timezone)).strftime("%m-%d %H:%M:%S")


def timeline_table(detail: CaseDetail) -> Table:
    from rich.table import Table

    table = Table(title="办理过程（北京时间）", show_lines=False)
    table.add_column("环节", overflow="fold")
    table.add_column("轮", justify="right")
    table.add_column("决定", overflow="fold")
    table.add_column("决定人", overflow="fold")
    table.add_column("完成", no_wrap=True)
    table.add_column("期限", no_wrap=True)
    for row in detail.timeline:
        due = row.due_on or ""
        if row.due_on and not row.due_complete:
            due += "（缺节假日数据）"
        who = row.actor_name or ""
        done = (
            local_time(row.left_at)[:-3]
            if row.left_at
            else "[yellow]办理中[/yellow]"
            if detail.case.status == "open"
            else ""
        )
        table.add_row(row.stage_name, str(row.round), row.outcome or "", who, done, due)
    return table


def findings_table(findings: list[dict[str, Any]]) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"预审发现（{len(findings)} 项）", show_lines=True)
    for col in ("稿次", "级别", "规则", "段落", "问题", "依据"):
        table.add_column(col, overflow="fold", no_wrap=col in ("稿次", "级别", "段落"))
    for f in findings:
        sev = f["severity"]
        table.add_row(
            str(f.get("version_seq") or ""),
            Text(SEVERITY_NAMES.get(sev, sev), style=SEVERITY_STYLES.get(sev, "")),
            f["rule_id"],
            "" if f["paragraph"] is None else str(f["paragraph"]),
            f["message"],
            f["basis"],
        )
    return table


def case_panel(detail: CaseDetail) -> Group:
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table

    from reviewkit.services.queries import STATUS_NAMES

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
        lines.append(
            f"[yellow]待办：{t['stage_name']}（第 {t['round']} 轮），由{roles}办理，期限 {t['due_on'] or '无'}[/yellow]"
        )
    parts: list[Any] = [Panel("\n".join(lines), title="案件")]
    versions = Table(title="文稿版本")
    for col in ("稿次", "文件", "SHA-256", "提交人", "说明", "时间"):
        versions.add_column(col, no_wrap=col != "文件")
    for v in detail.versions:
        versions.add_row(
            str(v["seq"]),
            v["filename"],
            v["sha256"][:12] + "…",
            v["submitted_by"],
            v["note"],
            local_time(v["created_at"]),
        )
    parts += [versions, timeline_table(detail)]
    if detail.findings:
        parts.append(findings_table(detail.findings))
    return Group(*parts)
