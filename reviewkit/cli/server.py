"""``reviewkit server``: the local Prefect server with its UI."""

from __future__ import annotations

import typer

from reviewkit.cli.root import app
from reviewkit.cli.views import console

server_app = typer.Typer(help="本机 Prefect 服务器（含界面）：启动、状态、停止。", no_args_is_help=True)
app.add_typer(server_app, name="server")


@server_app.command("up")
def up() -> None:
    """在后台启动 Prefect 服务器（仅监听 127.0.0.1），就绪后返回。"""
    from reviewkit.orchestration import server

    status = server.up()
    console.print(f"Prefect 服务器已就绪：{status.ui_url}（API {status.api_url}）")


@server_app.command("status")
def status() -> None:
    """显示 Prefect 服务器是否可用。"""
    from reviewkit.orchestration import server

    s = server.status()
    state = "[green]运行中[/green]" if s.healthy else "[red]未运行[/red]"
    managed = f"，由本机 reviewkit 启动（pid {s.pid}）" if s.managed else ""
    console.print(f"Prefect 服务器 {s.api_url}：{state}{managed}")
    if not s.healthy:
        raise typer.Exit(1)


@server_app.command("down")
def down() -> None:
    """停止由 reviewkit server up 启动的 Prefect 服务器。"""
    from reviewkit.orchestration import server

    if server.down():
        console.print("Prefect 服务器已停止。")
    else:
        console.print("没有由 reviewkit 启动的 Prefect 服务器在运行。")
