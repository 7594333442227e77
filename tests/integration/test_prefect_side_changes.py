"""Changes made to a waiting case's flow run on the Prefect side, by anyone who reaches the port (the
open-source server has no login): Cancel, mark Completed, Delete, force Running (and force Pending or
Scheduled, which took the same broken path as Running before the fix). Each is replayed
through the REST API against the real server and a real ``reviewkit worker``, on a case paused at
the legality-review gate, and each must end the same way: within the bound, the case again has a
live run waiting at the same gate; the store's case is unchanged (stage, round, decisions); the
audit trail records what reviewkit found in Prefect; nothing crashed; the gate still takes a
genuine decision.

The worker runs with a short lease and reconcile interval (below); the bound asserted here is the
production formula with those settings: lease + reconcile interval + start time (docs/operations.md).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.actors import proven
from tests.integration.test_gates_kit import (
    Home,
    Worker,
    api_call,
    audit_events,
    case_at_prereview,
    case_row,
    counts,
    file_legal_opinion,
    forget_runs,
    prepare_home,
    resume_like_ui,
    run_state,
    running_count,
    wait_run,
)

pytestmark = pytest.mark.prefect

LEASE_SECONDS = 5
RECONCILE_SECONDS = 2
START_SECONDS = 20  # worker poll (1 s here) + a flow process's start and walk to the gate, on 2 busy cores
BOUND_SECONDS = LEASE_SECONDS + RECONCILE_SECONDS + START_SECONDS
GATE = "legality-review-r1"


@pytest.fixture(scope="module")
def module_home(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Home, Worker]]:
    base = tmp_path_factory.mktemp("prefect-side")
    home = prepare_home(base / "rk-home", prefect_api)
    env = {
        "REVIEWKIT_RECONCILE_SECONDS": str(RECONCILE_SECONDS),
        "REVIEWKIT_RUN_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    worker = Worker(home, base / "worker.log", extra_env=env).start().wait_ready()
    try:
        yield home, worker
    finally:
        worker.stop()
        forget_runs(home)


@pytest.fixture
def home(module_home: tuple[Home, Worker], monkeypatch: pytest.MonkeyPatch) -> tuple[Home, Worker]:
    module_home[0].use(monkeypatch)
    monkeypatch.setenv("REVIEWKIT_RUN_LEASE_SECONDS", str(LEASE_SECONDS))
    return module_home


def _set_state(api: str, run_id: str, state: str) -> None:
    code, body = api_call(
        api,
        "POST",
        f"/flow_runs/{run_id}/set_state",
        {"state": {"type": state, "message": "有人在 Prefect 中改了状态"}, "force": True},
    )
    assert code in (200, 201) and body["status"] == "ACCEPT", (code, body)


def _tamper(api: str, run_id: str, how: str) -> None:
    if how == "delete":
        code, body = api_call(api, "DELETE", f"/flow_runs/{run_id}")
        assert code in (200, 204), (code, body)
    else:
        _set_state(
            api,
            run_id,
            how.removeprefix("force-").upper()
            if how.startswith("force-")
            else {"cancel": "CANCELLED", "complete": "COMPLETED"}[how],
        )


def _state_types(api: str, run_id: str) -> list[str]:
    code, states = api_call(api, "GET", f"/flow_run_states/?flow_run_id={run_id}")
    assert code == 200, (code, states)
    return [s["type"] for s in sorted(states, key=lambda s: s["timestamp"])]


def _payloads(case_id: int, action: str) -> list[dict[str, Any]]:
    return [json.loads(e.payload) for e in audit_events(case_id, action)]


def _recovered(api: str, case_id: int, old_run: str) -> tuple[str, str] | None:
    """(run id, pause key) once the case's run waits at the legality-review gate again, after the
    change: another run, or the same run waiting under a key it had not used yet."""
    case = case_row(case_id)
    if not case.flow_run_id:
        return None
    try:
        state, key = run_state(api, case.flow_run_id)
    except AssertionError:
        return None  # the case still names the deleted run
    if state != "PAUSED" or not (key or "").startswith(GATE):
        return None
    if case.flow_run_id == old_run and key == f"{GATE}-w0":
        return None  # still the pause that was tampered with (the set_state has not landed yet)
    return case.flow_run_id, str(key)


@pytest.mark.parametrize(
    "how", ["cancel", "complete", "delete", "force-running", "force-pending", "force-scheduled"]
)
def test_a_waiting_runs_change_on_the_prefect_side_is_audited_and_repaired_within_the_bound(
    home: tuple[Home, Worker], tmp_path: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from reviewkit.orchestration.runs import start_run
    from reviewkit.services.identity import issue_approval_code

    rk, worker = home
    case_id = case_at_prereview(tmp_path, title=f"某县专项资金管理办法（{how}）")
    run_id = start_run(case_id)
    wait_run(rk.api, run_id, "PAUSED", f"{GATE}-w0", worker=worker)
    before, row = counts(case_id), case_row(case_id)

    _tamper(rk.api, run_id, how)
    started = time.monotonic()
    found = None
    while found is None and time.monotonic() - started < BOUND_SECONDS + 60:
        found = _recovered(rk.api, case_id, run_id)
        time.sleep(0.2)
    took = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\n[{how}] waiting at {found} again {took:.1f} s after the change "
            f"(lease {LEASE_SECONDS} s, reconcile {RECONCILE_SECONDS} s, bound {BOUND_SECONDS} s)"
        )
    assert found is not None, f"{how}: no run waiting at {GATE} after {took:.0f} s\n{worker.tail()}"
    assert took <= BOUND_SECONDS, f"{how}: repaired after {took:.1f} s, bound {BOUND_SECONDS} s"
    new_run, key = found

    # The store's case did not move: same stage and round, nothing decided, nothing done twice.
    after = case_row(case_id)
    assert (
        (after.stage, after.round, after.status)
        == (row.stage, row.round, row.status)
        == ("legality_review", 1, "open")
    )
    assert {k: v for k, v in counts(case_id).items() if k != "flow_run.attached"} == {
        k: v for k, v in before.items() if k != "flow_run.attached"
    }

    # What reviewkit found in Prefect is in the audit trail, once.
    replaced, rescheduled = (
        _payloads(case_id, "flow_run.replaced"),
        _payloads(case_id, "flow_run.rescheduled"),
    )
    if how in ("force-running", "force-pending"):
        # A run forced out of its wait: Prefect calls it RUNNING (PENDING), its previous state was PAUSED
        # (the suspension), and no process took the case's lease since (it was released at the gate).
        # reviewkit reschedules the same run at once; its new process waits at the same gate under a new
        # key (the old key has fired in Prefect without an answer: re-using it crashed the re-run).
        forced = how.removeprefix("force-").upper()
        assert replaced == []
        [event] = rescheduled
        assert event["flow_run_id"] == run_id and event["prefect_state"] == forced
        assert (
            event["previous_state"] == "PAUSED" and event["state_message"] == "有人在 Prefect 中改了状态"
        ), event
    if how.startswith("force-"):
        # Forced SCHEDULED: the worker simply runs it again; nothing is dead, nothing to reschedule. In
        # every forced case the gate's audit says how its wait was broken, without any submission.
        forced = how.removeprefix("force-").upper()
        assert replaced == [] and len(rescheduled) == (how != "force-scheduled")
        assert new_run == run_id and key == f"{GATE}-w1"
        [rewait] = _payloads(case_id, "gate.rewait")
        assert rewait["interrupted"] is True and f"改为 {forced}" in rewait["reason"], rewait
        assert not {"FAILED", "CRASHED"} & set(_state_types(rk.api, run_id))  # the re-run did not crash
        # The new form does not claim that a submission was refused: there was none.
        code, schema = api_call(rk.api, "GET", f"/flow_runs/{run_id}/input/suspended-{key}-schema")
        assert code == 200, schema
        field = (json.loads(schema) if isinstance(schema, str) else schema)["properties"]["decision"]
        assert "未生效" not in field["description"], field
    else:
        state = {"cancel": "CANCELLED", "complete": "COMPLETED", "delete": "DELETED"}[how]
        assert rescheduled == []
        [event] = replaced
        assert event["flow_run_id"] == run_id and event["state"] == state, event
        assert (event["stage"], event["round"]) == ("legality_review", 1)
        assert new_run != run_id and key == f"{GATE}-w0"
        assert counts(case_id)["flow_run.attached"] == before["flow_run.attached"] + 1
        assert running_count(rk.api, new_run) == 1
        assert not {"FAILED", "CRASHED"} & set(_state_types(rk.api, new_run))
        if how == "delete":
            assert api_call(rk.api, "GET", f"/flow_runs/{run_id}")[0] == 404
        else:
            assert run_state(rk.api, run_id)[0] == state  # the old run is left as it was found

    # Further reconcile rounds change nothing: the repair is recorded once per run.
    time.sleep(3 * RECONCILE_SECONDS + 1)
    assert run_state(rk.api, new_run) == ("PAUSED", key)
    assert case_row(case_id).flow_run_id == new_run
    assert len(_payloads(case_id, "flow_run.replaced")) + len(_payloads(case_id, "flow_run.rescheduled")) == (
        0 if how == "force-scheduled" else 1
    )

    # The gate still takes a genuine decision typed into the Resume form.
    file_legal_opinion(case_id, tmp_path)
    code = issue_approval_code(proven("counsel1"), case_id, "legality_review", 1)
    status, body = resume_like_ui(
        rk.api,
        new_run,
        {"decision": "合法", "user_name": "counsel1", "code": code, "opinion": "经审核，该文件合法。"},
    )
    assert body["status"] == "ACCEPT", (status, body)
    wait_run(rk.api, new_run, "PAUSED", "deliberation-r1-w0", worker=worker)
    assert case_row(case_id).stage == "deliberation"
    assert counts(case_id)["legality_decisions"] == 1
