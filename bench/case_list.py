"""``reviewkit case list --json`` over 10,000 cases against ``prefect flow-run ls --limit 3``, side by side.

    python bench/case_list.py [--cases 10000] [--rounds 7] [--database-url URL]

Seeds N cases straight into a fresh store (SQLite file by default; ``--database-url`` for an empty
PostgreSQL database, migrated here) with the real process snapshots, stages spread over the whole
process, then starts its own Prefect server (three flow runs created on it so the listing is not
empty) and times, alternating, ``--rounds`` runs of each command as a user types it (a fresh process
each time, wall clock):

- baseline: ``prefect flow-run ls --limit 3`` against that server;
- reviewkit: ``reviewkit case list --json`` printing all N cases.

Prints the medians and the ratio reviewkit / baseline (targets: ≤ 0.25 and under 0.3 s).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import QUIET, load, median, prefect_server, timed_run  # noqa: E402

KINDS = ["normative_document", "major_decision", "major_contract", "enforcement_review"]


def seed(url: str, n: int) -> None:
    """N cases inserted in bulk, as ``start_case`` + decisions would have left them (case rows only:
    the list reads nothing else)."""
    from sqlalchemy import insert

    from reviewkit.domain.process import load_definition
    from reviewkit.settings import get_settings, reset_settings
    from reviewkit.store.db import get_engine
    from reviewkit.store.migrate import upgrade
    from reviewkit.store.models import Case

    os.environ["REVIEWKIT_DATABASE_URL"] = url
    reset_settings()
    upgrade(url)
    processes = get_settings().templates_dir / "processes"
    definitions = [load_definition(kind, processes) for kind in KINDS]
    rng = random.Random(7)
    start = datetime(2024, 1, 2, 1, 30, tzinfo=UTC)
    rows = []
    for i in range(1, n + 1):
        d = definitions[0] if rng.random() < 0.7 else rng.choice(definitions[1:])
        stage = rng.choice(d.stages)
        closed = stage.kind == "end"
        rows.append(
            {
                "number": f"RK-{2024 + i * 3 // n}-{i:05d}",
                "kind": d.kind,
                "process_version": d.version,
                "process_fingerprint": d.fingerprint,
                "process_snapshot": d.source,
                "title": f"某县{rng.choice(['财政专项资金', '政府采购', '城市绿化', '农村饮水安全', '校外培训'])}管理办法（第{i}号）",
                "drafting_unit": rng.choice(["预算股", "采购办", "城管局", "水利局", "教体局"]),
                "drafter": "drafter1",
                "stage": stage.id,
                "round": 1 + (i % 3 == 0),
                "status": "closed" if closed else "open",
                "flags": ["touches_business"] if i % 2 else [],
                "facts": {},
                "doc_number": f"某财规〔2025〕{i}号" if closed and stage.id == "filed" else None,
                "created_at": start + timedelta(minutes=97 * i),
                "updated_at": start + timedelta(minutes=97 * i + 5),
            }
        )
    engine = get_engine(url)
    with engine.begin() as conn:
        for k in range(0, n, 2000):
            conn.execute(insert(Case), rows[k : k + 2000])
    engine.dispose()


def make_flow_runs(api: str, home: Path, count: int = 3) -> None:
    """Flow runs on the bench's server so ``flow-run ls`` lists something (created, not executed)."""
    code = (
        "import asyncio\n"
        "from prefect import flow\n"
        "from prefect.client.orchestration import get_client\n"
        "@flow(name='审查-bench')\n"
        "def noop():\n    pass\n"
        "async def main():\n"
        "    async with get_client() as c:\n"
        f"        for i in range({count}):\n"
        "            await c.create_flow_run(noop, name=f'审查-某财规〔2026〕{i}号')\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, **QUIET, "PREFECT_API_URL": api, "PREFECT_HOME": str(home)}
    timed_run([sys.executable, "-c", code], env)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--database-url", default=None, help="an empty PostgreSQL database (default: SQLite file)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rk-bench-list-") as tmp:
        root = Path(tmp)
        rk_home = root / "rk"
        url = args.database_url or f"sqlite:///{rk_home / 'reviewkit.db'}"
        t0 = time.perf_counter()
        seed(url, args.cases)
        print(f"seeded {args.cases} cases in {time.perf_counter() - t0:.1f} s ({url.split(':', 1)[0]})")
        bin_dir = Path(sys.executable).parent
        with prefect_server(root / "prefect") as api:
            make_flow_runs(api, root / "prefect")
            clean = {k: v for k, v in os.environ.items() if not k.startswith(("REVIEWKIT_", "PREFECT_"))}
            rk_env = {**clean, "REVIEWKIT_HOME": str(rk_home), "REVIEWKIT_DATABASE_URL": url}
            pf_env = {
                **clean,
                **QUIET,
                "PREFECT_API_URL": api,
                "PREFECT_HOME": str(root / "prefect"),
                "COLUMNS": "200",
            }
            rk_cmd = [str(bin_dir / "reviewkit"), "case", "list", "--json"]
            pf_cmd = [str(bin_dir / "prefect"), "flow-run", "ls", "--limit", "3"]
            _, out = timed_run(rk_cmd, rk_env, cwd=root)  # warm the page cache and check the output once
            listed = json.loads(out)
            assert len(listed) == args.cases, f"listed {len(listed)} of {args.cases}"
            _, pf_out = timed_run(pf_cmd, pf_env, cwd=root)
            assert "审查-某财规" in pf_out, pf_out[-400:]
            rk_times, pf_times = [], []
            for _ in range(args.rounds):
                pf_times.append(timed_run(pf_cmd, pf_env, cwd=root)[0])
                rk_times.append(timed_run(rk_cmd, rk_env, cwd=root)[0])
    rk, pf = median(rk_times), median(pf_times)
    print(load())
    print(f"baseline  prefect flow-run ls --limit 3          : median {pf:.3f} s (best {min(pf_times):.3f})")
    print(f"reviewkit case list --json ({args.cases} cases) : median {rk:.3f} s (best {min(rk_times):.3f})")
    print(
        f"ratio reviewkit / baseline: {rk / pf:.2f} (median), {min(rk_times) / min(pf_times):.2f} (best)"
        f"   targets: ≤ 0.25 and < 0.3 s"
    )


if __name__ == "__main__":
    main()
