"""Run leases on both backends: one live process per case, takeover only after expiry (audited),
renewal fails for a process that lost the case, release lets the next process in at once; and on
PostgreSQL, 20 processes racing for one expired lease: exactly one wins."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from reviewkit.services import leases
from reviewkit.store.db import session_scope
from reviewkit.store.models import AuditEvent
from tests.integration.test_services import _start


def _events(case_id: int, action: str) -> list[AuditEvent]:
    with session_scope() as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.case_id == case_id, AuditEvent.action == action)
                .order_by(col(AuditEvent.id))
            ).all()
        )


def test_one_live_process_per_case(db_url: str, tmp_path: Path) -> None:
    case_id = _start(tmp_path)
    a, b = leases.new_token(), leases.new_token()
    assert leases.acquire(case_id, "run-a", a, ttl=30) is None
    assert leases.acquire(case_id, "run-a", a, ttl=30) is None  # the holder again: kept
    held = leases.acquire(case_id, "run-b", b, ttl=30)
    assert held is not None and held.flow_run_id == "run-a" and ":" in held.holder
    assert leases.renew(case_id, a, ttl=30) and not leases.renew(case_id, b, ttl=30)
    lease = leases.current(case_id)
    assert lease is not None and lease.flow_run_id == "run-a" and not lease.expired()
    assert _events(case_id, "flow_run.lease_taken_over") == []


def test_expired_lease_is_taken_over_and_audited_and_the_loser_cannot_renew(
    db_url: str, tmp_path: Path
) -> None:
    case_id = _start(tmp_path)
    a, b = leases.new_token(), leases.new_token()
    assert leases.acquire(case_id, "run-a", a, ttl=0.2) is None
    time.sleep(0.4)
    lease = leases.current(case_id)
    assert lease is not None and lease.expired()
    assert leases.acquire(case_id, "run-a", b, ttl=30) is None  # the same run, rescheduled: a new process
    assert not leases.renew(case_id, a, ttl=30)  # the old process has lost the case
    events = _events(case_id, "flow_run.lease_taken_over")
    assert len(events) == 1 and json.loads(events[0].payload)["previous_flow_run_id"] == "run-a"


def test_release_lets_the_next_process_in_at_once_without_a_takeover(db_url: str, tmp_path: Path) -> None:
    case_id = _start(tmp_path)
    a, b = leases.new_token(), leases.new_token()
    assert leases.acquire(case_id, "run-a", a, ttl=30) is None
    leases.release(case_id, a, grace=30)
    lease = leases.current(case_id)
    assert lease is not None and lease.released and not lease.expired()  # sync still sees a valid lease
    assert leases.acquire(case_id, "run-a", b, ttl=30) is None  # resumed after a gate: a new process
    assert _events(case_id, "flow_run.lease_taken_over") == []


def test_many_takers_of_one_expired_lease_one_wins(db_url: str, tmp_path: Path) -> None:
    case_id = _start(tmp_path)
    assert leases.acquire(case_id, "run-old", leases.new_token(), ttl=0.1) is None
    time.sleep(0.3)
    tokens = [leases.new_token() for _ in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda t: leases.acquire(case_id, f"run-{t[:6]}", t, ttl=30), tokens))
    winners = [t for t, r in zip(tokens, results, strict=True) if r is None]
    assert len(winners) == 1, results
    lease = leases.current(case_id)
    assert lease is not None and lease.token == winners[0]
    assert len(_events(case_id, "flow_run.lease_taken_over")) == 1


class _Client:
    def __init__(self) -> None:
        self.set: list[tuple[str, str]] = []
        self.history: dict[str, list[object]] = {}

    def read_flow_run_states(self, run_id: str) -> list[object]:
        return self.history.get(run_id, [])

    def set_flow_run_state(self, run_id: str, state: object, force: bool = False) -> None:
        assert force
        self.set.append((run_id, type(state).__name__ if not hasattr(state, "type") else state.type.value))


def _run(run_id: str, state: str, age: float) -> object:
    from types import SimpleNamespace

    from reviewkit.store.models import utcnow

    kind = SimpleNamespace(value=state)
    return SimpleNamespace(
        id=run_id,
        state=SimpleNamespace(
            id=uuid.uuid4(), type=kind, message="有人改了状态", timestamp=utcnow() - timedelta(seconds=age)
        ),
    )


def _history(run: Any, *before: str) -> list[object]:
    """The run's state history: ``before`` (oldest first, a second apart), then its current state."""
    from types import SimpleNamespace

    states = [
        SimpleNamespace(
            id=uuid.uuid4(),
            type=SimpleNamespace(value=t),
            timestamp=run.state.timestamp - timedelta(seconds=len(before) - i),
        )
        for i, t in enumerate(before)
    ]
    return [*states, run.state]


def test_reconcile_reschedules_only_runs_whose_process_is_gone(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import prefect.states  # noqa: F401  (imported here, not inside the timed calls below)

    from reviewkit.orchestration.runs import _reschedule_if_dead
    from tests.conftest import _reset_caches

    monkeypatch.setenv("REVIEWKIT_RUN_LEASE_SECONDS", "2")
    _reset_caches()
    case_id = _start(tmp_path)
    client = _Client()

    # No lease yet: a run that just started may not hold it yet; one "running" for 3 lease-times is dead.
    assert not _reschedule_if_dead(client, case_id, _run("run-a", "PENDING", age=1))
    assert _reschedule_if_dead(client, case_id, _run("run-a", "RUNNING", age=7))
    assert client.set == [("run-a", "SCHEDULED")]
    # The rescheduled run's new process takes the handed-back lease (no takeover to audit) and keeps it.
    token = leases.new_token()
    assert leases.acquire(case_id, "run-a", token, ttl=2) is None
    assert _events(case_id, "flow_run.lease_taken_over") == []
    assert not _reschedule_if_dead(client, case_id, _run("run-a", "RUNNING", age=600))  # alive, however old
    # Its process dies holding the lease: once the lease expires the run is dead at once...
    time.sleep(2.2)
    seen = leases.current(case_id)
    assert _reschedule_if_dead(client, case_id, _run("run-a", "RUNNING", age=600))
    # ...and only once: a second reconciler that read the same things a moment earlier does nothing,
    assert not leases.claim_reschedule(case_id, "run-a", seen, "RUNNING")
    assert not _reschedule_if_dead(client, case_id, _run("run-a", "RUNNING", age=600))
    # nor while the rescheduled run is starting (three lease-times from the hand-back).
    assert not _reschedule_if_dead(client, case_id, _run("run-a", "PENDING", age=0.1))
    assert len(client.set) == 2
    events = _events(case_id, "flow_run.rescheduled")
    assert [json.loads(e.payload)["flow_run_id"] for e in events] == ["run-a", "run-a"]
    assert json.loads(events[0].payload)["lease_holder"] is None
    assert json.loads(events[1].payload)["lease_holder"] == seen.holder


def test_a_run_forced_out_of_its_wait_is_rescheduled_at_once_and_once(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RUNNING (or PENDING) straight after PAUSED is somebody's set_state through Prefect's API:
    reviewkit's waits resume through SCHEDULED, so no worker started a process for it."""
    import prefect.states  # noqa: F401

    from reviewkit.orchestration.runs import _reschedule_if_dead
    from tests.conftest import _reset_caches

    monkeypatch.setenv("REVIEWKIT_RUN_LEASE_SECONDS", "60")
    _reset_caches()
    case_id = _start(tmp_path)
    client = _Client()
    token = leases.new_token()
    assert leases.acquire(case_id, "run-a", token, ttl=60) is None
    leases.release(case_id, token, grace=60)  # suspended at a gate a moment ago

    # Resumed through the form: a new process is starting (three lease-times to take the lease).
    resumed = _run("run-a", "RUNNING", age=1)
    client.history["run-a"] = _history(resumed, "RUNNING", "PAUSED", "SCHEDULED", "PENDING")
    assert not _reschedule_if_dead(client, case_id, resumed)
    # Forced to RUNNING from its wait (within the lease's grace after the suspension): dead at once.
    forced = _run("run-a", "RUNNING", age=1)
    client.history["run-a"] = _history(forced, "RUNNING", "PAUSED")
    assert _reschedule_if_dead(client, case_id, forced)
    assert client.set == [("run-a", "SCHEDULED")]
    # A second reconciler that read the same RUNNING before the reschedule landed does nothing.
    assert not _reschedule_if_dead(client, case_id, forced)
    assert len(client.set) == 1
    [event] = [json.loads(e.payload) for e in _events(case_id, "flow_run.rescheduled")]
    assert (event["prefect_state"], event["previous_state"]) == ("RUNNING", "PAUSED")
    assert event["state_message"] == "有人改了状态"
    # The history moved on since the run was read (it suspended again, say): no previous state to judge by.
    from reviewkit.orchestration.runs import _state_before

    later = _run("run-a", "PAUSED", age=0)
    client.history["run-a"] = [*_history(forced, "RUNNING", "PAUSED"), later.state]
    assert _state_before(client, forced) is None and _state_before(client, later) == "RUNNING"
