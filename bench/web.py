"""The workbench's server time at 10,000 cases: ``GET /inbox`` and ``GET /cases/{number}``, against
``reviewkit case list --json`` over the same store, side by side.

    .venv/bin/python bench/web.py [--cases 10000] [--rounds 15]

Seeds N cases in bulk into a fresh SQLite store as the services would have left them: the real process
snapshot, stages spread over the whole normative-document process, one draft version each (the sample
draft, stored once), a stage history, an open task at every human stage, and the sample draft's real
pre-review findings on every case past 自动预审. Then, in this process, through the ASGI app
(FastAPI's TestClient: server time, no network), logged in with PINs as the sample roster:

- ``GET /inbox`` as the counsel (wangfang) and as the drafter (zhangwei, who drafted every case);
- ``GET /cases/{number}`` for cases at every stage (random sample).

Baseline: ``reviewkit case list --json`` printing all N cases, a fresh process each time (as typed).
Prints medians and the ratio page / baseline; target: a page ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import load, timed_run  # noqa: E402

PIN = "246813"


def seed(home: Path, n: int) -> list[str]:
    """N cases; returns their numbers."""
    from sqlalchemy import insert, select

    from reviewkit.documents.parse import parse_bytes
    from reviewkit.domain.process import load_definition
    from reviewkit.rules.engine import run_rules
    from reviewkit.services import identity
    from reviewkit.services.roster import import_roster, set_pin
    from reviewkit.settings import get_settings
    from reviewkit.store import blobs
    from reviewkit.store.db import get_engine, require_schema
    from reviewkit.store.models import Case, DocumentVersion, Finding, HumanTask, StageEntry

    require_schema()
    settings = get_settings()
    import_roster(settings.templates_dir / "samples" / "roster.toml")
    identity.SCRYPT_N = 2**10  # PINs hashed cheaply for the bench; verification cost is not measured here
    for user in ("wangfang", "zhangwei"):
        set_pin(user, PIN)
    draft = (settings.templates_dir / "samples" / "draft-v1.docx").read_bytes()
    stored = blobs.put_bytes(settings.resolved_data_dir, draft)
    findings = run_rules(parse_bytes(draft, "draft-v1.docx"))
    d = load_definition("normative_document", settings.templates_dir / "processes")
    order = [s.id for s in d.stages if s.kind != "end"] + ["filed"]
    rng = random.Random(7)
    start = datetime(2025, 1, 2, 1, 30, tzinfo=UTC)
    engine = get_engine()
    numbers = []
    with engine.begin() as conn:
        cases = []
        for i in range(1, n + 1):
            stage = rng.choice(order)
            closed = stage == "filed"
            numbers.append(f"RK-2025-{i:05d}")
            cases.append(
                {
                    "number": numbers[-1],
                    "kind": d.kind,
                    "process_version": d.version,
                    "process_fingerprint": d.fingerprint,
                    "process_snapshot": d.source,
                    "title": f"某县{rng.choice(['财政专项资金', '政府采购', '城市绿化', '农村饮水安全'])}管理办法（第{i}号）",
                    "drafting_unit": "某县财政局政府采购股",
                    "drafter": "zhangwei",
                    "stage": stage,
                    "round": 1,
                    "status": "closed" if closed else "open",
                    "flags": ["touches_business"],
                    "facts": {},
                    "doc_number": f"某财规〔2025〕{i}号" if closed else None,
                    "created_at": start + timedelta(minutes=47 * i),
                    "updated_at": start + timedelta(minutes=47 * i + 5),
                }
            )
        for k in range(0, n, 2000):
            conn.execute(insert(Case), cases[k : k + 2000])
        ids = dict(conn.execute(select(Case.number, Case.id)).all())
        conn.execute(
            insert(DocumentVersion),
            [
                {
                    "case_id": ids[c["number"]],
                    "seq": 1,
                    "filename": "draft-v1.docx",
                    "sha256": stored.sha256,
                    "size": stored.size,
                    "submitted_by": "zhangwei",
                    "note": "初稿",
                    "created_at": c["created_at"],
                }
                for c in cases
            ],
        )
        versions = dict(conn.execute(select(DocumentVersion.case_id, DocumentVersion.id)).all())
        conn.execute(
            Case.__table__.update()
            .where(Case.__table__.c.id == Case.__table__.c.id)
            .values(
                current_version_id=select(DocumentVersion.id)
                .where(DocumentVersion.case_id == Case.__table__.c.id)
                .scalar_subquery()
            )
        )
        entries, tasks, found = [], [], []
        for c in cases:
            cid, upto = ids[c["number"]], order.index(c["stage"])
            for j, st in enumerate(order[: upto + 1]):
                current = j == upto
                entries.append(
                    {
                        "case_id": cid,
                        "stage": st,
                        "round": 1,
                        "entered_at": c["created_at"],
                        "left_at": None if current and st != "filed" else c["updated_at"],
                        "due_on": date(2026, 12, 20),
                        "due_complete": True,
                        "outcome": None if current else "完成",
                        "actor": None if current else "zhangwei",
                    }
                )
            spec = d.stage(c["stage"])
            if spec.kind == "human" and c["status"] == "open":
                tasks.append(
                    {
                        "case_id": cid,
                        "stage": spec.id,
                        "round": 1,
                        "candidate_roles": list(spec.roles),
                        "due_on": date(2026, 12, 20),
                        "version_id": versions[cid],
                        "version_sha256": stored.sha256,
                        "status": "open",
                        "created_at": c["updated_at"],
                        "wakes": 0,
                    }
                )
            if upto > order.index("prereview"):
                found += [
                    {
                        "case_id": cid,
                        "version_id": versions[cid],
                        "rule_id": f.rule_id,
                        "category": f.category,
                        "severity": f.severity,
                        "paragraph": f.paragraph,
                        "text": f.text,
                        "message": f.message,
                        "basis": f.basis,
                        "suggestion": f.suggestion,
                    }
                    for f in findings
                ]
        for table, rows in ((StageEntry, entries), (HumanTask, tasks), (Finding, found)):
            for k in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[k : k + 5000])
    print(f"seeded {n} cases: {len(entries)} stage entries, {len(tasks)} open tasks, {len(found)} findings")
    return numbers


def page_times(numbers: list[str], rounds: int) -> dict[str, list[float]]:
    from fastapi.testclient import TestClient

    from reviewkit.web.app import create_app

    app = create_app()
    clients = {}
    for user in ("wangfang", "zhangwei"):
        client = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        assert (
            client.post("/login", data={"username": user, "pin": PIN, "csrf_token": token}).status_code == 303
        )
        clients[user] = client
    rng = random.Random(11)
    sample = rng.sample(numbers, rounds)
    times: dict[str, list[float]] = {"inbox (counsel)": [], "inbox (drafter)": [], "case page": []}
    for client in clients.values():  # warm: templates compiled, snapshot parsed, paragraphs cached
        client.get("/inbox")
        client.get(f"/cases/{numbers[0]}")
    for k in range(rounds):
        for label, user, path in (
            ("inbox (counsel)", "wangfang", "/inbox"),
            ("inbox (drafter)", "zhangwei", "/inbox"),
            ("case page", "wangfang", f"/cases/{sample[k]}"),
        ):
            t0 = time.perf_counter()
            response = clients[user].get(path)
            times[label].append(time.perf_counter() - t0)
            assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rk-bench-web-") as tmp:
        home = Path(tmp) / "home"
        os.environ["REVIEWKIT_HOME"] = str(home)
        from reviewkit.settings import reset_settings

        reset_settings()
        t0 = time.perf_counter()
        numbers = seed(home, args.cases)
        print(f"seed {time.perf_counter() - t0:.1f} s; {load()}")
        env = {**os.environ, "REVIEWKIT_HOME": str(home)}
        cli = [str(Path(sys.executable).parent / "reviewkit"), "case", "list", "--json"]
        timed_run(cli, env)  # warm the page cache
        base = [timed_run(cli, env)[0] for _ in range(7)]
        times = page_times(numbers, args.rounds)
    b = statistics.median(base)
    print(
        f"baseline reviewkit case list --json ({args.cases} cases, fresh process): median {b * 1000:.0f} ms "
        f"(best {min(base) * 1000:.0f})"
    )
    for label, values in times.items():
        m = statistics.median(values)
        print(
            f"{label:16s}: median {m * 1000:.0f} ms (best {min(values) * 1000:.0f}, worst {max(values) * 1000:.0f})"
            f"  ratio to baseline {m / b:.2f}  {'≤ 150 ms' if m <= 0.15 else '> 150 ms target'}"
        )
    print(load())


if __name__ == "__main__":
    main()
