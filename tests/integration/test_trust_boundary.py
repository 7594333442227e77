"""The attacks of the 2026-12 security probe, replayed against the real Prefect server and a real
``reviewkit worker``, as an outsider who can only reach the Prefect port:

1. a run created with the demo switch (``"scripted": true``) decides nothing;
2. a case registered from the run form in someone's name needs their one-time intake code, and a
   failed attempt is audited as a claim, never as the drafter named;
3. a refused Resume is visible where the person looks next: the next form's help, the case artifact.

Wrong codes typed by a stranger (they no longer burn the genuine code; enough of them pause the gate)
are tested without Prefect at the end, through the same decision pipeline the Resume form uses.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.actors import proven
from tests.builders import build_docx, write_roster
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
    read_run,
    resume_like_ui,
    wait_run,
)

UNPROVEN = "（未证实身份）"
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@pytest.fixture(scope="module")
def module_home(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Home, Worker]]:
    base = tmp_path_factory.mktemp("trust")
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


def _deployment_id(rk: Home) -> str:
    code, body = api_call(rk.api, "GET", f"/deployments/name/review_case/{rk.deployment_name}")
    assert code == 200, body
    return str(body["id"])


def _create_run(rk: Home, parameters: dict[str, Any]) -> tuple[int, Any]:
    """What anyone reaching the port can send (the probe's ``POST …/create_flow_run``)."""
    return api_call(
        rk.api, "POST", f"/deployments/{_deployment_id(rk)}/create_flow_run", {"parameters": parameters}
    )


def _wait_terminal(rk: Home, run_id: str, worker: Worker, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = (read_run(rk.api, run_id).get("state") or {}).get("type", "")
        if state in TERMINAL:
            return str(state)
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} not finished in {timeout} s\n{worker.tail()}")


@pytest.mark.prefect
def test_a_run_with_the_demo_switch_decides_nothing(home: tuple[Home, Worker], tmp_path: Path) -> None:
    from reviewkit.orchestration.runs import start_run

    rk, worker = home
    case_id = case_at_prereview(tmp_path)
    run_id = start_run(case_id)
    wait_run(rk.api, run_id, "PAUSED", "legality-review-r1-w0", worker=worker)
    before = counts(case_id)

    code, body = _create_run(rk, {"case_id": case_id, "scripted": True})
    if code in (200, 201):  # the server took it: the flow has no such switch and the run must fail
        assert _wait_terminal(rk, str(body["id"]), worker) in {"FAILED", "CRASHED"}
    else:  # or the server refused the parameters outright
        assert code in (409, 422), (code, body)
    case = case_row(case_id)
    assert (
        case.stage == "legality_review" and case.flow_run_id == run_id
    )  # the legitimate run still carries it
    assert counts(case_id) == before
    assert audit_events(case_id, "decision.recorded") == [
        e
        for e in audit_events(case_id, "decision.recorded")
        if json.loads(e.payload)["stage"] != "legality_review"
    ]
    assert read_run(rk.api, run_id)["state"]["type"] == "PAUSED"


def _intake(rk: Home, tmp_path: Path, title: str, code: str) -> dict[str, Any]:
    inbox = rk.path / "intake"
    inbox.mkdir(parents=True, exist_ok=True)
    build_docx(inbox / f"{title}.docx", title=title)
    return {
        "intake": {
            "kind": "normative_document",
            "title": title,
            "drafting_unit": "预算股",
            "drafter": "drafter1",
            "code": code,
            "draft_path": f"{title}.docx",
            "flags": [],
        }
    }


def _cases_titled(title: str) -> list[Any]:
    from sqlmodel import select

    from reviewkit.store.db import session_scope
    from reviewkit.store.models import Case

    with session_scope() as session:
        return list(session.exec(select(Case).where(Case.title == title)).all())


def _refusals(action: str) -> list[dict[str, Any]]:
    from sqlmodel import col, select

    from reviewkit.store.db import session_scope
    from reviewkit.store.models import AuditEvent

    with session_scope() as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
        ).all()
        return [{"actor": r.actor, "channel": r.channel, **json.loads(r.payload)} for r in rows]


@pytest.mark.prefect
def test_a_case_opened_from_the_run_form_needs_the_drafters_intake_code(
    home: tuple[Home, Worker], tmp_path: Path
) -> None:
    from reviewkit.services.identity import issue_intake_code

    rk, worker = home
    forged = "某县农贸市场管理办法（冒名登记）"
    code, body = _create_run(rk, _intake(rk, tmp_path, forged, "ABCDE-FGHJK"))
    assert code in (200, 201), body
    assert _wait_terminal(rk, str(body["id"]), worker) == "FAILED"
    assert _cases_titled(forged) == []
    refused = [r for r in _refusals("case.refused") if r.get("title") == forged]
    assert len(refused) == 1
    assert refused[0]["actor"] == UNPROVEN and refused[0]["claimed_user"] == "drafter1"
    assert refused[0]["channel"] == "prefect-ui" and "送审登记码" in refused[0]["reason"]

    # The drafter's own code (reviewkit user code --intake, after a PIN) registers the case, once.
    real = issue_intake_code(proven("drafter1"))
    title = "某县农贸市场管理办法"
    code, body = _create_run(rk, _intake(rk, tmp_path, title, real))
    assert code in (200, 201), body
    run_id = str(body["id"])
    deadline = time.monotonic() + 90
    while not _cases_titled(title) and time.monotonic() < deadline:
        time.sleep(0.5)
    [case] = _cases_titled(title)
    [created] = audit_events(case.id, "case.created")
    assert (created.actor, created.channel) == ("drafter1", "prefect-ui")
    assert case.flow_run_id == run_id

    replay = "某县农贸市场管理办法（重放）"
    code, body = _create_run(rk, _intake(rk, tmp_path, replay, real))
    assert _wait_terminal(rk, str(body["id"]), worker) == "FAILED"
    assert _cases_titled(replay) == []


@pytest.mark.prefect
def test_a_refused_resume_is_shown_in_the_next_form_and_the_artifact(
    home: tuple[Home, Worker], tmp_path: Path
) -> None:
    """A forged code is refused where the person acted; then the counsel finishes the round in the form
    alone: nothing filed from the command line, the decision writes the 审核意见书 itself."""
    from reviewkit.orchestration.runs import start_run
    from reviewkit.services.documents import list_materials
    from reviewkit.services.identity import issue_approval_code

    rk, worker = home
    case_id = case_at_prereview(tmp_path, title="某县殡葬管理办法")
    run_id = start_run(case_id)
    wait_run(rk.api, run_id, "PAUSED", "legality-review-r1-w0", worker=worker)
    form = {
        "decision": "合法",
        "user_name": "counsel1",
        "code": "ABCDE-FGHJK",
        "opinion": "经审核，该文件合法。",
    }
    code, body = resume_like_ui(rk.api, run_id, form)
    assert body["status"] == "ACCEPT"  # Prefect's green toast: the only truth is in reviewkit
    wait_run(rk.api, run_id, "PAUSED", "legality-review-r1-w1", worker=worker)

    # The Resume dialog's text above the form, and the decision field itself, say it did not count.
    # (Prefect saves the form's inputs just after the run shows PAUSED: wait for them a little.)
    deadline = time.monotonic() + 30
    while True:
        code, text = api_call(
            rk.api, "GET", f"/flow_runs/{run_id}/input/suspended-legality-review-r1-w1-description"
        )
        if code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert code == 200, text
    description = json.loads(text) if isinstance(text, str) and text.startswith('"') else text
    assert "【上一次提交未生效：" in description and "审批码无效" in description, description
    assert "离开本环节须有：审核意见书（由本决定生成）" in description, description  # the form's help
    code, schema = api_call(
        rk.api, "GET", f"/flow_runs/{run_id}/input/suspended-legality-review-r1-w1-schema"
    )
    assert code == 200, schema
    field = (json.loads(schema) if isinstance(schema, str) else schema)["properties"]["decision"]
    assert field["description"].startswith("【上一次提交未生效："), field

    code, artifacts = api_call(
        rk.api,
        "POST",
        "/artifacts/filter",
        {"artifacts": {"key": {"any_": [f"case-{case_id}"]}}, "sort": "CREATED_DESC", "limit": 1},
    )
    assert code == 200 and artifacts, artifacts
    assert "上一次在界面提交的决定未生效" in artifacts[0]["data"]
    [refusal] = audit_events(case_id, "identity.refused")
    assert refusal.actor == UNPROVEN and json.loads(refusal.payload)["claimed_user"] == "counsel1"

    # The genuine counsel, with the code `reviewkit inbox` gave them, in the same form.
    genuine = issue_approval_code(proven("counsel1"), case_id, "legality_review", 1)
    resume_like_ui(
        rk.api, run_id, {**form, "code": genuine, "opinion": "经审核，该文件制定主体、权限、内容和程序合法。"}
    )
    wait_run(rk.api, run_id, "PAUSED", "deliberation-r1-w0", worker=worker)
    [paper] = [m for m in list_materials(case_id) if m.name == "审核意见书"]
    assert paper.generated and paper.submitted_by == "counsel1"
    [recorded] = [
        e
        for e in audit_events(case_id, "decision.recorded")
        if json.loads(e.payload)["stage"] == "legality_review"
    ]
    assert (recorded.actor, recorded.channel) == ("counsel1", "prefect-ui")


# --- wrong codes typed by a stranger (no Prefect: the pipeline the Resume form calls) -----------


def _roster(tmp_path: Path) -> None:
    from reviewkit.services.roster import import_roster

    import_roster(write_roster(tmp_path / "roster.toml"))


def test_a_strangers_wrong_codes_neither_burn_the_genuine_code_nor_speak_in_its_owners_name(
    db_url: str, tmp_path: Path
) -> None:
    from reviewkit.errors import PermissionDenied
    from reviewkit.services.actors import CodeClaim
    from reviewkit.services.identity import issue_approval_code
    from reviewkit.services.workflow import decide, run_auto_stage

    _roster(tmp_path)
    case_id = case_at_prereview(tmp_path)
    assert run_auto_stage(case_id) == "legality_review"  # what the flow does next (no Prefect here)
    file_legal_opinion(case_id, tmp_path)
    genuine = issue_approval_code(proven("counsel1"), case_id, "legality_review", 1)
    for _ in range(9):
        with pytest.raises(PermissionDenied):
            decide(case_id, "合法", CodeClaim("counsel1", "ABCDE-FGHJK"), opinion="x")
    refusals = audit_events(case_id, "identity.refused")
    assert len(refusals) == 9 and {r.actor for r in refusals} == {UNPROVEN}
    assert audit_events(case_id, "decision.refused") == []  # nothing in counsel1's name
    result = decide(case_id, "合法", CodeClaim("counsel1", genuine), opinion="经审核，该文件合法。")
    assert result.to_stage == "deliberation"


def test_ten_wrong_codes_pause_the_gate_for_everyone(db_url: str, tmp_path: Path) -> None:
    from reviewkit.errors import PermissionDenied
    from reviewkit.services.actors import CodeClaim
    from reviewkit.services.identity import GATE_MAX_FAILURES, issue_approval_code
    from reviewkit.services.workflow import decide, run_auto_stage

    _roster(tmp_path)
    case_id = case_at_prereview(tmp_path)
    assert run_auto_stage(case_id) == "legality_review"  # what the flow does next (no Prefect here)
    file_legal_opinion(case_id, tmp_path)
    genuine = issue_approval_code(proven("counsel1"), case_id, "legality_review", 1)
    for _ in range(GATE_MAX_FAILURES):
        with pytest.raises(PermissionDenied):
            decide(case_id, "合法", CodeClaim("counsel2", "ABCDE-FGHJK"), opinion="x")
    with pytest.raises(PermissionDenied, match="暂停"):
        decide(case_id, "合法", CodeClaim("counsel1", genuine), opinion="经审核，该文件合法。")
    assert case_row(case_id).stage == "legality_review"
    # The genuine code was not spent: a proven decision on the CLI is unaffected by the pause.
    result = decide(case_id, "合法", proven("counsel1"), opinion="经审核，该文件合法。")
    assert result.to_stage == "deliberation"


def test_the_run_form_registers_every_kind_with_its_flags_and_facts(db_url: str, tmp_path: Path) -> None:
    """Issue #12: the intake form comes from the process definitions (all kinds, their flags and facts),
    validated as ``reviewkit case new`` validates them; the drafter's intake code is spent once."""
    from flows.intake import CaseIntake, register_intake
    from reviewkit.errors import InvalidInput
    from reviewkit.services.identity import issue_intake_code
    from reviewkit.services.kernel import definition_of, get_case
    from reviewkit.settings import get_settings
    from reviewkit.store.db import session_scope

    _roster(tmp_path)
    shipped = {p.stem for p in (get_settings().templates_dir / "processes").glob("*.toml")}
    kinds = set(CaseIntake.model_json_schema()["properties"]["kind"]["enum"])
    assert kinds == shipped and len(kinds) >= 7
    inbox = get_settings().resolved_intake_dir
    inbox.mkdir(parents=True, exist_ok=True)
    build_docx(inbox / "答复书.docx", title="行政复议答复书")

    def form(code: str, **extra: object) -> CaseIntake:
        return CaseIntake.model_validate(
            {
                "kind": "administrative_reconsideration",
                "title": "张某不服处罚决定复议答复",
                "drafting_unit": "法规股",
                "drafter": "drafter1",
                "code": code,
                "draft_path": "答复书.docx",
                **extra,
            }
        )

    with pytest.raises(InvalidInput, match="“unknown_fact”不是行政复议答复流程记录的事实"):
        register_intake(form(issue_intake_code(proven("drafter1")), facts="unknown_fact=1"), None)
    with pytest.raises(InvalidInput, match="行政复议答复流程没有案件标记：touches_business"):
        register_intake(form(issue_intake_code(proven("drafter1")), flags=["touches_business"]), None)
    code = issue_intake_code(proven("drafter1"))
    case_id = register_intake(form(code, facts="applicant=张某\nconcerned_act=某财罚决字〔2026〕3号"), None)
    with session_scope() as session:
        case = get_case(session, case_id)
        assert definition_of(case).kind == "administrative_reconsideration"
        assert case.facts["applicant"] == "张某" and case.facts["concerned_act"] == "某财罚决字〔2026〕3号"
    [created] = audit_events(case_id, "case.created")
    assert (created.actor, created.channel) == ("drafter1", "prefect-ui")
