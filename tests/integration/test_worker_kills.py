"""The worker is SIGKILLed at every gate and between every pair of stages of a whole case, and the case
still ends correct: nothing done twice, nothing lost, one flow run from start to end.

The demo case (13 steps, a return for revision, two pre-reviews, a publication number) runs on two
``reviewkit worker`` processes with fault injection on (``flows/failpoints.py``): every named point of
the flow fires once, killing the worker that carries the run together with its flow process, so that
Prefect is left believing the run is still running. Points: ``enter:<stage>:r<round>`` at the top of
every step (between two stages; at a gate before it suspends; at the end stage before the run
completes) and ``resumed:<gate key>`` when a gate's run has been resumed, before the input is acted
on. The test restarts a killed worker at once; recovery is the product's own: the lease of the dead
process expires (5 s here), the surviving worker's reconcile reschedules the same run, the body
re-reads the store.

Every decision is typed into the run's Resume form, as in the Prefect UI (with a one-time approval
code), once the run is suspended at exactly that gate: the input then lives only in Prefect until the
resumed flow carries it out, and the ``resumed`` kill falls between the two. (A decision made on the
command line is in the store before the run is woken: the resumed body goes straight to the next
stage, which the ``enter`` points cover.)
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from tests.actors import proven
from tests.integration.test_gates_kit import (
    Home,
    Worker,
    audit_events,
    case_row,
    forget_runs,
    prepare_home,
    read_run,
    resume_like_ui,
    run_state,
    running_count,
    runs_of_case,
    wait_run,
)

pytestmark = pytest.mark.prefect

LEASE_SECONDS = 5
DEADLINE_SECONDS = 1200


@pytest.fixture(scope="module")
def killable(
    prefect_api: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Home, list[Worker], Path]]:
    base = tmp_path_factory.mktemp("worker-kills")
    home = prepare_home(base / "rk-home", prefect_api)
    markers = base / "failpoints"
    markers.mkdir()
    env = {
        "REVIEWKIT_RECONCILE_SECONDS": "2",
        "REVIEWKIT_RUN_LEASE_SECONDS": str(LEASE_SECONDS),
        "REVIEWKIT_FAILPOINTS": "enter:*,resumed:*",
        "REVIEWKIT_FAILPOINT_DIR": str(markers),
    }
    workers = [Worker(home, base / f"worker{i}.log", extra_env=env) for i in range(2)]
    try:
        for w in workers:
            w.start()
        for w in workers:
            w.wait_ready()
        yield home, workers, markers
    finally:
        for w in workers:
            w.stop()
        forget_runs(home)


def _fired(markers: Path) -> set[str]:
    return {p.name for p in markers.iterdir()}


def _marker(name: str) -> str:
    return re.sub(r"[^\w.-]", "_", name)


def audit_tail(case_id: int, n: int = 8) -> str:
    from reviewkit.store.db import session_scope
    from reviewkit.store.models import AuditEvent

    with session_scope() as session:
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.case_id == case_id)
            .order_by(col(AuditEvent.id).desc())
            .limit(n)
        ).all()
        return "\n".join(f"{r.action} {r.actor} {r.payload[:200]}" for r in reversed(rows))


def _decide_like_ui(home: Home, run_id: str, case_id: int, stage: str, rnd: int) -> None:
    """The scripted decision, typed into the run's Resume form with a one-time approval code: the
    input lives in Prefect until the resumed flow carries it out (the kill at ``resumed:`` comes
    between the two)."""
    from reviewkit.services import demo
    from reviewkit.services.identity import issue_approval_code

    step, facts = demo.prepare_scripted(case_id)
    code = issue_approval_code(proven(step.username), case_id, stage, rnd)
    status, body = resume_like_ui(
        home.api,
        run_id,
        {
            "decision": step.decision,
            "user_name": step.username,
            "code": code,
            "opinion": step.opinion,
            "facts": "\n".join(f"{k}={v}" for k, v in facts.items()) or None,
        },
    )
    assert status in (200, 201) and body["status"] == "ACCEPT", (status, body)


def test_worker_killed_at_every_gate_and_between_every_pair_of_stages(
    killable: tuple[Home, list[Worker], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewkit.orchestration import runs
    from reviewkit.services import audit_trail, demo, gates
    from reviewkit.store.db import session_scope
    from reviewkit.store.models import Decision, IssuedNumber, StageEntry

    home, workers, markers = killable
    home.use(monkeypatch)
    monkeypatch.setenv("REVIEWKIT_PREFECT_API_URL", home.api)  # this process wakes runs like `decide` does
    case_id = demo.prepare()
    run_id = runs.start_run(case_id)

    restarts, decided = 0, []
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        assert time.monotonic() < deadline, (
            f"case at {case_row(case_id).stage} after {restarts} restarts; "
            f"fired {sorted(_fired(markers))}\n" + "\n".join(w.tail(15) for w in workers)
        )
        for w in workers:
            if not w.alive():
                w.start()
                restarts += 1
        case = case_row(case_id)
        assert case.flow_run_id == run_id, "the case was given another run"
        state, key = run_state(home.api, run_id)
        if case.status != "open" and state == "COMPLETED":
            break
        gate = gates.current_gate(case_id)
        if gate is not None and state == "PAUSED" and key == gate.key:
            tries = Counter(k.rsplit("-w", 1)[0] for k in decided)[key.rsplit("-w", 1)[0]]
            # A gate's decision is typed at most twice (once more if the kill at ``resumed:`` loses it); a
            # gate that keeps coming back is refusing the input, not recovering: say so instead of timing out.
            assert tries < 4, f"{gate.key}: the form's decision was refused {tries} times\n" + audit_tail(
                case_id
            )
            _decide_like_ui(home, run_id, case_id, gate.stage, gate.round)
            decided.append(gate.key)
        time.sleep(0.3)

    fired = _fired(markers)
    with session_scope() as session:
        entries = session.exec(
            select(StageEntry).where(StageEntry.case_id == case_id).order_by(col(StageEntry.id))
        ).all()
        decisions = session.exec(select(Decision).where(Decision.case_id == case_id)).all()
    visited = [(e.stage, e.round) for e in entries]

    # Every point fired: between every pair of stages (and at the end), and at every gate after its resume.
    expected = {_marker(f"enter:{stage}:r{rnd}") for stage, rnd in visited} | {
        _marker(f"resumed:{k}") for k in decided
    }
    assert fired == expected, (sorted(fired - expected), sorted(expected - fired))
    assert len(decided) == len(demo.SCRIPT) == 11
    kills = len(fired)
    assert restarts == kills, (restarts, kills)  # each point killed its worker once

    # Nothing ran twice.
    assert len(visited) == len(set(visited)), Counter(visited)  # each stage of each round entered once
    assert [(d.stage, d.decision, d.channel) for d in decisions] == [
        (s, demo.SCRIPT[(s, r)].decision, "prefect-ui") for s, r in visited if (s, r) in demo.SCRIPT
    ]
    assert len(audit_events(case_id, "prereview.completed")) == 2  # one per draft version
    final = case_row(case_id)
    assert final.stage == "filed" and final.status == "closed"
    assert re.fullmatch(r"某财规〔\d{4}〕1号", final.doc_number or ""), final.doc_number
    with session_scope() as session:
        issued = session.exec(select(IssuedNumber).where(IssuedNumber.case_id == case_id)).all()
    assert [n.number for n in issued] == [final.doc_number]  # one number, taken once

    # Recovered by rescheduling the one run: every kill found and repaired once.
    rescheduled = audit_events(case_id, "flow_run.rescheduled")
    assert len(rescheduled) == kills, (len(rescheduled), kills)
    assert {json.loads(e.payload)["flow_run_id"] for e in rescheduled} == {run_id}
    since = final.created_at.replace(tzinfo=final.created_at.tzinfo or UTC).timestamp() - 1
    mine = [
        r
        for r in runs_of_case(home.api, final.number)
        if datetime.fromisoformat(r["created"].replace("Z", "+00:00")).timestamp() >= since
    ]
    assert [r["id"] for r in mine] == [run_id]
    assert read_run(home.api, run_id)["state"]["type"] == "COMPLETED"
    # body executions: the first start, one per kill, one per resume at a gate
    assert running_count(home.api, run_id) == 1 + kills + len(decided)

    report = audit_trail.verify()
    assert report.broken is None, audit_trail.describe(report)
    wait_run(home.api, run_id, "COMPLETED")
