"""``reviewkit worker`` and ``reviewkit sync``: running the case flows, and reconciling them."""

from __future__ import annotations

import typer

from reviewkit.cli.root import app
from reviewkit.cli.views import console, err_console, print_json


@app.command("worker")
def worker(
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="同时运行的流程进程数上限（默认 REVIEWKIT_WORKER_LIMIT=4）"
    ),
) -> None:
    """运行审核流程：托管 review_case 部署（flow.serve），启动时及每隔一段时间与数据库对账。"""
    from reviewkit.orchestration import env, runs, server
    from reviewkit.settings import get_settings

    settings = get_settings()
    env.apply()
    status = server.status()
    if not status.healthy:
        err_console.print("Prefect 服务器未运行，正在启动…")
        status = server.up()
    from flows.serve import run_worker

    console.print(f"reviewkit worker 已连接 {status.api_url}；界面：{status.ui_url}；按 Ctrl+C 停止。")
    try:
        report = runs.sync()
        if report.started or report.resumed:
            console.print(f"对账：启动 {len(report.started)} 件，唤醒 {len(report.resumed)} 件。")
    except Exception as err:  # noqa: BLE001 - reconcile is best effort at start; the loop retries
        err_console.print(f"启动时对账未完成：{err}")
    run_worker(limit or settings.worker_limit, settings.reconcile_seconds)


@app.command("sync")
def sync(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """与数据库对账：为没有流程运行的在办案件启动流程，唤醒数据库已决定但仍在等待的流程，重新调度进程已停止（租约过期）的流程。"""
    from reviewkit.orchestration import runs

    report = runs.sync()
    if as_json:
        print_json(
            {
                "started": report.started,
                "resumed": report.resumed,
                "cancelled": report.cancelled,
                "rescheduled": report.rescheduled,
                "problems": report.problems,
            }
        )
        return
    console.print(f"已启动 {len(report.started)} 件：{'、'.join(report.started) or '无'}")
    console.print(f"已唤醒 {len(report.resumed)} 件：{'、'.join(report.resumed) or '无'}")
    if report.rescheduled:
        console.print(f"已重新调度进程已停止的流程运行：{'、'.join(report.rescheduled)}")
    if report.cancelled:
        console.print(f"已取消多余的流程运行 {len(report.cancelled)} 个。")
    for line in report.problems:
        err_console.print(f"[yellow]{line}[/yellow]")
    if report.problems:
        raise typer.Exit(1)
