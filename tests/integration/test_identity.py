"""Identity on each channel (PIN, token, one-time approval codes), delegation, reassignment,
separation of duties and voided approvals, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from reviewkit.errors import PermissionDenied, TransitionNotAllowed
from reviewkit.services import identity
from reviewkit.services.actors import Actor
from reviewkit.services.cases import NewCase, start_case, submit_version
from reviewkit.services.delegation import grant, reassign_tasks, today
from reviewkit.services.roster import add_user, import_roster, set_pin
from reviewkit.services.workflow import decide, run_auto_stage
from reviewkit.store.db import session_scope
from reviewkit.store.models import AuditEvent, Decision, HumanTask
from tests.builders import build_docx, write_roster

ADMIN = Actor("admin1", frozenset({"admin"}), "cli", "管理员")


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "SCRYPT_N", 2**10)


def _events(action: str) -> list[AuditEvent]:
    with session_scope() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))).all())


def _case_at_legality_review(tmp_path: Path) -> int:
    import_roster(write_roster(tmp_path / "roster.toml"))
    add_user("admin1", "管理员", ["admin"], pin="864213")
    add_user("counsel2", "审核员辛", ["legality_reviewer"])
    case = start_case(NewCase(kind="normative_document", title="某县财政专项资金管理办法", drafting_unit="预算股",
                              drafter="drafter1", draft=build_docx(tmp_path / "v1.docx")))
    assert case.id is not None
    _file(case.id, "起草说明", "drafter1", tmp_path)
    decide(case.id, "提交", "drafter1")
    _file(case.id, "征求意见采纳情况", "head1", tmp_path)
    decide(case.id, "征求意见完成", "head1", facts={"consultation_start": "2026-09-01", "consultation_end": "2026-10-09",
                                                    "legal_basis": "《中华人民共和国预算法》第十三条"})
    assert run_auto_stage(case.id) == "legality_review"
    _file(case.id, "审核意见书", "counsel1", tmp_path)
    return case.id


def _file(case_id: int, name: str, user: str, tmp_path: Path) -> None:
    from reviewkit.services.attachments import attach

    attach(case_id, name, build_docx(tmp_path / f"{name}.docx", title=name, articles=[f"{name}正文。"]), user)


def test_pin_login_wrong_pin_and_lockout(db_url: str, tmp_path: Path) -> None:
    import_roster(write_roster(tmp_path / "roster.toml"))
    with pytest.raises(PermissionDenied, match="尚未设置 PIN"):
        identity.authenticate_pin("counsel1", "246813")
    set_pin("counsel1", "246813")
    actor = identity.authenticate_pin("counsel1", "246813")
    assert actor.username == "counsel1" and actor.auth == "pin" and "counsel" in actor.roles
    for _ in range(identity.MAX_FAILURES):
        with pytest.raises(PermissionDenied, match="PIN 不正确"):
            identity.authenticate_pin("counsel1", "000000")
    with pytest.raises(PermissionDenied, match="已锁定"):
        identity.authenticate_pin("counsel1", "246813")
    assert len(_events("identity.refused")) == identity.MAX_FAILURES
    with pytest.raises(PermissionDenied, match="已停用"):
        set_pin("gone1", "246813")
        identity.authenticate_pin("gone1", "246813")
    with pytest.raises(Exception, match="过于简单"):
        set_pin("head1", "111111")


def test_tokens(db_url: str, tmp_path: Path) -> None:
    import_roster(write_roster(tmp_path / "roster.toml"))
    with pytest.raises(PermissionDenied, match="无权签发脚本令牌"):
        identity.issue_token("clerk1", Actor("clerk1", frozenset({"filing_clerk"}), "cli"))
    token = identity.issue_token("clerk1", ADMIN, label="备案脚本")
    actor = identity.authenticate_token(token)
    assert actor.username == "clerk1" and actor.auth == "token"
    with pytest.raises(PermissionDenied, match="REVIEWKIT_TOKEN 无效"):
        identity.authenticate_token(token[:-2] + "xx")
    identity.revoke_token(int(token.split("_")[1]), ADMIN)
    with pytest.raises(PermissionDenied, match="REVIEWKIT_TOKEN 无效"):
        identity.authenticate_token(token)
    with session_scope() as session:
        from reviewkit.store.models import ApiToken

        stored = session.exec(select(ApiToken)).one()
        assert token.split("_")[2] not in stored.token_hash and stored.token_hash.startswith("scrypt$")


def test_approval_codes_are_bound_single_use_and_consumed_with_the_decision(db_url: str, tmp_path: Path) -> None:
    case_id = _case_at_legality_review(tmp_path)
    with pytest.raises(PermissionDenied, match="不能办理该待办"):
        identity.issue_approval_code("drafter1", case_id, "legality_review", 1)
    with pytest.raises(PermissionDenied, match="没有待办"):
        identity.issue_approval_code("counsel1", case_id, "deliberation", 1)
    code = identity.issue_approval_code("counsel1", case_id, "legality_review", 1)
    assert len(code) == 11 and code[5] == "-"
    # a wrong code, another person's name, a wrong decision: refused, the code survives
    with pytest.raises(PermissionDenied, match="审批码无效"):
        decide(case_id, "合法", "counsel1", channel="prefect-ui", approval_code="AAAAA-AAAAA")
    with pytest.raises(PermissionDenied, match="审批码无效"):
        decide(case_id, "合法", "counsel2", channel="prefect-ui", approval_code=code)
    with pytest.raises(TransitionNotAllowed):
        decide(case_id, "没有这个决定", "counsel1", channel="prefect-ui", approval_code=code)
    result = decide(case_id, "合法", "counsel1", opinion="经审核合法", channel="prefect-ui", approval_code=code.lower())
    assert result.from_stage == "legality_review"
    with session_scope() as session:
        d = session.exec(select(Decision).where(Decision.stage == "legality_review")).one()
        assert (d.actor, d.channel) == ("counsel1", "prefect-ui")
    recorded = _events("decision.recorded")[-1]
    assert '"auth":"code"' in recorded.payload
    refused = _events("decision.refused")
    assert len(refused) == 3 and all('"auth":"code"' in e.payload for e in refused)


def test_verify_approval_code_single_use_expiry_and_attempt_limit(db_url: str, tmp_path: Path) -> None:
    case_id = _case_at_legality_review(tmp_path)
    code = identity.issue_approval_code("counsel1", case_id, "legality_review", 1)
    with pytest.raises(PermissionDenied):
        identity.verify_approval_code("counsel1", code, case_id, "legality_review", 2)  # another round
    actor = identity.verify_approval_code("counsel1", code, case_id, "legality_review", 1)
    assert actor.username == "counsel1" and actor.auth == "code" and actor.channel == "prefect-ui"
    with pytest.raises(PermissionDenied, match="已使用"):
        identity.verify_approval_code("counsel1", code, case_id, "legality_review", 1)
    expired = identity.issue_approval_code("counsel1", case_id, "legality_review", 1, ttl_hours=0)
    with pytest.raises(PermissionDenied):
        identity.verify_approval_code("counsel1", expired, case_id, "legality_review", 1)
    good = identity.issue_approval_code("counsel1", case_id, "legality_review", 1)
    for _ in range(identity.MAX_FAILURES):
        with pytest.raises(PermissionDenied):
            identity.verify_approval_code("counsel1", "BBBBB-BBBBB", case_id, "legality_review", 1)
    with pytest.raises(PermissionDenied):  # too many wrong tries: the live code is dead too
        identity.verify_approval_code("counsel1", good, case_id, "legality_review", 1)
    newer = identity.issue_approval_code("counsel1", case_id, "legality_review", 1)
    older = identity.issue_approval_code("counsel1", case_id, "legality_review", 1)
    with pytest.raises(PermissionDenied):  # a new code supersedes the earlier one
        identity.verify_approval_code("counsel1", newer, case_id, "legality_review", 1)
    identity.verify_approval_code("counsel1", older, case_id, "legality_review", 1)


def test_delegation_respects_separation_of_duties_and_end_date(db_url: str, tmp_path: Path) -> None:
    case_id = _case_at_legality_review(tmp_path)
    counsel1 = Actor("counsel1", frozenset({"legality_reviewer", "counsel"}), "cli")
    grant("counsel1", "drafter1", today() + timedelta(days=10), counsel1, reason="休假")
    with pytest.raises(PermissionDenied, match="职责分离"):
        decide(case_id, "合法", "drafter1")  # drafted the case: may not approve it, even for someone else
    grant("counsel1", "leader1", today() - timedelta(days=1), ADMIN, starts_on=today() - timedelta(days=5))
    with pytest.raises(TransitionNotAllowed, match="只能由"):
        decide(case_id, "合法", "leader1")  # the delegation has ended
    with pytest.raises(PermissionDenied, match="无权委托他人代行本人职责|无权代为设置"):
        grant("counsel1", "head1", today(), Actor("fcr1", frozenset({"fair_competition_reviewer"}), "cli"))
    assert len(_events("permission.refused")) == 1
    grant("counsel1", "head1", today(), ADMIN, reason="出差")
    decide(case_id, "合法", "head1")
    with session_scope() as session:
        d = session.exec(select(Decision).where(Decision.stage == "legality_review")).one()
        assert (d.actor, d.role, d.on_behalf_of) == ("head1", "legality_reviewer", "counsel1")
    assert len(_events("delegation.granted")) == 3


def test_admin_reassigns_an_open_task(db_url: str, tmp_path: Path) -> None:
    case_id = _case_at_legality_review(tmp_path)
    with pytest.raises(PermissionDenied, match="无权改派待办"):
        reassign_tasks(None, "counsel2", Actor("leader1", frozenset({"leader"}), "cli"), case_ref=case_id)
    with pytest.raises(PermissionDenied, match="不能办理该待办"):
        reassign_tasks(None, "drafter1", ADMIN, case_ref=case_id)
    assert reassign_tasks(None, "counsel2", ADMIN, case_ref=case_id, reason="王芳休假")
    with pytest.raises(PermissionDenied, match="已指派给“counsel2”"):
        decide(case_id, "合法", "counsel1")
    decide(case_id, "合法", "counsel2")
    moved = _events("task.reassigned")
    assert len(moved) == 1 and '"to":"counsel2"' in moved[0].payload
    with session_scope() as session:
        assert session.exec(select(HumanTask).where(HumanTask.stage == "legality_review")).one().assignee == "counsel2"


def test_a_new_version_voids_approvals_of_the_old_one(db_url: str, tmp_path: Path) -> None:
    case_id = _case_at_legality_review(tmp_path)
    decide(case_id, "合法", "counsel1")
    submit_version(case_id, build_docx(tmp_path / "v2.docx", title="某县财政专项资金管理办法（修改稿）"), "drafter1")
    with session_scope() as session:
        legal = session.exec(select(Decision).where(Decision.stage == "legality_review")).one()
        drafting = session.exec(select(Decision).where(Decision.stage == "drafting")).one()
        assert legal.voided_at is not None and "第 2 稿" in (legal.voided_reason or "")
        assert drafting.voided_at is None  # the authoring side's own steps are not approvals
    voided = _events("decision.voided")
    assert len(voided) == 1 and str(legal.id) in voided[0].payload


def test_the_submitter_of_a_later_version_cannot_approve_it(db_url: str, tmp_path: Path) -> None:
    case_id = _case_at_legality_review(tmp_path)
    add_user("both2", "兼任者", ["unit_head", "legality_reviewer"])
    decide(case_id, "应当予以修改", "counsel1")
    submit_version(case_id, build_docx(tmp_path / "v2.docx"), "both2")
    decide(case_id, "提交修改稿", "drafter1")
    run_auto_stage(case_id)
    with pytest.raises(PermissionDenied, match="职责分离"):
        decide(case_id, "合法", "both2")
    decide(case_id, "合法", "counsel1")


SERVICE_ACTIONS = ["user.manage", "token.issue", "delegation.manage", "task.reassign", "audit.export"]
ROLES = ["drafter", "unit_head", "legality_reviewer", "counsel", "fair_competition_reviewer", "leader", "filing_clerk",
         "admin"]


def _attempt(action: str, by: Actor, case_id: int, tmp_path: Path) -> None:
    from reviewkit.services.audit_trail import export

    if action == "user.manage":
        add_user("newbie", "新人", ["drafter"], by=by)
    elif action == "token.issue":
        identity.issue_token("clerk1", by)
    elif action == "delegation.manage":
        grant("counsel1", "counsel2", today(), by)
    elif action == "task.reassign":
        reassign_tasks(None, "counsel2", by, case_ref=case_id)
    elif action == "audit.export":
        export(case_id, "jsonl", tmp_path / "out.jsonl", by)


@pytest.mark.parametrize("role", ROLES)
def test_service_actions_role_by_role_refusals_audited(role: str, tmp_path: Path) -> None:
    """Each role against each action a service guards: allowed ones succeed, refused ones change
    nothing and leave a ``permission.refused`` event naming the attempt."""
    from tests.unit.test_permissions import EXPECTED

    case_id = _case_at_legality_review(tmp_path)
    by = Actor(f"someone_{role}", frozenset({role}), "cli")
    for action in SERVICE_ACTIONS:
        before = len(_events("permission.refused"))
        if role in EXPECTED[action]:
            _attempt(action, by, case_id, tmp_path)
            assert len(_events("permission.refused")) == before, action
        else:
            with pytest.raises(PermissionDenied, match="无权"):
                _attempt(action, by, case_id, tmp_path)
            refused = _events("permission.refused")
            assert len(refused) == before + 1, action
            assert refused[-1].actor == by.username and "无权" in refused[-1].payload
