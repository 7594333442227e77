"""Orchestration overhead of reviewkit against bare Prefect on the same server, side by side.

    python bench/orchestration.py [--rounds 3]

Starts its own Prefect server (SQLite, a fresh PREFECT_HOME) and a fresh reviewkit store, then, in one
process and alternating round by round, runs:

- empty: a bare Prefect flow with no task (the fixed cost of a flow run: engine, heartbeat join);
- bare: a bare Prefect flow doing the same case with the same steps — one plain ``@task`` per stage
  calling the same service (``run_auto_stage`` for automatic stages, the demo script's decision for
  human ones), no progress artifacts, no run naming, no flow-run bookkeeping;
- reviewkit: ``flows.demo.demo_case(case_id)`` (the review_case body with scripted gates) — the real flow, with its store
  reads per step, progress artifacts and tags, flow-run attachment.

Each round starts a fresh demo case (``services.demo.prepare``: sample roster and draft, 15 steps with
a return for revision). Prints, medians over rounds:

- per stage: (reviewkit − empty) / steps against (bare − empty) / steps (target ≤ 1.2);
- whole case: reviewkit against bare (target ≤ 1.5);
- for scale, a no-op Prefect task's cost, and the business work alone (the same steps without Prefect).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import QUIET, load, median, prefect_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rk-bench-orch-"))
    for key in [k for k in os.environ if k.startswith("REVIEWKIT_")]:
        del os.environ[key]
    os.environ["REVIEWKIT_HOME"] = str(tmp / "rk")
    with prefect_server(tmp / "prefect") as api:
        os.environ.update({**QUIET, "PREFECT_API_URL": api, "PREFECT_HOME": str(tmp / "prefect")})
        run(args.rounds)


def run(rounds: int) -> None:
    from prefect import flow, task

    from flows.demo import demo_case
    from reviewkit.services import demo, workflow
    from reviewkit.services.queries import list_cases

    def open_case(case_id: int) -> bool:
        return next(c for c in list_cases() if c.id == case_id).status == "open"

    @task(name="noop")
    def noop() -> None:
        return None

    @task(name="auto")
    def auto(case_id: int) -> str | None:
        return workflow.run_auto_stage(case_id)

    @task(name="gate")
    def gate(case_id: int) -> str:
        return demo.decide_scripted(case_id).to_stage

    @flow(name="bench-empty", persist_result=False)
    def empty_flow() -> None:
        return None

    @flow(name="bench-noop", persist_result=False)
    def noop_flow(steps: int) -> None:
        for _ in range(steps):
            noop()

    @flow(name="bench-bare-case", persist_result=False)
    def bare_flow(case_id: int) -> int:
        steps = 0
        while open_case(case_id):
            if workflow.stage_kind(case_id) == "auto":
                auto(case_id)
            else:
                gate(case_id)
            steps += 1
        return steps

    def no_prefect(case_id: int) -> int:
        steps = 0
        while open_case(case_id):
            if workflow.stage_kind(case_id) == "auto":
                workflow.run_auto_stage(case_id)
            else:
                demo.decide_scripted(case_id)
            steps += 1
        return steps

    def timed(fn, *a):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        out = fn(*a)
        return time.perf_counter() - start, out

    # Warm-up: imports, first server round trips, the first case's templates.
    timed(empty_flow)
    steps = timed(bare_flow, demo.prepare())[1]
    times: dict[str, list[float]] = {k: [] for k in ("empty", "noop", "bare", "reviewkit", "work")}
    for _ in range(rounds):
        times["empty"].append(timed(empty_flow)[0])
        times["noop"].append(timed(noop_flow, steps)[0])
        t, n = timed(bare_flow, demo.prepare())
        assert n == steps
        times["bare"].append(t)
        case_id = demo.prepare()
        t, final = timed(lambda c=case_id: demo_case(c))
        assert final == "filed", final
        times["reviewkit"].append(t)
        times["work"].append(timed(no_prefect, demo.prepare())[0])
    m = {k: median(v) for k, v in times.items()}
    per_rk = (m["reviewkit"] - m["empty"]) / steps
    per_bare = (m["bare"] - m["empty"]) / steps
    print(load())
    print(f"demo case: {steps} steps; medians of {rounds} rounds")
    print(f"empty Prefect flow (fixed cost)                 : {m['empty']:.3f} s")
    print(
        f"no-op Prefect task                              : {(m['noop'] - m['empty']) / steps * 1000:.1f} ms per task"
    )
    print(
        f"the case's business work alone (no Prefect)     : {m['work']:.3f} s ({m['work'] / steps * 1000:.0f} ms per step)"
    )
    print(
        f"baseline  bare Prefect flow, same steps          : {m['bare']:.3f} s ({per_bare * 1000:.0f} ms per stage)"
    )
    print(
        f"reviewkit demo_case                           : {m['reviewkit']:.3f} s ({per_rk * 1000:.0f} ms per stage)"
    )
    print(f"ratio per stage reviewkit / bare task: {per_rk / per_bare:.2f}   target ≤ 1.2")
    print(f"ratio whole case reviewkit / bare flow: {m['reviewkit'] / m['bare']:.2f}   target ≤ 1.5")


if __name__ == "__main__":
    main()
