"""``reviewkit store gc`` end to end: needs an admin, prints what it would do (``--dry-run``) or did."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from tests.e2e.cli import run

ADMIN_PIN = "864213"


def test_store_gc_needs_an_admin_and_reports_in_json(tmp_path: Path) -> None:
    home = tmp_path / "var"
    assert (
        run(home, "user", "add", "admin1", "--name", "管理员", "--role", "admin", "--new-pin", ADMIN_PIN).code
        == 0
    )
    orphan = home / "data" / "objects" / "5e" / ("5e" + "0" * 62)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x")
    old = time.time() - 3 * 86_400
    os.utime(orphan, (old, old))

    r = run(home, "store", "gc")
    assert r.code == 1 and r.err.strip().splitlines() == [
        "错误：请用 --as 指明操作人（脚本可设置 REVIEWKIT_TOKEN）"
    ]
    r = run(home, "store", "gc", "--dry-run", "--json", "--as", "admin1", env={"REVIEWKIT_PIN": ADMIN_PIN})
    assert r.code == 0, r.err
    assert json.loads(r.out)["quarantined"] == ["5e" + "0" * 62] and orphan.exists()
    r = run(
        home, "store", "gc", "--older-than-hours", "48", "--as", "admin1", env={"REVIEWKIT_PIN": ADMIN_PIN}
    )
    assert r.code == 0 and "已移入隔离区 1 个" in r.out and not orphan.exists()
    r = run(
        home, "store", "gc", "--older-than-hours", "0.5", "--as", "admin1", env={"REVIEWKIT_PIN": ADMIN_PIN}
    )
    assert r.code == 1 and "不得小于 1" in r.err
