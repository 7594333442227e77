"""Fault injection (flows/failpoints.py): off unless asked, fires once per point, and firing is a real
SIGKILL of the worker and of the process itself (nothing reported, nothing flushed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _hit(name: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = f"from flows.failpoints import hit\nhit({name!r})\nprint('survived')"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWKIT_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_off_without_the_variable(tmp_path: Path) -> None:
    r = _hit("enter:drafting:r1", {"REVIEWKIT_FAILPOINT_DIR": str(tmp_path)})
    assert r.returncode == 0 and "survived" in r.stdout
    assert list(tmp_path.iterdir()) == []


def test_fires_once_per_point_and_only_for_matching_names(tmp_path: Path) -> None:
    env = {"REVIEWKIT_FAILPOINTS": "enter:*, resumed:legality-*", "REVIEWKIT_FAILPOINT_DIR": str(tmp_path)}
    first = _hit("enter:legality_review:r1", env)
    assert first.returncode == -signal.SIGKILL and "survived" not in first.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["enter_legality_review_r1"]
    again = _hit("enter:legality_review:r1", env)  # the run that carries on passes the same point
    assert again.returncode == 0 and "survived" in again.stdout
    assert _hit("resumed:deliberation-r1-w0", env).returncode == 0  # not asked for
    assert _hit("resumed:legality-review-r2-w0", env).returncode == -signal.SIGKILL


def test_kills_the_worker_named_in_the_environment(tmp_path: Path) -> None:
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        env = {
            "REVIEWKIT_FAILPOINTS": "*",
            "REVIEWKIT_FAILPOINT_DIR": str(tmp_path),
            "REVIEWKIT_WORKER_PID": str(worker.pid),
        }
        assert _hit("enter:filing:r2", env).returncode == -signal.SIGKILL
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
