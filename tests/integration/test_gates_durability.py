"""A case waiting at the legality-review gate survives a SIGKILLed worker, a worker restart and a Prefect
server restart; a decision made while the server is down is kept and carried out once it is back.
No stage's effects happen twice (counted in the store, and flow-run bodies counted in Prefect).

This module starts its OWN Prefect server (SQLite, module-scoped) because it stops and restarts it:
the session server may belong to ``.ci/run`` and other modules. One ``reviewkit worker`` subprocess.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.cli import Result, run
from tests.integration.test_gates_kit import (
    PIN,
    Home,
    Server,
    Worker,
    case_at_prereview,
    case_row,
    counts,
    file_legal_opinion,
    prepare_home,
    run_state,
    running_count,
    wait_run,
)
from tests.prefect_server import free_port

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Home, Worker, Server]]:
    base = tmp_path_factory.mktemp("gates-durable")
    server = Server(base / "prefect-server", free_port()).start()
    home = prepare_home(base / "rk-home", server.api)
    # Reconcile only when asked (``reviewkit sync``), so the tests see who resumed what.
    worker = Worker(home, base / "worker.log", extra_env={"REVIEWKIT_RECONCILE_SECONDS": "3600"})
    try:
        worker.start().wait_ready()
        yield home, worker, server
    finally:
        worker.stop()
        server.stop()


@pytest.fixture
def env(setup: tuple[Home, Worker, Server], monkeypatch: pytest.MonkeyPatch) -> tuple[Home, Worker, Server]:
    setup[0].use(monkeypatch)
    if not setup[1].alive():
        setup[1].start().wait_ready()
    return setup


def cli(home: Home, *args: str) -> Result:
    return run(home.path, *args, env=home.env())


def _started(home: Home, case_id: int, worker: Worker) -> str:
    """``reviewkit sync`` starts the run of a case that has none; it stops at the legality gate."""
    r = cli(home, "sync", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["started"] == [case_row(case_id).number]
    run_id = case_row(case_id).flow_run_id
    assert run_id
    wait_run(home.api, run_id, "PAUSED", "legality-review-r1-w0", worker=worker)
    return str(run_id)


def test_gate_survives_worker_sigkill_worker_restart_and_server_restart(
    env: tuple[Home, Worker, Server], tmp_path: Path
) -> None:
    home, worker, server = env
    case_id = case_at_prereview(tmp_path)
    run_id = _started(home, case_id, worker)
    before = counts(case_id)
    assert before["prereview.completed"] == 1 and before["entered:legality_review"] == 1
    time.sleep(2)  # the suspended flow process has exited; what follows hits an idle, waiting run

    worker.kill()  # SIGKILL, the whole process group
    assert run_state(home.api, run_id) == ("PAUSED", "legality-review-r1-w0")
    worker.start().wait_ready()  # its start-up reconcile sees a run waiting at exactly the store's gate
    time.sleep(4)  # several poll rounds of the new worker
    assert run_state(home.api, run_id) == ("PAUSED", "legality-review-r1-w0")

    server.stop()
    time.sleep(3)  # the worker polls a dead server for a while
    server.start()
    time.sleep(4)
    assert worker.alive(), worker.tail()
    assert run_state(home.api, run_id) == ("PAUSED", "legality-review-r1-w0")
    assert counts(case_id) == before

    file_legal_opinion(case_id, tmp_path)
    r = cli(
        home,
        "decide",
        str(case_id),
        "-d",
        "合法",
        "-m",
        "经审核合法",
        "--as",
        "counsel1",
        "--pin",
        PIN["counsel1"],
    )
    assert r.code == 0, r.err
    assert "已唤醒等待中的流程" in r.out, (
        r.out,
        r.err,
        run_state(home.api, run_id),
        case_row(case_id).flow_run_id,
        run_id,
    )
    wait_run(home.api, run_id, "PAUSED", "deliberation-r1-w0", worker=worker)
    assert case_row(case_id).stage == "deliberation"

    after = counts(case_id)
    assert (
        after["prereview.completed"] == 1 and after["entered:prereview"] == 1
    )  # not re-run after the restarts
    assert after["entered:legality_review"] == 1 and after["legality_decisions"] == 1
    assert after["decisions"] == before["decisions"] + 1
    assert after["stage_entries"] == before["stage_entries"] + 1  # deliberation (risk assessment not flagged)
    assert after["findings"] == before["findings"]
    assert after["flow_run.attached"] == 1
    assert running_count(home.api, run_id) == 2  # the first start and the one resume, nothing else


def test_decision_while_server_is_down_is_kept_and_carried_out_after(
    env: tuple[Home, Worker, Server], tmp_path: Path
) -> None:
    home, worker, server = env
    case_id = case_at_prereview(tmp_path, title="某县政府投资项目管理办法")
    run_id = _started(home, case_id, worker)
    file_legal_opinion(case_id, tmp_path)
    before = counts(case_id)

    server.stop()
    try:
        r = cli(home, "decide", str(case_id), "-d", "合法", "--as", "counsel1", "--pin", PIN["counsel1"])
        assert r.code == 0, r.err
        assert "已记录" in r.out and "进入“集体审议”" in r.out
        assert "Prefect 服务器无法访问：决定已记录" in r.out  # the warning line
        assert case_row(case_id).stage == "deliberation"  # the store moved on, whatever Prefect says
        r = cli(home, "sync")
        assert r.code == 1 and "无法访问" in r.err  # sync says so, one line, exit 1
    finally:
        server.start()

    assert run_state(home.api, run_id) == ("PAUSED", "legality-review-r1-w0")  # Prefect lags behind the store
    r = cli(home, "sync", "--json")
    assert r.code == 0, r.err
    report = json.loads(r.out)
    assert report["resumed"] == [case_row(case_id).number] and report["started"] == [], report
    wait_run(home.api, run_id, "PAUSED", "deliberation-r1-w0", worker=worker)

    after = counts(case_id)
    assert after["legality_decisions"] == 1 and after["decisions"] == before["decisions"] + 1
    assert after["prereview.completed"] == 1 and after["entered:legality_review"] == 1
    assert after["stage_entries"] == before["stage_entries"] + 1
    assert running_count(home.api, run_id) == 2
    r = cli(home, "sync", "--json")  # nothing left to repair
    assert json.loads(r.out) == {
        "started": [],
        "resumed": [],
        "cancelled": [],
        "rescheduled": [],
        "problems": [],
    }
