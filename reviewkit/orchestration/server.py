"""A local Prefect server for one office machine: ``reviewkit server up|status|down``.

The server runs in the background with its own PREFECT_HOME under ``var/prefect``; its pid and log are
kept there. Bound to 127.0.0.1. Its database is SQLite unless REVIEWKIT_PREFECT_DATABASE_URL is set.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from reviewkit.errors import OrchestrationError
from reviewkit.orchestration.env import configured_api_url, prefect_environment
from reviewkit.settings import get_settings


@dataclass(frozen=True)
class ServerStatus:
    api_url: str
    healthy: bool
    pid: int | None
    managed: bool

    @property
    def ui_url(self) -> str:
        return self.api_url.removesuffix("/api")


def healthy(api_url: str, timeout: float = 5.0) -> bool:
    # A down server refuses at once; a busy one (2 cores, several flow processes starting) may take
    # seconds to answer, and must not be mistaken for a down one.
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as resp:
            return resp.status == 200 and json.loads(resp.read() or b"false") is True
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _pid_file() -> Path:
    return get_settings().resolved_prefect_home / "server.pid"


def _read_pid() -> int | None:
    try:
        pid = int(_pid_file().read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except OSError:
        return None
    return pid


def status() -> ServerStatus:
    api = configured_api_url()
    return ServerStatus(api_url=api, healthy=healthy(api), pid=_read_pid(), managed=_read_pid() is not None)


def up(timeout: float = 90.0) -> ServerStatus:
    """Start the local server unless the configured API already answers. Returns when it is healthy."""
    current = status()
    if current.healthy:
        return current
    settings = get_settings()
    api = current.api_url
    if not api.startswith("http://127.0.0.1") and not api.startswith("http://localhost"):
        raise OrchestrationError(f"Prefect 服务器 {api} 无法访问；reviewkit 只能在本机启动服务器")
    port = api.rsplit(":", 1)[1].split("/", 1)[0]
    home = settings.resolved_prefect_home
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        **prefect_environment(),
        "PREFECT_UI_API_URL": api,
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
    }
    log = (home / "server.log").open("ab")
    cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", port]
    proc = subprocess.Popen(
        cmd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    _pid_file().write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if healthy(api):
            return ServerStatus(api_url=api, healthy=True, pid=proc.pid, managed=True)
        if proc.poll() is not None:
            raise OrchestrationError(
                f"Prefect 服务器启动失败（退出码 {proc.returncode}），日志见 {home / 'server.log'}"
            )
        time.sleep(0.3)
    raise OrchestrationError(f"Prefect 服务器 {timeout:.0f} 秒内未就绪，日志见 {home / 'server.log'}")


def down(timeout: float = 20.0) -> bool:
    """Stop the server this machine started. Returns False when none was running."""
    pid = _read_pid()
    if pid is None:
        return False
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            break
        time.sleep(0.2)
    else:
        os.killpg(pid, signal.SIGKILL)
    _pid_file().unlink(missing_ok=True)
    return True
