"""``reviewkit web``: the browser workbench for drafters, counsel, leaders and clerks."""

from __future__ import annotations

import typer

from reviewkit.cli.root import app
from reviewkit.cli.views import console


@app.command("web")
def web(
    host: str | None = typer.Option(
        None, "--host", help="监听地址（默认 127.0.0.1，仅本机；对外服务请放在 HTTPS 反向代理之后）"
    ),
    port: int | None = typer.Option(None, "--port", help="端口（默认 8300）"),
    proxy: bool = typer.Option(
        False, "--behind-proxy", help="信任反向代理（127.0.0.1）传来的 X-Forwarded-Proto/For 头"
    ),
) -> None:
    """启动浏览器工作台：登录、我的待办、案件页、作出决定、上传文稿与材料。"""
    import uvicorn

    from reviewkit.settings import get_settings
    from reviewkit.store.db import require_schema
    from reviewkit.web.app import create_app

    settings = get_settings()
    require_schema()
    bind, listen = host or settings.web_host, port or settings.web_port
    console.print(f"reviewkit 工作台：http://{bind}:{listen}/ （Ctrl+C 停止）")
    uvicorn.run(
        create_app(),
        host=bind,
        port=listen,
        log_level="warning",
        proxy_headers=proxy,
        forwarded_allow_ips="127.0.0.1" if proxy else None,
        server_header=False,
    )
