"""Audit-chain verification against ``sha256sum`` of the same exported bytes, side by side.

    python bench/audit_verify.py [--events 1000000] [--database-url URL] [--rounds 2]

Builds a chain of N realistic events (case created, versions, stage entries, decisions with Chinese
opinions, refusals …) in a fresh database (SQLite file by default; ``--database-url`` for PostgreSQL,
which must be empty and is migrated here), exports it with ``audit_trail.jsonl_lines`` (the bytes
``reviewkit audit export --format jsonl`` writes), then times, best of ``--rounds``:

- baseline: ``sha256sum`` over the exported file (one SHA-256 over all the bytes, in C);
- reviewkit: ``verify_chain`` (what ``reviewkit audit verify`` runs): the database builds each event's
  canonical bytes, Python hashes them and checks the links (one SHA-256 per event);
- before #20, for comparison: ``audit._verify_rows``, every row read whole through SQLAlchemy and its
  canonical JSON rebuilt in Python.

Prints the times and the ratios to the baseline.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ACTIONS = [
    (
        "stage.entered",
        "system",
        "",
        lambda i: {
            "stage": "legality_review",
            "name": "合法性审核",
            "round": 1,
            "due_on": "2026-12-18",
            "calendar_complete": True,
        },
    ),
    (
        "decision.recorded",
        "counsel1",
        "counsel",
        lambda i: {
            "stage": "legality_review",
            "round": 1,
            "decision": "应当予以修改",
            "outcome": "revise",
            "opinion": f"第{i % 30 + 1}条设定的审批条件缺乏上位法依据，建议删除或修改。",
            "version_sha256": hashlib.sha256(str(i).encode()).hexdigest(),
            "task_id": i,
            "on_behalf_of": None,
            "auth": "pin",
        },
    ),
    (
        "version.submitted",
        "drafter1",
        "drafter",
        lambda i: {
            "seq": 2,
            "filename": "某县财政专项资金管理办法（修改稿）.docx",
            "sha256": hashlib.sha256(str(-i).encode()).hexdigest(),
            "size": 48_213,
        },
    ),
    (
        "decision.refused",
        "gone1",
        "",
        lambda i: {"decision": "合法", "case": str(i % 5000), "reason": "用户“gone1”已停用"},
    ),
    (
        "case.created",
        "drafter1",
        "drafter",
        lambda i: {
            "number": f"RK-2026-{i % 10000:04d}",
            "kind": "normative_document",
            "title": "某县财政专项资金管理办法",
            "drafting_unit": "预算股",
            "flags": ["touches_business"],
        },
    ),
]


def build(url: str, n: int) -> None:
    from reviewkit.settings import reset_settings
    from reviewkit.store import audit
    from reviewkit.store.db import get_engine
    from reviewkit.store.migrate import upgrade

    os.environ["REVIEWKIT_DATABASE_URL"] = url
    reset_settings()
    upgrade(url)
    rng = random.Random(7)
    start = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    prev = audit.GENESIS
    engine = get_engine(url)
    sql = (
        "INSERT INTO audit_events (id, case_id, action, actor, role, channel, occurred_utc, occurred_local, payload, "
        "prev_hash, hash) VALUES (%s)"
    )
    batch: list[tuple[object, ...]] = []
    with engine.begin() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        mark = "?" if engine.dialect.name == "sqlite" else "%s"
        statement = sql % ", ".join([mark] * 11)
        cur = raw.cursor()
        for seq in range(1, n + 1):
            action, actor, role, make = ACTIONS[rng.randrange(len(ACTIONS))]
            moment = start + timedelta(seconds=seq * 7)
            utc = moment.isoformat(timespec="microseconds")
            local = (moment + timedelta(hours=8)).replace(tzinfo=None).isoformat(
                timespec="seconds"
            ) + "+08:00"
            payload = audit.canonical_json(make(seq))
            row = (seq, seq % 5000 + 1, action, actor, role, "cli", utc, local, payload, prev)
            prev = hashlib.sha256(audit.body_bytes(*row)).hexdigest()
            batch.append((*row, prev))
            if len(batch) == 50_000:
                cur.executemany(statement, batch)
                batch.clear()
        if batch:
            cur.executemany(statement, batch)


def best(fn, rounds: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rk-bench-audit-") as tmp:
        os.environ["REVIEWKIT_HOME"] = tmp
        url = args.database_url or f"sqlite:///{Path(tmp) / 'reviewkit.db'}"
        t0 = time.perf_counter()
        build(url, args.events)
        print(f"构造 {args.events:,} 个事件：{time.perf_counter() - t0:.1f} 秒（{url.split(':')[0]}）")

        from reviewkit.services.audit_trail import jsonl_lines
        from reviewkit.store.audit import _verify_rows, verify_chain
        from reviewkit.store.db import get_engine

        out = Path(tmp) / "audit.jsonl"
        t0 = time.perf_counter()
        with out.open("wb") as fh:
            for line in jsonl_lines():
                fh.write(line)
        size = out.stat().st_size
        print(f"导出 JSON Lines：{size / 1e6:.0f} MB，{time.perf_counter() - t0:.1f} 秒")

        def baseline() -> str:
            return subprocess.run(
                ["sha256sum", str(out)], capture_output=True, text=True, check=True
            ).stdout.split()[0]

        def reviewkit() -> object:
            with get_engine(url).connect() as conn:
                return verify_chain(conn)

        def before() -> object:
            with get_engine(url).connect() as conn:
                return _verify_rows(conn, anchor=None, batch=20_000)

        print(f"负载（uptime）：{os.getloadavg()}")
        base_t, _ = best(baseline, args.rounds)
        ours_t, report = best(reviewkit, args.rounds)
        old_t, old = best(before, args.rounds)
        assert report.broken is None and report.count == args.events, report  # type: ignore[attr-defined]
        assert old == report, (old, report)
        print(f"#20 之前（逐行在 Python 中重建）：{old_t:.2f} 秒，比值 {old_t / base_t:.1f}")
        print(f"基线 sha256sum（导出文件）：{base_t:.2f} 秒（{size / 1e6 / base_t:.0f} MB/s）")
        print(f"reviewkit audit verify：{ours_t:.2f} 秒（{args.events / ours_t:,.0f} 个事件/秒）")
        print(f"比值 reviewkit / sha256sum = {ours_t / base_t:.2f}；负载（uptime）：{os.getloadavg()}")


if __name__ == "__main__":
    main()
