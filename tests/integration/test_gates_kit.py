"""Shared machinery of the gate tests (no tests here): a module's reviewkit home, a ``reviewkit worker``
subprocess, the Prefect REST API as the UI uses it, and counters of effects in the store.

Every gate test module runs ONE worker subprocess against the session's Prefect server (or, for the
server-restart test, a dedicated one) and its own REVIEWKIT_HOME / database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.actors import PINS, proven
from tests.builders import build_docx, write_roster

__test__ = False

REPO = Path(__file__).resolve().parents[2]
PIN = {"counsel1": "135792", "counsel2": "246813", "leader1": "357924", "drafter1": "468135"}
PINS.update(PIN)  # tests.actors.proven() authenticates with these instead of resetting them
EXTRA_ROSTER = '[[users]]\nusername = "counsel2"\nname = "审核员辛"\nroles = ["legality_reviewer"]\n'
CONSULTATION = {
    "consultation_start": "2026-09-01",
    "consultation_end": "2026-10-09",
    "market_players_consulted": "书面征求5家企业和县工商联意见",
    "legal_basis": "《中华人民共和国政府采购法》第十三条",
}  # 送审材料: 制定依据 (37号 三(六))


# --- a module's reviewkit home ------------------------------------------------------------------


@dataclass
class Home:
    path: Path
    api: str

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.path / 'reviewkit.db'}"

    @property
    def deployment_name(self) -> str:
        """Each module's worker serves its own deployment: workers of other modules (other databases)
        on the same server never pick up this module's runs."""
        import hashlib

        return "rk-" + hashlib.sha256(str(self.path).encode()).hexdigest()[:10]

    def env(self) -> dict[str, str]:
        """What the CLI and the worker of this module get (on top of a REVIEWKIT_-free environment)."""
        return {
            "REVIEWKIT_HOME": str(self.path),
            "REVIEWKIT_DATABASE_URL": self.db_url,
            "REVIEWKIT_DEPLOYMENT_NAME": self.deployment_name,
            "REVIEWKIT_PREFECT_API_URL": self.api,
            "PREFECT_API_URL": self.api,
            "PREFECT_HOME": str(self.path / "prefect"),
            "REVIEWKIT_RUNNER_POLL_SECONDS": "1",
            "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        }

    def use(self, monkeypatch: Any) -> None:
        """Point this (test) process's reviewkit at the module's home and database."""
        from tests.conftest import _reset_caches

        monkeypatch.setenv("REVIEWKIT_HOME", str(self.path))
        monkeypatch.setenv("REVIEWKIT_DATABASE_URL", self.db_url)
        monkeypatch.setenv("REVIEWKIT_DEPLOYMENT_NAME", self.deployment_name)
        _reset_caches()


def prepare_home(path: Path, api: str) -> Home:
    """Roster (with a second counsel) and PINs, set in setup mode."""
    home = Home(path, api)
    path.mkdir(parents=True, exist_ok=True)
    saved = {
        k: os.environ.get(k)
        for k in ("REVIEWKIT_HOME", "REVIEWKIT_DATABASE_URL", "REVIEWKIT_DEPLOYMENT_NAME")
    }
    os.environ["REVIEWKIT_HOME"], os.environ["REVIEWKIT_DATABASE_URL"] = str(path), home.db_url
    os.environ["REVIEWKIT_DEPLOYMENT_NAME"] = home.deployment_name
    from tests.conftest import _reset_caches

    _reset_caches()
    try:
        from reviewkit.services.roster import import_roster, set_pin

        import_roster(write_roster(path.parent / "roster.toml"))
        (path.parent / "more.toml").write_text(EXTRA_ROSTER, encoding="utf-8")
        import_roster(path.parent / "more.toml")
        for user, pin in PIN.items():
            set_pin(user, pin)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        _reset_caches()
    return home


def case_at_prereview(tmp: Path, title: str = "某县财政专项资金管理办法") -> int:
    """A case driven in-process up to the automatic pre-review (the flow runs it and stops at the
    legality-review gate). Runs in the test process against the module's database."""
    from reviewkit.services.attachments import attach
    from reviewkit.services.cases import NewCase, start_case
    from reviewkit.services.workflow import decide

    tmp.mkdir(parents=True, exist_ok=True)
    case = start_case(
        NewCase(
            kind="normative_document",
            title=title,
            drafting_unit="预算股",
            drafter="drafter1",
            draft=build_docx(tmp / "v1.docx", title=title),
            flags=frozenset({"touches_business"}),
        ),
        proven("drafter1"),
    )
    assert case.id is not None

    def put(name: str, user: str) -> None:
        attach(
            case.id,
            name,
            build_docx(tmp / f"{name}.docx", title=name, articles=[f"{name}正文。"]),
            proven(user),
        )

    put("起草说明", "drafter1")
    decide(case.id, "提交", proven("drafter1"))
    put("征求意见采纳情况", "head1")
    decide(case.id, "征求意见完成", proven("head1"), facts=CONSULTATION)
    put("公平竞争审查结论", "fcr1")
    decide(case.id, "符合", proven("fcr1"))
    return case.id


def file_legal_opinion(case_id: int, tmp: Path) -> None:
    """审核意见书 on file: the evidence counsel needs before leaving the legality review."""
    from reviewkit.services.attachments import attach

    attach(
        case_id,
        "审核意见书",
        build_docx(tmp / "审核意见书.docx", title="审核意见书", articles=["经审核，合法。"]),
        proven("counsel1"),
    )


# --- the worker subprocess ------------------------------------------------------------------------


@dataclass
class Worker:
    home: Home
    log: Path
    limit: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0

    def start(self) -> Worker:
        self.started = time.time()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REVIEWKIT_", "PREFECT_"))}
        env.update(
            {
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "DO_NOT_TRACK": "1",
                "REVIEWKIT_RECONCILE_SECONDS": "5",
                **self.home.env(),
                **self.extra_env,
            }
        )
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "reviewkit", "worker", "--limit", str(self.limit)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self

    def wait_ready(self, timeout: float = 90) -> Worker:
        """Until the worker has (re)applied the review_case deployment and is not paused."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.alive(), self.tail()
            code, body = api_call(
                self.home.api, "GET", f"/deployments/name/review_case/{self.home.deployment_name}"
            )
            if code == 200 and not body.get("paused") and self._applied_since_start(body):
                return self
            time.sleep(0.5)
        raise AssertionError(f"worker not ready\n{self.tail()}")

    def _applied_since_start(self, deployment: dict[str, Any]) -> bool:
        """The deployment was (re)applied by THIS worker, not left over from an earlier one."""
        from datetime import datetime

        updated = deployment.get("updated")
        return bool(updated) and datetime.fromisoformat(updated).timestamp() >= self.started - 1

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the worker's whole process group (the worker and any flow process it spawned)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


# --- the Prefect REST API, as the UI uses it ------------------------------------------------------


def api_call(api: str, method: str, path: str, body: Any = None, timeout: float = 20) -> tuple[int, Any]:
    """One REST call; a 503 (SQLite behind the server is locked) is retried the way the UI's user and
    Prefect's own client would, up to ~30 s."""
    for attempt in range(8):
        code, out = _api_call_once(api, method, path, body, timeout)
        if code != 503:
            return code, out
        time.sleep(min(1 + attempt, 5))
    return code, out


def _api_call_once(api: str, method: str, path: str, body: Any, timeout: float) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"{api}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        raw = err.read()
        try:
            return err.code, json.loads(raw)
        except ValueError:
            return err.code, raw.decode(errors="replace")


def read_run(api: str, run_id: str) -> dict[str, Any]:
    code, body = api_call(api, "GET", f"/flow_runs/{run_id}")
    assert code == 200, (code, body)
    return dict(body)


def run_state(api: str, run_id: str) -> tuple[str, str | None]:
    """(state type, pause key) of a flow run."""
    state = read_run(api, run_id).get("state") or {}
    return str(state.get("type")), (state.get("state_details") or {}).get("pause_key")


def wait_run(
    api: str,
    run_id: str,
    state: str,
    key: str | None = None,
    timeout: float = 90,
    worker: Worker | None = None,
) -> None:
    """Wait until the run is in ``state`` (and, for PAUSED, suspended under ``key``)."""
    deadline = time.monotonic() + timeout
    seen: tuple[str, str | None] = ("?", None)
    while time.monotonic() < deadline:
        try:
            seen = run_state(api, run_id)
        except (AssertionError, OSError):
            seen = ("unreachable", None)
        if seen[0] == state and (key is None or seen[1] == key):
            return
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} is {seen}, expected {state} {key}\n{worker.tail() if worker else ''}")


def resume_like_ui(api: str, run_id: str, run_input: dict[str, Any]) -> tuple[int, Any]:
    """What the Resume dialog of the Prefect UI sends."""
    return api_call(api, "POST", f"/flow_runs/{run_id}/resume", {"run_input": run_input})


def running_count(api: str, run_id: str) -> int:
    """How many times a flow-run body started (RUNNING states in the run's history)."""
    code, states = api_call(api, "GET", f"/flow_run_states/?flow_run_id={run_id}")
    assert code == 200, (code, states)
    return sum(1 for s in states if s["type"] == "RUNNING")


def runs_of_case(api: str, number: str) -> list[dict[str, Any]]:
    code, runs = api_call(
        api, "POST", "/flow_runs/filter", {"flow_runs": {"tags": {"all_": [f"case:{number}"]}}, "limit": 50}
    )
    assert code == 200, (code, runs)
    return list(runs)


# --- the store ------------------------------------------------------------------------------------


def case_row(case_id: int) -> Any:
    from reviewkit.store.db import session_scope
    from reviewkit.store.models import Case

    with session_scope() as session:
        case = session.get(Case, case_id)
        assert case is not None
        session.expunge(case)
        return case


def wait_stage(case_id: int, stage: str, timeout: float = 90, worker: Worker | None = None) -> Any:
    deadline = time.monotonic() + timeout
    case = case_row(case_id)
    while time.monotonic() < deadline:
        case = case_row(case_id)
        if case.stage == stage:
            return case
        time.sleep(0.3)
    raise AssertionError(
        f"case {case_id} at {case.stage}, expected {stage}\n{worker.tail() if worker else ''}"
    )


def counts(case_id: int) -> dict[str, int]:
    """Effects of a case in the store: what must never happen twice."""
    from sqlmodel import func, select

    from reviewkit.store.db import session_scope
    from reviewkit.store.models import AuditEvent, Decision, Finding, StageEntry

    def n(q: Any) -> int:
        with session_scope() as session:
            return int(session.exec(q).one())

    out = {
        "prereview.completed": n(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.case_id == case_id, AuditEvent.action == "prereview.completed")
        ),
        "flow_run.attached": n(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.case_id == case_id, AuditEvent.action == "flow_run.attached")
        ),
        "decisions": n(select(func.count()).select_from(Decision).where(Decision.case_id == case_id)),
        "legality_decisions": n(
            select(func.count())
            .select_from(Decision)
            .where(Decision.case_id == case_id, Decision.stage == "legality_review")
        ),
        "stage_entries": n(select(func.count()).select_from(StageEntry).where(StageEntry.case_id == case_id)),
        "findings": n(select(func.count()).select_from(Finding).where(Finding.case_id == case_id)),
    }
    for stage in ("prereview", "legality_review", "deliberation"):
        out[f"entered:{stage}"] = n(
            select(func.count())
            .select_from(StageEntry)
            .where(StageEntry.case_id == case_id, StageEntry.stage == stage)
        )
    return out


def audit_events(case_id: int, action: str) -> list[Any]:
    from sqlmodel import col, select

    from reviewkit.store.db import session_scope
    from reviewkit.store.models import AuditEvent

    with session_scope() as session:
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.case_id == case_id, AuditEvent.action == action)
            .order_by(col(AuditEvent.id))
        ).all()
        for r in rows:
            session.expunge(r)
        return list(rows)


# --- a dedicated, restartable Prefect server --------------------------------------------------------


@dataclass
class Server:
    """A Prefect server this module may stop and start again (same port, same PREFECT_HOME, SQLite)."""

    home: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self, timeout: float = 180) -> Server:
        from reviewkit.orchestration.server import healthy

        self.home.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REVIEWKIT_", "PREFECT_"))}
        env.update(
            {
                "PREFECT_HOME": str(self.home),
                "PREFECT_API_URL": self.api,
                "PREFECT_UI_API_URL": self.api,
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "DO_NOT_TRACK": "1",
                "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
            }
        )
        log = (self.home / "server.log").open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if healthy(self.api):
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"prefect server exited with {self.proc.returncode}; see {self.home}/server.log"
                )
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("prefect server did not become healthy")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def forget_runs(home: Home) -> None:
    """Delete the module's flow runs from a SHARED server once its worker has stopped: case ids restart
    at 1 in every module's database, so a leftover resumable run must not reach the next module's
    worker (it would carry out a stale input against another database's case 1)."""
    os.environ["REVIEWKIT_HOME"], os.environ["REVIEWKIT_DATABASE_URL"] = str(home.path), home.db_url
    from sqlmodel import select

    from reviewkit.store.db import session_scope
    from reviewkit.store.models import AuditEvent
    from tests.conftest import _reset_caches

    _reset_caches()
    try:
        with session_scope() as session:
            rows = session.exec(
                select(AuditEvent.payload).where(AuditEvent.action == "flow_run.attached")
            ).all()
        ids = {json.loads(p)["flow_run_id"] for p in rows}
    finally:
        os.environ.pop("REVIEWKIT_HOME", None)
        os.environ.pop("REVIEWKIT_DATABASE_URL", None)
        _reset_caches()
    for run_id in ids:
        api_call(home.api, "DELETE", f"/flow_runs/{run_id}")
