"""100 concurrent cases on PostgreSQL against the same on SQLite: throughput and lock errors.

    /work/venv/bin/python bench/concurrency.py [--cases 100] [--concurrency 8] [--backends postgres,sqlite]

For each backend the bench starts its own Prefect server on a free port with its own database (a
throwaway PostgreSQL database via asyncpg, or a fresh SQLite file) and gives reviewkit a store on the
same backend (a throwaway PostgreSQL database, or a SQLite file). It registers N demo cases (sample
roster and draft, 13 steps each with a return for revision: ``services.demo.prepare``), then runs
``review_case(case_id, scripted=True)`` for all of them from a pool of ``--concurrency`` threads in
one process (bounded, as ``reviewkit worker --limit`` bounds its runs), each case a real flow run on
that server, every decision through the services. Counts:

- throughput: cases filed per minute of wall clock;
- lock errors: "database is locked" in the Prefect server log and reviewkit's store, HTTP 503 retries
  the Prefect client logged, and cases that did not reach 已备案.

Prints both backends and the ratio PostgreSQL / SQLite (target ≥ 10× at 100 cases; lock errors 0 on
PostgreSQL). Servers are stopped and databases dropped at the end.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import QUIET, REPO, load, pg_database, prefect_server  # noqa: E402

CHILD = r"""
import json, logging, os, sys, time, threading
from concurrent.futures import ThreadPoolExecutor
n, concurrency = int(sys.argv[1]), int(sys.argv[2])
retries = []
class Count(logging.Handler):
    def emit(self, record):
        msg = record.getMessage()
        if "503" in msg or "locked" in msg or "Retrying" in msg:
            retries.append(msg[:200])
logging.getLogger("prefect").addHandler(Count())
from flows.review_case import review_case
from reviewkit.services import demo
ids = [demo.prepare() for _ in range(n)]
errors = []
def one(case_id):
    try:
        return review_case(case_id=case_id, scripted=True)
    except Exception as err:
        errors.append(f"{type(err).__name__}: {str(err)[:200]}")
        return None
start = time.perf_counter()
with ThreadPoolExecutor(concurrency) as pool:
    finals = list(pool.map(one, ids))
elapsed = time.perf_counter() - start
print(json.dumps({"elapsed": elapsed, "filed": finals.count("filed"), "errors": errors[:5], "n_errors": len(errors),
                  "client_retries": len(retries)}))
"""


def run_backend(backend: str, n: int, concurrency: int, tmp: Path) -> dict[str, object]:
    import json

    with ExitStack() as stack:
        home = tmp / backend
        if backend == "postgres":
            prefect_db = stack.enter_context(pg_database("rk_bench_prefect"))
            store = stack.enter_context(pg_database("rk_bench_store"))
            prefect_url = prefect_db.replace("postgresql://", "postgresql+asyncpg://", 1)
            store_url = store.replace("postgresql://", "postgresql+psycopg://", 1)
            env_store = {"REVIEWKIT_DATABASE_URL": store_url}
            from reviewkit.store.migrate import upgrade

            upgrade(store_url)
        else:
            prefect_url = None
            env_store = {}
        api = stack.enter_context(prefect_server(home / "prefect", prefect_url))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REVIEWKIT_", "PREFECT_"))}
        env.update({**QUIET, **env_store, "REVIEWKIT_HOME": str(home / "rk"), "PREFECT_API_URL": api,
                    "PREFECT_HOME": str(home / "prefect"), "PYTHONPATH": str(REPO)})
        proc = subprocess.run([sys.executable, "-c", CHILD, str(n), str(concurrency)], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=3600)
        log = (home / "prefect" / "server.log").read_text(errors="replace")
        if proc.returncode != 0 or not proc.stdout.strip():
            return {"backend": backend, "failed": proc.stderr[-1500:]}
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        out["backend"] = backend
        out["server_locked"] = log.count("database is locked")
        out["server_503"] = log.count(" 503 ")
        out["store_locked"] = proc.stderr.count("database is locked")
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--backends", default="postgres,sqlite")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="rk-bench-conc-"))
    results = {}
    for backend in args.backends.split(","):
        t0 = time.perf_counter()
        results[backend] = r = run_backend(backend, args.cases, args.concurrency, tmp)
        print(f"{backend}: {r} ({time.perf_counter() - t0:.0f} s with setup)", flush=True)
    print(load())
    rates = {}
    for backend, r in results.items():
        if "failed" in r:
            print(f"{backend:8s}: run failed")
            continue
        rate = 60 * int(r["filed"]) / float(r["elapsed"])  # type: ignore[arg-type]
        rates[backend] = rate
        print(f"{backend:8s}: {r['filed']}/{args.cases} filed in {float(r['elapsed']):.1f} s = {rate:.1f} cases/min; "  # type: ignore[arg-type]
              f"lock errors: server 'database is locked' {r['server_locked']}, server 503 {r['server_503']}, "
              f"client retries {r['client_retries']}, store locked {r['store_locked']}, failed flows {r['n_errors']}")
    if {"postgres", "sqlite"} <= rates.keys() and rates["sqlite"] > 0:
        print(f"ratio PostgreSQL / SQLite throughput: {rates['postgres'] / rates['sqlite']:.1f}×   target ≥ 10×")


if __name__ == "__main__":
    main()
