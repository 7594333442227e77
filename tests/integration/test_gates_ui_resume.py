"""A resume sent the way the Prefect UI sends it (``POST /api/flow_runs/{id}/resume`` with
``{"run_input": {...}}``) counts only with a valid one-time code of the person named in it.

Against the session's Prefect server, with ONE ``reviewkit worker`` subprocess for the module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.actors import proven
from tests.integration.test_gates_kit import (
    Home,
    Worker,
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
UNPROVEN = "（未证实身份）"


@pytest.fixture(scope="module")
def module_home(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Home, Worker]]:
    base = tmp_path_factory.mktemp("gates-ui")
    home = prepare_home(base / "rk-home", prefect_api)
    worker = Worker(home, base / "worker.log").start().wait_ready()
    try:
        yield home, worker
    finally:
        worker.stop()
        forget_runs(home)


@pytest.fixture
def home(module_home: tuple[Home, Worker], monkeypatch: pytest.MonkeyPatch) -> tuple[Home, Worker]:
    module_home[0].use(monkeypatch)
    return module_home


def _form(code: str, user: str = "counsel1", decision: str = "合法") -> dict[str, str]:
    return {"decision": decision, "user_name": user, "code": code, "opinion": "经审核，该文件合法。"}


def test_ui_resume_without_valid_proof_is_refused_audited_and_waits_again(
    home: tuple[Home, Worker], tmp_path: Path
) -> None:
    from reviewkit.orchestration.runs import start_run
    from reviewkit.services.identity import issue_approval_code

    rk, worker = home
    case_id = case_at_prereview(tmp_path)
    run_id = start_run(case_id)
    wait_run(rk.api, run_id, "PAUSED", "legality-review-r1-w0", worker=worker)
    assert case_row(case_id).stage == "legality_review"
    file_legal_opinion(case_id, tmp_path)

    other = issue_approval_code(
        proven("counsel2"), case_id, "legality_review", 1
    )  # a real code, of someone else
    attempts = [
        ("wrong code", _form("ABCDE-FGHJK")),
        ("another person's code", _form(other)),
    ]
    for n, (label, form) in enumerate(attempts, start=1):
        code, body = resume_like_ui(rk.api, run_id, form)
        assert code in (200, 201) and body["status"] == "ACCEPT", (
            label,
            code,
            body,
        )  # Prefect accepts any valid form
        wait_run(rk.api, run_id, "PAUSED", f"legality-review-r1-w{n}", worker=worker)  # reviewkit refused it
        assert case_row(case_id).stage == "legality_review", label
    # Whoever typed those proved nobody: audited as claims, never in counsel1's name.
    refused = audit_events(case_id, "identity.refused")
    assert [(e.actor, e.channel) for e in refused] == [(UNPROVEN, "prefect-ui")] * 2
    assert all(json.loads(e.payload)["claimed_user"] == "counsel1" for e in refused)
    assert all(json.loads(e.payload)["method"] == "code" for e in refused)
    assert all("审批码无效" in json.loads(e.payload)["reason"] for e in refused)
    assert audit_events(case_id, "decision.refused") == []
    assert len(audit_events(case_id, "gate.rewait")) == 2
    assert counts(case_id)["legality_decisions"] == 0

    # The form itself: a missing or blank required field is refused by the server; the run stays put.
    code, body = resume_like_ui(rk.api, run_id, {"decision": "合法", "user_name": "counsel1", "opinion": "x"})
    assert body["status"] == "REJECT" and "code" in body["details"]["reason"], body
    code, body = resume_like_ui(rk.api, run_id, _form("ABCDE-FGHJK", decision="批准"))  # not a decision here
    assert body["status"] == "REJECT", body
    assert run_state(rk.api, run_id) == ("PAUSED", "legality-review-r1-w2")

    # A valid code moves the case on; the run waits at the next gate.
    valid = issue_approval_code(proven("counsel1"), case_id, "legality_review", 1)
    code, body = resume_like_ui(rk.api, run_id, _form(valid))
    assert body["status"] == "ACCEPT", body
    wait_run(rk.api, run_id, "PAUSED", "deliberation-r1-w0", worker=worker)
    case = case_row(case_id)
    assert case.stage == "deliberation"
    recorded = audit_events(case_id, "decision.recorded")
    legal = [json.loads(e.payload) for e in recorded if json.loads(e.payload)["stage"] == "legality_review"]
    assert len(legal) == 1 and legal[0]["auth"] == "code"
    assert [e.channel for e in recorded if json.loads(e.payload)["stage"] == "legality_review"] == [
        "prefect-ui"
    ]

    # The used code, replayed (anyone with API access can read it back from the run's inputs): refused.
    resume_like_ui(rk.api, run_id, _form(valid, decision="通过") | {"user_name": "counsel1"})
    wait_run(rk.api, run_id, "PAUSED", "deliberation-r1-w1", worker=worker)
    assert case_row(case_id).stage == "deliberation"
    assert (
        len(audit_events(case_id, "identity.refused")) == 3
        and audit_events(case_id, "decision.refused") == []
    )

    c = counts(case_id)
    assert c["prereview.completed"] == 1 and c["entered:prereview"] == 1
    assert c["entered:legality_review"] == 1 and c["legality_decisions"] == 1
    assert c["flow_run.attached"] == 1
    # one body for the first start, one per resume (2 refused + 1 accepted + 1 replay)
    assert running_count(rk.api, run_id) == 5
