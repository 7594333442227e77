"""One real Prefect server per test session.

If PREFECT_API_URL points at a healthy server (``.ci/run`` starts one), the tests use it; otherwise the
first test that needs it starts ``prefect server start`` on a free port with its own PREFECT_HOME.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from reviewkit.orchestration.server import healthy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(home: Path, timeout: float = 120.0) -> tuple[str, subprocess.Popen[bytes] | None]:
    existing = os.environ.get("PREFECT_API_URL")
    if existing and healthy(existing):
        return existing, None
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api,
        "PREFECT_UI_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
    }
    log = (home / "server.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if healthy(api):
            return api, proc
        if proc.poll() is not None:
            raise RuntimeError(f"prefect server exited with {proc.returncode}; see {home / 'server.log'}")
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("prefect server did not become healthy")
