"""Run the ``reviewkit`` command as a user would: a subprocess with its own environment."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Result:
    code: int
    out: str
    err: str


def run(home: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 180) -> Result:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWKIT_")}
    full_env.update({"REVIEWKIT_HOME": str(home), "COLUMNS": "200", **(env or {})})
    proc = subprocess.run(
        [sys.executable, "-m", "reviewkit", *args],
        cwd=home.parent,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)
