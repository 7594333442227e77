"""100 concurrent cases on PostgreSQL against the same on SQLite: throughput and lock errors.

    python bench/concurrency.py [--cases 100] [--concurrency 8] [--backends postgres,sqlite]
                                               [--timeout 5400]

For each backend the bench starts its own Prefect server on a free port with its own database (a
throwaway PostgreSQL database via asyncpg, or a fresh SQLite file) and gives reviewkit a store on the
same backend (a throwaway PostgreSQL database, or a SQLite file). It registers N demo cases (sample
roster and draft, 13 steps each with a return for revision: ``services.demo.prepare``), then runs
``flows.demo.demo_case(case_id)`` for all of them from a pool of ``--concurrency`` threads in
one process (bounded, as ``reviewkit worker --limit`` bounds its runs; ``--concurrency`` equal to
``--cases`` puts every case in flight at once), each case a real flow run on that server, every
decision through the services. Counts:

- throughput: cases filed (已备案) per minute of wall clock, from the first flow call to the last return;
- lock errors, each counted where it happens:
  - server: requests the Prefect server answered 503 after a retryable database error (the server is
    started with ``PREFECT_SERVER_LOG_RETRYABLE_ERRORS=true``, without which it logs none of them; at
    its default WARNING level it writes no access log either), how many of those said "database is
    locked", and the other log records (its background services) that say so;
  - client: the Prefect client's "retryable status code … Another attempt will be made" messages (logged
    at DEBUG, so the bench lowers ``prefect.client``'s level and counts them in a logger filter that
    still lets only warnings through);
  - store: every database error reviewkit's store raised that names a lock ("database is locked",
    deadlock, lock or serialization failure), counted by an SQLAlchemy ``handle_error`` listener;
  - cases that did not reach 已备案 (a flow that raised, or ended elsewhere);
  the total counts each event once (a 503 is seen by the server and by the client: client retries add
  only those beyond the server's 503s); and, for information, Prefect task retries (task runs with
  run_count > 1, read from the server after the timed run) and the flow runs' final states.
- where the time goes: thread-seconds the flows spent in the Prefect client's backoff after 503s (the
  delays it announced) and in the store's statements (all, SQLite's ``BEGIN IMMEDIATE`` waiting for the
  write lock, PostgreSQL's ``SELECT … FOR UPDATE``); CPU seconds of the bench process (flows, services, docx), of the Prefect server
  (its process session) and of the PostgreSQL backends serving the two databases, and the machine's
  busy CPU over the timed run (other people's work included), against cores × wall clock.

All flows run as threads of one process, so its Python work shares one interpreter lock, and reviewkit's
store engine there has SQLAlchemy's default pool (5 + 10 connections, 30 s wait) for all of them; the
worker instead runs each flow run in its own process. bench/RESULTS.md says what that means for the
figures.

Prints both backends and the ratio PostgreSQL / SQLite (target ≥ 10× at 100 cases; lock errors 0 on
PostgreSQL). The child's progress goes to ``<tmp>/<backend>/child.err`` (path printed) while it runs.
Servers are stopped and databases dropped at the end, also when the bench is interrupted or terminated.
A PostgreSQL restart during a run (``pg_postmaster_start_time`` changed) marks that run INVALID.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PG_ADMIN, QUIET, REPO, load, pg_database, prefect_server  # noqa: E402

LOCK_WORDS = (
    "database is locked",
    "deadlock",
    "could not obtain lock",
    "lock timeout",
    "could not serialize",
    "canceling statement due to lock",
)


# --- CPU accounting from /proc (Linux) -------------------------------------------------------------


def _procs() -> list[tuple[int, list[str], str]]:
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        out.append((int(pid), stat.rsplit(")", 1)[1].split(), cmd))
    return out


def cpu_by_pid(session: int | None, pg_names: list[str]) -> dict[str, dict[int, float]]:
    """CPU seconds (user + system) per live process: the server's session, the PostgreSQL backends
    whose command line names one of ``pg_names``."""
    tick = os.sysconf("SC_CLK_TCK")
    server: dict[int, float] = {}
    pg: dict[int, float] = {}
    for pid, f, cmd in _procs():
        secs = (int(f[11]) + int(f[12])) / tick  # utime, stime (fields 14, 15)
        if session is not None and int(f[3]) == session:  # sid (field 6)
            server[pid] = secs
        elif cmd.startswith("postgres:") and any(name in cmd for name in pg_names):
            pg[pid] = secs
    return {"server": server, "pg": pg}


def machine_busy() -> float:
    """Busy CPU seconds of the whole machine since boot (all cores)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(secs - before.get(pid, 0.0) for pid, secs in after.items())


def server_session(port: int) -> int | None:
    for _pid, f, cmd in _procs():
        if "prefect server start" in cmd and f"--port {port}" in cmd:
            return int(f[3])
    return None


# --- the child: N cases through review_case in a thread pool ----------------------------------------


def child(n: int, concurrency: int, session: int | None, pg_names: list[str]) -> None:
    import resource
    import threading
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    counts: Counter[str] = Counter()
    samples: dict[str, list[str]] = {"client": [], "store": [], "store_other": [], "errors": []}
    waits = {"client_backoff_s": 0.0, "store_sql_s": 0.0, "store_begin_s": 0.0, "store_for_update_s": 0.0}
    guard = threading.Lock()

    def note(kind: str, key: str, text: str) -> None:
        with guard:
            counts[key] += 1
            if len(samples[kind]) < 5:
                samples[kind].append(text[:300])

    class ClientRetries(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            msg = record.getMessage()
            if "retryable" in msg or "Another attempt will be made" in msg:
                note("client", "client_retries", msg)
                backoff = re.search(r"made in ([0-9.]+)s", msg)
                if backoff:
                    with guard:
                        waits["client_backoff_s"] += float(backoff.group(1))
            return record.levelno >= logging.WARNING  # the console stays as quiet as before

    from flows.demo import demo_case
    from reviewkit.services import demo

    client_logger = logging.getLogger("prefect.client")
    client_filter = ClientRetries()
    client_logger.addFilter(client_filter)

    @event.listens_for(Engine, "handle_error")
    def _store_error(ctx: Any) -> None:
        text = f"{type(ctx.original_exception).__name__}: {ctx.original_exception}"
        if any(word in text.lower() for word in LOCK_WORDS):
            note("store", "store_locked", text)
        else:
            note("store_other", "store_other_errors", text)

    # Wall time of the store's statements (thread-seconds; under load they include waiting for the
    # interpreter lock): all of them, SQLite's BEGIN IMMEDIATE (waiting for the write lock), and
    # PostgreSQL's SELECT … FOR UPDATE (waiting for row locks).
    @event.listens_for(Engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["rk_bench_t"] = time.perf_counter()

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        took = time.perf_counter() - conn.info.pop("rk_bench_t", time.perf_counter())
        with guard:
            waits["store_sql_s"] += took
            if statement.startswith("BEGIN"):
                waits["store_begin_s"] += took
            elif "FOR UPDATE" in statement:
                waits["store_for_update_s"] += took

    ids = [demo.prepare() for _ in range(n)]
    for key in waits:
        waits[key] = 0.0
    finals: list[str | None] = []
    live = {"now": 0, "max": 0}
    t0 = time.perf_counter()

    def one(case_id: int) -> str | None:
        client_logger.setLevel(logging.DEBUG)  # Prefect may re-apply its logging config; keep DEBUG
        with guard:
            live["now"] += 1
            live["max"] = max(live["max"], live["now"])
        final = None
        try:
            final = demo_case(case_id)
            return final
        except BaseException as err:  # noqa: BLE001 - counted, never hidden
            note("errors", "flow_errors", f"{type(err).__name__}: {err}")
            return None
        finally:
            with guard:
                live["now"] -= 1
                finals.append(final)
                filed = finals.count("filed")
                print(
                    f"{time.perf_counter() - t0:7.1f} s  done {len(finals)}/{n}  filed {filed}  "
                    f"in flight {live['now']}  client retries {counts['client_retries']}  "
                    f"store locked {counts['store_locked']}  flow errors {counts['flow_errors']}",
                    file=sys.stderr,
                    flush=True,
                )

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    procs0, busy0 = cpu_by_pid(session, pg_names), machine_busy()
    start = time.perf_counter()
    t0 = start
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, ids))
    elapsed = time.perf_counter() - start
    procs1, busy1 = cpu_by_pid(session, pg_names), machine_busy()
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    load_after = os.getloadavg()

    # After the clock: what the server recorded (task retries, final states).
    from prefect.client.orchestration import get_client

    task_retries, states = 0, Counter[str]()
    with get_client(sync_client=True) as client:
        offset = 0
        while tasks := client.read_task_runs(limit=200, offset=offset):
            task_retries += sum(max(0, (t.run_count or 0) - 1) for t in tasks)
            offset += len(tasks)
        offset = 0
        while flows := client.read_flow_runs(limit=200, offset=offset):
            states.update(r.state.type.value if r.state else "NONE" for r in flows)
            offset += len(flows)
    import reviewkit

    print(
        json.dumps(
            {
                "code": str(Path(reviewkit.__file__).parents[1]),
                "elapsed": elapsed,
                "filed": finals.count("filed"),
                "finals": dict(Counter(map(str, finals))),
                "max_in_flight": live["max"],
                "client_level_at_end": client_logger.level,
                **counts,
                **waits,
                "task_retries": task_retries,
                "flow_states": dict(states),
                "samples": samples,
                "cpu_child": (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime),
                "cpu_server": delta(procs0["server"], procs1["server"]),
                "cpu_pg": delta(procs0["pg"], procs1["pg"]),
                "cpu_machine": busy1 - busy0,
                "load_after": load_after,
            }
        )
    )


# --- the parent: servers, databases, counting ------------------------------------------------------


def postmaster_started() -> str | None:
    """When PostgreSQL last started: a restart during a run (someone's fault test on a shared machine)
    makes that run's figures meaningless, and the bench says so."""
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            row = conn.execute("SELECT pg_postmaster_start_time()::text").fetchone()
            return row[0] if row else None
    except psycopg.Error as err:
        return f"unreachable: {err}"


def run_backend(backend: str, n: int, concurrency: int, tmp: Path, timeout: float) -> dict[str, Any]:
    pg_started = postmaster_started() if backend == "postgres" else None
    result = _run_backend(backend, n, concurrency, tmp, timeout)
    if pg_started is not None and postmaster_started() != pg_started:
        result["invalid"] = "PostgreSQL restarted during the run"
    return result


def _run_backend(backend: str, n: int, concurrency: int, tmp: Path, timeout: float) -> dict[str, Any]:
    with ExitStack() as stack:
        home = tmp / backend
        pg_names: list[str] = []
        if backend == "postgres":
            prefect_db = stack.enter_context(pg_database("rk_bench_prefect"))
            store = stack.enter_context(pg_database("rk_bench_store"))
            pg_names = [prefect_db.rsplit("/", 1)[1], store.rsplit("/", 1)[1]]
            prefect_url = prefect_db.replace("postgresql://", "postgresql+asyncpg://", 1)
            store_url = store.replace("postgresql://", "postgresql+psycopg://", 1)
            env_store = {"REVIEWKIT_DATABASE_URL": store_url}
            from reviewkit.store.migrate import upgrade

            upgrade(store_url)
        else:
            prefect_url = None
            env_store = {}
        api = stack.enter_context(
            prefect_server(
                home / "prefect", prefect_url, extra_env={"PREFECT_SERVER_LOG_RETRYABLE_ERRORS": "true"}
            )
        )
        session = server_session(int(api.rsplit(":", 1)[1].split("/")[0]))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REVIEWKIT_", "PREFECT_"))}
        env.update(
            {
                **QUIET,
                **env_store,
                "REVIEWKIT_HOME": str(home / "rk"),
                "PREFECT_API_URL": api,
                "PREFECT_HOME": str(home / "prefect"),
                "PYTHONPATH": str(REPO),
            }
        )
        err_path, out_path = home / "child.err", home / "child.out"
        print(f"{backend}: server {api} (session {session}); progress in {err_path}", flush=True)
        with err_path.open("w") as err, out_path.open("w") as out:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    str(n),
                    str(concurrency),
                    str(session or ""),
                    ",".join(pg_names),
                ],
                env=env,
                cwd=REPO,
                stdout=out,
                stderr=err,
            )
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
            finally:  # timed out, or the bench interrupted: no flow process outlives its server
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        log = (home / "prefect" / "server.log").read_text(errors="replace")
        stdout, stderr = out_path.read_text(errors="replace"), err_path.read_text(errors="replace")
        # One log record per "HH:MM:SS.mmm | LEVEL | logger - message" line, its traceback up to the next.
        records = re.split(r"^(?=\d\d:\d\d:\d\d\.\d{3} \| )", log, flags=re.MULTILINE)
        # Each request that failed on a retryable database error is logged twice: by Prefect's handler
        # (which answers 503) and by uvicorn ("Exception in ASGI application"); count it once.
        heads = [(rec.split("\n", 1)[0], rec) for rec in records]
        requests = [rec for head, rec in heads if "Encountered retryable exception in request" in head]
        server = {
            "server_503": len(requests),
            "server_503_locked": sum("database is locked" in rec for rec in requests),
            "server_locked_other": sum(
                "database is locked" in rec
                for head, rec in heads
                if "Encountered retryable exception in request" not in head
                and "Exception in ASGI application" not in head
            ),
            "server_errors": log.count("Encountered exception in request"),
        }
        if proc.returncode != 0 or not stdout.strip():
            progress = [line for line in stderr.splitlines() if " done " in line]
            return {
                "backend": backend,
                **server,
                "failed": f"exit {proc.returncode}",
                "last_progress": progress[-1] if progress else None,
                "stderr_tail": stderr[-1500:],
            }
        result = json.loads(stdout.strip().splitlines()[-1])
        for key in ("client_retries", "store_locked", "store_other_errors", "flow_errors"):
            result.setdefault(key, 0)
        return {"backend": backend, **result, **server}


def lock_errors(r: dict[str, Any], n: int) -> int:
    """Each event once: a 503 is seen by the server and by the client, so client retries add only those
    the server did not log (timeouts, refused connections)."""
    server_503, client = int(r["server_503"]), int(r["client_retries"])
    return (
        server_503
        + int(r["server_locked_other"])
        + max(0, client - server_503)
        + int(r["store_locked"])
        + (n - int(r["filed"]))
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        n, conc, session, names = sys.argv[2:6]
        child(int(n), int(conc), int(session) if session else None, [x for x in names.split(",") if x])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument(
        "--timeout", type=float, default=5400, help="seconds per backend before the run is killed"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks: servers, databases
    tmp = Path(tempfile.mkdtemp(prefix="rk-bench-conc-"))
    print(f"{args.cases} cases, {args.concurrency} threads; {load()}", flush=True)
    results = {}
    for backend in args.backends.split(","):
        t0 = time.perf_counter()
        results[backend] = r = run_backend(backend, args.cases, args.concurrency, tmp, args.timeout)
        print(
            f"{backend}: {json.dumps(r, ensure_ascii=False)} ({time.perf_counter() - t0:.0f} s with setup)",
            flush=True,
        )
        print(load(), flush=True)
    rates, cores = {}, os.cpu_count() or 1
    for backend, r in results.items():
        if "invalid" in r:
            print(f"{backend:8s}: INVALID RUN: {r['invalid']}")
        if "failed" in r:
            print(f"{backend:8s}: run failed ({r['failed']}); last progress: {r['last_progress']}")
            continue
        elapsed = float(r["elapsed"])
        rate = 60 * int(r["filed"]) / elapsed
        rates[backend] = rate
        print(
            f"{backend:8s}: {r['filed']}/{args.cases} filed in {elapsed:.1f} s = {rate:.1f} cases/min "
            f"(max {r['max_in_flight']} in flight); lock errors {lock_errors(r, args.cases)}: "
            f"server 503 {r['server_503']} ({r['server_503_locked']} 'database is locked'), "
            f"other server 'database is locked' {r['server_locked_other']}, server 500 {r['server_errors']}, "
            f"client retries {r['client_retries']}, store locked {r['store_locked']} (other store errors "
            f"{r['store_other_errors']}), "
            f"not filed {args.cases - int(r['filed'])} (flow errors {r['flow_errors']}); "
            f"task retries {r['task_retries']}, flow states {r['flow_states']}"
        )
        print(
            f"{'':8s}  CPU over the run: bench process {float(r['cpu_child']):.0f} s, Prefect server "
            f"{float(r['cpu_server']):.0f} s, PostgreSQL backends {float(r['cpu_pg']):.0f} s, "
            f"machine {float(r['cpu_machine']):.0f} s of {cores * elapsed:.0f} s ({cores} cores × wall); "
            f"bench process {float(r['cpu_child']) / max(1, int(r['filed'])):.1f} s per filed case"
        )
        print(
            f"{'':8s}  waits (thread-seconds, of {args.concurrency} threads × wall = "
            f"{args.concurrency * elapsed:.0f}): client backoff after 503s {float(r['client_backoff_s']):.0f}, "
            f"store SQL {float(r['store_sql_s']):.0f} of which SQLite BEGIN IMMEDIATE (write lock) "
            f"{float(r['store_begin_s']):.0f}, SELECT … FOR UPDATE {float(r['store_for_update_s']):.0f}"
        )
    if (
        {"postgres", "sqlite"} <= rates.keys()
        and rates["sqlite"] > 0
        and not any("invalid" in r for r in results.values())
    ):
        print(
            f"ratio PostgreSQL / SQLite throughput: {rates['postgres'] / rates['sqlite']:.2f}×   target ≥ 10×"
        )


if __name__ == "__main__":
    main()
