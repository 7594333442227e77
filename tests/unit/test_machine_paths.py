"""No file of the repository names a path of the machine it was written on (a home directory, a
workspace, a virtual environment there): commands shown must work on any clone."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# built from parts so that this file does not match itself
MACHINE_PATH = re.compile(
    "(?<![\\w.])/(?:" + "|".join(["ro" + "ot", "ho" + "me", "wo" + "rk"]) + r")/[\w.-]+"
)


def test_no_machine_specific_paths() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    hits = []
    for name in files.decode().split("\0"):
        path = ROOT / name
        if not name or not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # .docx and other binary files
        hits += [
            f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group()}"
            for m in MACHINE_PATH.finditer(text)
        ]
    assert hits == []
