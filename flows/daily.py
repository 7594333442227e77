"""``daily_checks``: the scheduled daily deployment. Registers the newly published documents, marks
expired ones 失效, finds overdue and nearly-due work (and filings near the 30-day 备案 limit), tells the
people responsible and — past ``escalate_after_working_days`` — their leaders, and publishes a dashboard
(markdown artifact ``reviewkit-dashboard``). Serve it with ``reviewkit daily serve`` (cron 08:00 北京时间)."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from reviewkit.services import notify, overdue, register
from reviewkit.services.kernel import local_today

ARTIFACT_KEY = "reviewkit-dashboard"
CRON = "0 8 * * *"


@task(name="登记簿更新")
def update_register(today: date) -> dict[str, Any]:
    added = register.sync_register()
    expired = register.expire(today)
    attention = register.list_register(today, attention=True)
    return {
        "added": added,
        "expired": [r.doc_number for r in expired],
        "attention": [r.as_json() for r in attention],
    }


@task(name="期限检查")
def check_deadlines(today: date) -> list[overdue.OpenItem]:
    return overdue.open_items(today)


@task(name="发送通知", retries=1, retry_delay_seconds=5)
def send_notices(items: list[overdue.OpenItem]) -> list[dict[str, object]]:
    return notify.notify(items)


def dashboard(
    today: date, items: list[overdue.OpenItem], reg: dict[str, Any], sent: list[dict[str, object]]
) -> str:
    late = [i for i in items if i.status == "overdue"]
    filing = [i for i in items if i.filing]
    lines = [
        f"# reviewkit 每日看板（{today.isoformat()}）",
        "",
        f"- 超期事项：**{len(late)}** 件（其中已向领导升级 {sum(1 for i in late if i.level)} 件）",
        f"- 今日到期 / 即将到期：{sum(1 for i in items if i.status != 'overdue')} 件",
        f"- 临近或超过备案期限（公布后30日）：{len(filing)} 件",
        f"- 登记簿：新登记 {reg['added']} 件，本日失效 {len(reg['expired'])} 件，需清理评估或依据已变化 "
        f"{len(reg['attention'])} 件",
        f"- 通知：{sum(1 for s in sent if s['status'] == 'sent')} 条已发送，"
        f"{sum(1 for s in sent if s['status'] != 'sent')} 条失败",
        "",
    ]
    if items:
        lines += [
            "| 案件 | 标题 | 环节 | 期限 | 状态 | 超期工作日 | 经办 | 升级至 |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for i in items:
            lines.append(
                f"| {i.case_number} | {i.title} | {i.stage_name}（第{i.round}轮） | {i.due_on} | {i.status_name} "
                f"| {i.days_overdue} | {'、'.join(i.responsible)} | {'、'.join(i.leaders)} |"
            )
    else:
        lines.append("所有在办事项均在期限内。")
    if reg["attention"]:
        lines += ["", "## 登记簿提醒", "", "| 文号 | 标题 | 有效期至 | 提醒 |", "|---|---|---|---|"]
        for r in reg["attention"]:
            note = "；".join(
                (["有效期届满前6个月内，请组织清理评估"] if r["cleanup_due"] else []) + r["law_changes"]
            )
            lines.append(f"| {r['doc_number']} | {r['title']} | {r['expires_on']} | {note} |")
    return "\n".join(lines) + "\n"


@flow(name="daily_checks", persist_result=False)
def daily_checks(today: str | None = None) -> dict[str, Any]:
    """每日检查：登记簿、期限、超期升级、备案预警、看板。

    Args:
        today: 检查日期（YYYY-MM-DD），默认今天（北京时间）
    """
    day = date.fromisoformat(today) if today else local_today()
    reg = update_register(day)
    items = check_deadlines(day)
    sent = send_notices(items)
    create_markdown_artifact(
        key=ARTIFACT_KEY,
        markdown=dashboard(day, items, reg, sent),
        description=f"reviewkit 每日看板 {day.isoformat()}",
    )
    return {
        "today": day.isoformat(),
        "overdue": sum(1 for i in items if i.status == "overdue"),
        "escalated": sum(1 for i in items if i.level),
        "filing_warnings": sum(1 for i in items if i.filing),
        "notices": sent,
        "register": {k: v for k, v in reg.items() if k != "attention"},
    }


def serve() -> None:
    """Serve the daily deployment (runs at 08:00 Asia/Shanghai)."""
    from prefect.schedules import Cron

    daily_checks.serve(
        name="daily", schedules=[Cron(CRON, timezone="Asia/Shanghai")], description="reviewkit 每日检查"
    )


if __name__ == "__main__":
    serve()
