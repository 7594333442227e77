"""Time from a CLI decision to the next stage starting, against a bare suspend/resume baseline.

    python bench/gate_latency.py [--n 10] [--poll 2]

reviewkit: N cases wait at the legality-review gate (``reviewkit worker``, runner poll = --poll s). For
each, ``reviewkit decide`` runs as a subprocess; we take the decision's commit time (Decision row) and the
server's timestamps of the resumed flow run: body RUNNING again (the next stage starts) and PAUSED at the
next gate. Baseline, same server, same poll interval, same run: a bare flow suspended with
``suspend_flow_run(wait_for_input=...)`` served by ``flow.serve``, resumed with ``resume_flow_run``;
resume call → body RUNNING again. Medians of N; the ratio is reviewkit / baseline.

Uses PREFECT_API_URL when it answers, else starts a throwaway server.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _bare_gate(i: int) -> str:  # the baseline flow
    from prefect.flow_runs import suspend_flow_run
    from prefect.input import RunInput

    class Answer(RunInput):
        decision: str

    got = suspend_flow_run(wait_for_input=Answer, key=f"bare-{i}", timeout=None)
    return got.decision


if os.environ.get("GATE_LATENCY_BARE") == "1":  # only in the baseline's serve process and its flow runs
    from prefect import flow

    bare_gate = flow(name="bare_gate", persist_result=False)(_bare_gate)


def _serve_bare() -> None:
    from prefect import serve

    serve(
        bare_gate.to_deployment(name="bench"), limit=4, pause_on_shutdown=False, print_starting_message=False
    )


def _ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _states(api: str, run_id: str) -> list[dict[str, object]]:
    from tests.integration.test_gates_kit import api_call

    code, states = api_call(api, "GET", f"/flow_run_states/?flow_run_id={run_id}")
    assert code == 200, states
    return sorted(states, key=lambda s: _ts(str(s["timestamp"])))


def _first_after(states: list[dict[str, object]], kind: str, after: float) -> float:
    return min(
        _ts(str(s["timestamp"])) for s in states if s["type"] == kind and _ts(str(s["timestamp"])) > after
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--poll", type=float, default=2.0)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="gate-latency-"))
    from reviewkit.orchestration.server import healthy
    from tests.integration.test_gates_kit import (
        PIN,
        Server,
        Worker,
        api_call,
        case_at_prereview,
        case_row,
        file_legal_opinion,
        prepare_home,
        wait_run,
    )
    from tests.prefect_server import free_port

    server = None
    api = os.environ.get("PREFECT_API_URL", "")
    if not (api and healthy(api)):
        server = Server(base / "prefect-server", free_port()).start()
        api = server.api
    poll = str(int(args.poll)) if args.poll >= 1 else str(args.poll)
    home = prepare_home(base / "rk-home", api)
    os.environ.update(
        {
            "REVIEWKIT_HOME": str(home.path),
            "REVIEWKIT_DATABASE_URL": home.db_url,
            "REVIEWKIT_PREFECT_API_URL": api,
            "PREFECT_API_URL": api,
            "REVIEWKIT_DEPLOYMENT_NAME": home.deployment_name,
        }
    )
    worker = Worker(
        home,
        base / "worker.log",
        extra_env={
            "REVIEWKIT_RUNNER_POLL_SECONDS": poll,
            "PREFECT_RUNNER_POLL_FREQUENCY": poll,
            "REVIEWKIT_RECONCILE_SECONDS": "3600",
        },
    )
    bare_env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWKIT_")}
    bare_env.update(
        {
            "PREFECT_API_URL": api,
            "PREFECT_RUNNER_POLL_FREQUENCY": poll,
            "PREFECT_HOME": str(base / "bare-prefect"),
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "GATE_LATENCY_BARE": "1",
        }
    )
    bare = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--serve-bare"],
        cwd=REPO,
        env=bare_env,
        stdout=(base / "bare.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        worker.start().wait_ready(timeout=180)
        from reviewkit.orchestration.runs import start_run
        from reviewkit.store.db import session_scope
        from reviewkit.store.models import Decision
        from tests.e2e.cli import run as cli

        cases = []
        for i in range(args.n):
            case_id = case_at_prereview(base / f"c{i}", title=f"某县第{i + 1}号管理办法")
            cases.append((case_id, start_run(case_id)))
        for case_id, run_id in cases:
            wait_run(api, run_id, "PAUSED", "legality-review-r1-w0", timeout=600, worker=worker)
            file_legal_opinion(case_id, base / f"c{case_id}")
        body, gate, cli_wall = [], [], []
        for case_id, run_id in cases:
            time.sleep((case_id * 0.37) % args.poll)  # spread the decisions over the poll phase
            t_cli = time.time()
            r = cli(
                home.path,
                "decide",
                str(case_id),
                "-d",
                "合法",
                "--as",
                "counsel1",
                "--pin",
                PIN["counsel1"],
                env=home.env() | {"REVIEWKIT_RUNNER_POLL_SECONDS": poll},
            )
            assert r.code == 0 and "已唤醒" in r.out, (r.out, r.err)
            cli_wall.append(time.time() - t_cli)
            wait_run(api, run_id, "PAUSED", "deliberation-r1-w0", timeout=300, worker=worker)
            with session_scope() as s:
                d = s.exec(
                    __import__("sqlmodel")
                    .select(Decision)
                    .where(Decision.case_id == case_id, Decision.stage == "legality_review")
                ).one()
                t0 = d.created_at.replace(
                    tzinfo=d.created_at.tzinfo or __import__("datetime").UTC
                ).timestamp()
            states = _states(api, run_id)
            body.append(_first_after(states, "RUNNING", t0) - t0)
            gate.append(_first_after(states, "PAUSED", t0) - t0)
            assert case_row(case_id).stage == "deliberation"

        # Baseline: bare suspend/resume on the same server with the same poll interval.
        from prefect.deployments import run_deployment
        from prefect.flow_runs import resume_flow_run

        deadline = time.monotonic() + 180
        while api_call(api, "GET", "/deployments/name/bare_gate/bench")[0] != 200:
            assert time.monotonic() < deadline and bare.poll() is None, "bare server did not start"
            time.sleep(0.5)
        bare_runs = [
            str(run_deployment("bare_gate/bench", parameters={"i": i}, timeout=0).id) for i in range(args.n)
        ]
        for i, rid in enumerate(bare_runs):
            wait_run(api, rid, "PAUSED", f"bare-{i}", timeout=600)
        baseline = []
        for i, rid in enumerate(bare_runs):
            time.sleep((i * 0.37) % args.poll)
            t0 = time.time()
            resume_flow_run(rid, run_input={"decision": "ok"})
            wait_run(api, rid, "COMPLETED", timeout=300)
            baseline.append(_first_after(_states(api, rid), "RUNNING", t0) - t0)

        med = statistics.median
        print(f"gate latency, median of {args.n}, runner poll interval {args.poll:g} s, API {api}")
        print(
            f"  reviewkit: decision committed → next stage starts (flow body RUNNING): {med(body):.2f} s "
            f"(min {min(body):.2f}, max {max(body):.2f})"
        )
        print(f"  reviewkit: decision committed → waiting at the next gate (PAUSED):      {med(gate):.2f} s")
        print(
            f"  reviewkit: wall time of the `reviewkit decide` command:                 {med(cli_wall):.2f} s"
        )
        print(
            f"  baseline:  bare resume_flow_run → flow body RUNNING:                    {med(baseline):.2f} s "
            f"(min {min(baseline):.2f}, max {max(baseline):.2f})"
        )
        print(f"  ratio reviewkit / baseline (to body RUNNING): {med(body) / med(baseline):.2f}")
    finally:
        worker.stop()
        os.killpg(bare.pid, 15)
        bare.wait(30)
        if server is not None:
            server.stop()


if __name__ == "__main__":
    if "--serve-bare" in sys.argv:
        _serve_bare()
    else:
        main()
