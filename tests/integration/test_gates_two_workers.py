"""Two ``reviewkit worker`` processes against one Prefect server never run a case twice.

Both workers reconcile every few seconds and race to start the runs of cases that have none (the
cases are registered while no run exists, as after ``case new`` with the server down). The start is
idempotent (one key per case and predecessor run) and a run is picked up by one runner only: each case
gets ONE flow run, ONE body execution, and its pre-review happens once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.integration.test_gates_kit import (
    Home,
    Worker,
    case_at_prereview,
    case_row,
    counts,
    forget_runs,
    prepare_home,
    running_count,
    runs_of_case,
    wait_run,
)

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def two_workers(
    prefect_api: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Home, list[Worker]]]:
    base = tmp_path_factory.mktemp("gates-two")
    home = prepare_home(base / "rk-home", prefect_api)
    fast = {"REVIEWKIT_RECONCILE_SECONDS": "2"}
    workers = [Worker(home, base / f"worker{i}.log", extra_env=fast) for i in range(2)]
    try:
        for w in workers:
            w.start()
        for w in workers:
            w.wait_ready()
        yield home, workers
    finally:
        for w in workers:
            w.stop()
        forget_runs(home)


def test_two_workers_run_each_case_once(
    two_workers: tuple[Home, list[Worker]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, workers = two_workers
    home.use(monkeypatch)
    ids = [case_at_prereview(tmp_path / f"c{i}", title=f"某县第{i + 1}号管理办法") for i in range(3)]
    for case_id in ids:  # both reconcile loops see a case without a run and start one
        for _ in range(600):
            if case_row(case_id).flow_run_id:
                break
            time.sleep(0.3)
        run_id = case_row(case_id).flow_run_id
        assert run_id, [w.tail() for w in workers]
        wait_run(home.api, run_id, "PAUSED", "legality-review-r1-w0", worker=workers[0], timeout=180)
    time.sleep(6)  # a few more reconcile rounds of both workers
    for case_id in ids:
        case = case_row(case_id)
        # the tag names the case number, which other databases on this server (the bench) may reuse:
        # count the runs created since this case was
        since = case.created_at.replace(tzinfo=case.created_at.tzinfo or UTC).timestamp()
        runs = [
            r
            for r in runs_of_case(home.api, case.number)
            if datetime.fromisoformat(r["created"].replace("Z", "+00:00")).timestamp() >= since - 1
        ]
        assert [r["id"] for r in runs] == [case.flow_run_id], runs
        assert running_count(home.api, str(case.flow_run_id)) == 1
        c = counts(case_id)
        assert c["flow_run.attached"] == 1 and c["prereview.completed"] == 1 and c["entered:prereview"] == 1
        assert c["entered:legality_review"] == 1
