"""Identity on each channel (PIN, token, one-time approval codes), delegation, reassignment,
separation of duties and voided approvals, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from reviewkit.errors import PermissionDenied, TransitionNotAllowed
from reviewkit.services import identity
from reviewkit.services.actors import UNPROVEN, Actor, CodeClaim
from reviewkit.services.audit_trail import export
from reviewkit.services.cases import NewCase, start_case, submit_version
from reviewkit.services.delegation import grant, reassign_tasks, today
from reviewkit.services.roster import add_user, import_roster, set_pin
from reviewkit.services.workflow import decide, run_auto_stage
from reviewkit.store.db import session_scope
from reviewkit.store.models import AuditEvent, CodeThrottle, Decision, HumanTask, as_utc
from tests.actors import proven, sealed
from tests.builders import build_docx, write_roster

ADMIN = sealed(Actor("admin1", frozenset({"admin"}), "cli", "管理员"))


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "SCRYPT_N", 2**10)


def _events(action: str) -> list[AuditEvent]:
    with session_scope() as session:
        return list(
            session.exec(
                select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
            ).all()
        )


def _case_at_legality_review(tmp_path: Path, *, opinion_on_file: bool = True) -> int:
    import_roster(write_roster(tmp_path / "roster.toml"))
    add_user("admin1", "管理员", ["admin"], pin="864213")
    add_user("counsel2", "审核员辛", ["legality_reviewer"])
    case = start_case(
        NewCase(
            kind="normative_document",
            title="某县财政专项资金管理办法",
            drafting_unit="预算股",
            drafter="drafter1",
            draft=build_docx(tmp_path / "v1.docx"),
        ),
        proven("drafter1"),
    )
    assert case.id is not None
    _file(case.id, "起草说明", "drafter1", tmp_path)
    decide(case.id, "提交", proven("drafter1"))
    _file(case.id, "征求意见采纳情况", "head1", tmp_path)
    decide(
        case.id,
        "征求意见完成",
        proven("head1"),
        facts={
            "consultation_start": "2026-09-01",
            "consultation_end": "2026-10-09",
            "legal_basis": "《中华人民共和国预算法》第十三条",
        },
    )
    assert run_auto_stage(case.id) == "legality_review"
    if opinion_on_file:
        _file(case.id, "审核意见书", "counsel1", tmp_path)
    return case.id


def test_a_counsel_finishes_the_review_from_the_form_alone(db_url: str, tmp_path: Path) -> None:
    """Issue #12 (Prefect form channel): nothing on file beforehand; the decision typed with a code writes
    the 审核意见书 from itself (counsel's name, conclusion ticked, opinion text) in its own transaction,
    and it is made once. A refused attempt leaves no paper behind."""
    import io

    from docx import Document

    from reviewkit.services.documents import list_materials
    from reviewkit.settings import get_settings
    from reviewkit.store import blobs

    case_id = _case_at_legality_review(tmp_path, opinion_on_file=False)
    code = identity.issue_approval_code(proven("counsel1"), case_id, "legality_review", 1)
    with pytest.raises(TransitionNotAllowed):
        decide(
            case_id, "同意", CodeClaim("counsel1", code), opinion="经审核，合法。"
        )  # not a decision of the stage
    assert [m.name for m in list_materials(case_id) if m.name == "审核意见书"] == []
    result = decide(
        case_id, "合法", CodeClaim("counsel1", code), opinion="经审核，该文件制定主体、权限、内容和程序合法。"
    )
    assert result.to_stage == "deliberation"
    [paper] = [m for m in list_materials(case_id) if m.name == "审核意见书"]
    assert (
        paper.generated
        and paper.submitted_by == "counsel1"
        and paper.stage == "legality_review"
        and paper.round == 1
    )
    text = "\n".join(
        p.text
        for p in Document(
            io.BytesIO(blobs.read_bytes(get_settings().resolved_data_dir, paper.sha256))
        ).paragraphs
    )
    assert "☑合法" in text and "该文件制定主体、权限、内容和程序合法" in text
    [made] = [e for e in _events("document.generated") if json.loads(e.payload)["name"] == "审核意见书"]
    assert made.actor == "counsel1" and made.channel == "prefect-ui"
    # A stage whose required material is someone else's report is not satisfied by a decision: the
    # 起草说明 (drafting stage) was uploaded above; a 风险评估报告 is never made up (DECISION_RECORDS).
    from reviewkit.services.documents import DECISION_RECORDS

    assert "risk" not in DECISION_RECORDS and "deliberation" not in DECISION_RECORDS


def _file(case_id: int, name: str, user: str, tmp_path: Path) -> None:
    from reviewkit.services.attachments import attach

    attach(
        case_id,
        name,
        build_docx(tmp_path / f"{name}.docx", title=name, articles=[f"{name}正文。"]),
        proven(user),
    )


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
        identity.issue_token("clerk1", sealed(Actor("clerk1", frozenset({"filing_clerk"}), "cli")))
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
        assert token.split("_", 2)[2] not in stored.token_hash and stored.token_hash.startswith("scrypt$")


def test_approval_codes_are_bound_single_use_and_consumed_with_the_decision(
    db_url: str, tmp_path: Path
) -> None:
    case_id = _case_at_legality_review(tmp_path)
    with pytest.raises(PermissionDenied, match="不能办理该待办"):
        identity.issue_approval_code(proven("drafter1"), case_id, "legality_review", 1)
    with pytest.raises(PermissionDenied, match="没有待办"):
        identity.issue_approval_code(proven("counsel1"), case_id, "deliberation", 1)
    with pytest.raises(
        PermissionDenied, match="未证实"
    ):  # a code is issued only to someone who proved who they are
        identity.issue_approval_code(
            Actor("counsel1", frozenset({"legality_reviewer", "counsel"}), "cli"),
            case_id,
            "legality_review",
            1,
        )
    code = identity.issue_approval_code(proven("counsel1"), case_id, "legality_review", 1)
    assert len(code) == 11 and code[5] == "-"
    # a wrong code, another person's name, a wrong decision: refused, the code survives
    with pytest.raises(PermissionDenied, match="审批码无效"):
        decide(case_id, "合法", CodeClaim("counsel1", "AAAAA-AAAAA"))
    with pytest.raises(PermissionDenied, match="审批码无效"):
        decide(case_id, "合法", CodeClaim("counsel2", code))
    with pytest.raises(TransitionNotAllowed):
        decide(case_id, "没有这个决定", CodeClaim("counsel1", code))
    result = decide(case_id, "合法", CodeClaim("counsel1", code.lower()), opinion="经审核合法")
    assert result.from_stage == "legality_review"
    with session_scope() as session:
        d = session.exec(select(Decision).where(Decision.stage == "legality_review")).one()
        assert (d.actor, d.channel) == ("counsel1", "prefect-ui")
    recorded = _events("decision.recorded")[-1]
    assert '"auth":"code"' in recorded.payload
    # The wrong codes proved nobody: audited as claims, never in the name typed.
    claims = [json.loads(e.payload) | {"actor": e.actor} for e in _events("identity.refused")]
    assert [(c["actor"], c["method"], c["claimed_user"]) for c in claims] == [
        (UNPROVEN, "code", "counsel1"),
        (UNPROVEN, "code", "counsel2"),
    ]
    # The wrong decision came with counsel1's genuine code (proved, then rolled back with the refusal).
    refused = _events("decision.refused")
    assert [(e.actor, e.channel) for e in refused] == [("counsel1", "prefect-ui")]
    assert json.loads(refused[0].payload)["auth"] == "code"
    with pytest.raises(PermissionDenied, match="审批码无效"):  # and once used, the code is spent
        decide(case_id, "合法", CodeClaim("counsel1", code))


def test_a_bare_user_name_or_a_hand_built_actor_is_refused_and_audited_as_a_claim(
    db_url: str, tmp_path: Path
) -> None:
    case_id = _case_at_legality_review(tmp_path)
    forged = Actor("counsel1", frozenset({"counsel", "legality_reviewer"}), "cli")
    for who in ("counsel1", forged):
        before = (_count_rows(Decision), _count_rows(AuditEvent))
        with pytest.raises(PermissionDenied, match="未证实"):
            decide(case_id, "合法", who)  # type: ignore[arg-type]
        with session_scope() as session:
            task = session.exec(select(HumanTask).where(HumanTask.stage == "legality_review")).one()
            assert task.status == "open"
        assert _count_rows(Decision) == before[0]
        assert _count_rows(AuditEvent) == before[1] + 1  # the refusal, and nothing else
        with session_scope() as session:
            last = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
        assert last is not None and last.action == "decision.refused" and last.actor == UNPROVEN
        assert json.loads(last.payload)["claimed_user"] == "counsel1"
    assert not any(e.actor == "counsel1" for e in _events("decision.refused"))
    # Nor does a hand-built administrator manage anything: tokens, delegations, reassignment, export.
    admin = Actor("admin1", frozenset({"admin"}), "cli")
    for attempt in (
        lambda: identity.issue_token("clerk1", admin),
        lambda: grant("counsel1", "counsel2", today(), admin),
        lambda: reassign_tasks(None, "counsel2", admin, case_ref=case_id),
        lambda: export(case_id, "jsonl", tmp_path / "out.jsonl", admin),
    ):
        with pytest.raises(PermissionDenied, match="未证实"):
            attempt()
    # the real counsel1, proved, decides
    assert decide(case_id, "合法", proven("counsel1")).from_stage == "legality_review"


def _count_rows(model: type) -> int:
    from sqlmodel import func

    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def _gate_failures(case_id: int, stage: str, round: int) -> tuple[int, datetime | None]:
    with session_scope() as session:
        row = session.get(CodeThrottle, (case_id, stage, round))
        return (row.failures, as_utc(row.paused_until)) if row else (0, None)


def test_verify_approval_code_single_use_expiry_and_gate_throttle(db_url: str, tmp_path: Path) -> None:
    case_id = _case_at_legality_review(tmp_path)
    counsel1 = proven("counsel1")
    code = identity.issue_approval_code(counsel1, case_id, "legality_review", 1)
    with pytest.raises(PermissionDenied):
        identity.verify_approval_code("counsel1", code, case_id, "legality_review", 2)  # another round
    actor = identity.verify_approval_code("counsel1", code, case_id, "legality_review", 1)
    assert (
        actor.username == "counsel1"
        and actor.auth == "code"
        and actor.channel == "prefect-ui"
        and actor.proven
    )
    with pytest.raises(PermissionDenied, match="已使用"):
        identity.verify_approval_code("counsel1", code, case_id, "legality_review", 1)
    expired = identity.issue_approval_code(counsel1, case_id, "legality_review", 1, ttl_hours=0)
    with pytest.raises(PermissionDenied):
        identity.verify_approval_code("counsel1", expired, case_id, "legality_review", 1)
    assert _gate_failures(case_id, "legality_review", 1) == (2, None)  # counted per gate (round 2 is another)
    assert _gate_failures(case_id, "legality_review", 2)[0] == 1

    # A stranger typing wrong codes under counsel1's name does not burn counsel1's genuine code
    # (the old per-code count killed it after 5).
    good = identity.issue_approval_code(counsel1, case_id, "legality_review", 1)
    for _ in range(identity.MAX_FAILURES):
        with pytest.raises(PermissionDenied):
            identity.verify_approval_code("counsel1", "BBBBB-BBBBB", case_id, "legality_review", 1)
    assert (
        identity.verify_approval_code("counsel1", good, case_id, "legality_review", 1).username == "counsel1"
    )
    claims = _events("identity.refused")
    assert claims and {e.actor for e in claims} == {UNPROVEN}
    assert {json.loads(e.payload)["claimed_user"] for e in claims} == {"counsel1"}
    assert {json.loads(e.payload)["method"] for e in claims} == {"code"}

    newer = identity.issue_approval_code(counsel1, case_id, "legality_review", 1)
    older = identity.issue_approval_code(counsel1, case_id, "legality_review", 1)
    with pytest.raises(PermissionDenied):  # a new code supersedes the earlier one
        identity.verify_approval_code("counsel1", newer, case_id, "legality_review", 1)
    failures, paused = _gate_failures(case_id, "legality_review", 1)
    assert (failures, paused) == (2 + identity.MAX_FAILURES + 1, None)

    # GATE_MAX_FAILURES wrong codes at the gate within the window pause it: even the genuine code waits
    for _ in range(identity.GATE_MAX_FAILURES - failures):
        with pytest.raises(PermissionDenied):
            identity.verify_approval_code("counsel2", "CCCCC-CCCCC", case_id, "legality_review", 1)
    _, paused = _gate_failures(case_id, "legality_review", 1)
    assert paused is not None and paused > datetime.now(UTC) + timedelta(minutes=identity.LOCK_MINUTES - 1)
    assert "gate_paused_until" in _events("identity.refused")[-1].payload
    with pytest.raises(PermissionDenied, match="暂停"):
        identity.verify_approval_code("counsel1", older, case_id, "legality_review", 1)
    # another gate is not paused
    assert _gate_failures(case_id, "legality_review", 2)[1] is None
    # the pause ends; the genuine code, never spent, works
    with session_scope(write=True) as session:
        row = session.get(CodeThrottle, (case_id, "legality_review", 1))
        assert row is not None
        row.paused_until = datetime.now(UTC) - timedelta(seconds=1)
        session.add(row)
    identity.verify_approval_code("counsel1", older, case_id, "legality_review", 1)


def test_delegation_respects_separation_of_duties_and_end_date(db_url: str, tmp_path: Path) -> None:
    case_id = _case_at_legality_review(tmp_path)
    counsel1 = sealed(Actor("counsel1", frozenset({"legality_reviewer", "counsel"}), "cli"))
    grant("counsel1", "drafter1", today() + timedelta(days=10), counsel1, reason="休假")
    with pytest.raises(PermissionDenied, match="职责分离"):
        decide(
            case_id, "合法", proven("drafter1")
        )  # drafted the case: may not approve it, even for someone else
    grant("counsel1", "leader1", today() - timedelta(days=1), ADMIN, starts_on=today() - timedelta(days=5))
    with pytest.raises(TransitionNotAllowed, match="只能由"):
        decide(case_id, "合法", proven("leader1"))  # the delegation has ended
    with pytest.raises(PermissionDenied, match="无权委托他人代行本人职责|无权代为设置"):
        grant(
            "counsel1",
            "head1",
            today(),
            sealed(Actor("fcr1", frozenset({"fair_competition_reviewer"}), "cli")),
        )
    assert len(_events("permission.refused")) == 1
    grant("counsel1", "head1", today(), ADMIN, reason="出差")
    decide(case_id, "合法", proven("head1"))
    with session_scope() as session:
        d = session.exec(select(Decision).where(Decision.stage == "legality_review")).one()
        assert (d.actor, d.role, d.on_behalf_of) == ("head1", "legality_reviewer", "counsel1")
    assert len(_events("delegation.granted")) == 3


def test_admin_reassigns_an_open_task(db_url: str, tmp_path: Path) -> None:
    case_id = _case_at_legality_review(tmp_path)
    with pytest.raises(PermissionDenied, match="无权改派待办"):
        reassign_tasks(
            None, "counsel2", sealed(Actor("leader1", frozenset({"leader"}), "cli")), case_ref=case_id
        )
    with pytest.raises(PermissionDenied, match="不能办理该待办"):
        reassign_tasks(None, "drafter1", ADMIN, case_ref=case_id)
    assert reassign_tasks(None, "counsel2", ADMIN, case_ref=case_id, reason="王芳休假")
    with pytest.raises(PermissionDenied, match="已指派给“counsel2”"):
        decide(case_id, "合法", proven("counsel1"))
    decide(case_id, "合法", proven("counsel2"))
    moved = _events("task.reassigned")
    assert len(moved) == 1 and '"to":"counsel2"' in moved[0].payload
    with session_scope() as session:
        assert (
            session.exec(select(HumanTask).where(HumanTask.stage == "legality_review")).one().assignee
            == "counsel2"
        )


def test_a_new_version_voids_approvals_of_the_old_one(db_url: str, tmp_path: Path) -> None:
    case_id = _case_at_legality_review(tmp_path)
    decide(case_id, "合法", proven("counsel1"))
    submit_version(
        case_id,
        build_docx(tmp_path / "v2.docx", title="某县财政专项资金管理办法（修改稿）"),
        proven("drafter1"),
    )
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
    decide(case_id, "应当予以修改", proven("counsel1"))
    submit_version(case_id, build_docx(tmp_path / "v2.docx"), proven("both2"))
    decide(case_id, "提交修改稿", proven("drafter1"))
    run_auto_stage(case_id)
    with pytest.raises(PermissionDenied, match="职责分离"):
        decide(case_id, "合法", proven("both2"))
    decide(case_id, "合法", proven("counsel1"))


SERVICE_ACTIONS = ["user.manage", "token.issue", "delegation.manage", "task.reassign", "audit.export"]
ROLES = [
    "drafter",
    "unit_head",
    "legality_reviewer",
    "counsel",
    "fair_competition_reviewer",
    "leader",
    "filing_clerk",
    "admin",
]


def _attempt(action: str, by: Actor, case_id: int, tmp_path: Path) -> None:
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
    by = sealed(Actor(f"someone_{role}", frozenset({role}), "cli"))
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


def test_the_demos_people_act_on_the_demos_own_case_only(db_url: str, tmp_path: Path) -> None:
    from reviewkit.services import demo
    from reviewkit.services.attachments import attach

    demo_id = demo.prepare()
    import_roster(write_roster(tmp_path / "roster.toml"))
    case = start_case(
        NewCase(
            kind="normative_document",
            title="某县财政专项资金管理办法",
            drafting_unit="预算股",
            drafter="drafter1",
            draft=build_docx(tmp_path / "v1.docx"),
        ),
        proven("drafter1"),
    )
    assert case.id is not None
    _file(case.id, "起草说明", "drafter1", tmp_path)
    before = (_count_rows(Decision), case.stage)
    with pytest.raises(PermissionDenied, match="不是演示案件"):
        demo.decide_scripted(case.id)  # the script speaks for its sample people on its own case only
    with pytest.raises(PermissionDenied, match="不是演示案件"):
        demo.sample_person(case.id, "zhangwei")
    zhang = demo.sample_person(demo_id, "zhangwei")  # proved for the demo case, and for nothing else
    assert zhang.proven
    with pytest.raises(PermissionDenied, match="演示身份只能办理演示案件"):
        decide(case.id, "提交", zhang)
    with pytest.raises(PermissionDenied, match="演示"):  # nor anything else on an office's case
        submit_version(case.id, build_docx(tmp_path / "v2.docx"), zhang)
    with pytest.raises(PermissionDenied, match="演示"):
        attach(case.id, "起草说明", build_docx(tmp_path / "说明2.docx", title="起草说明"), zhang)
    with session_scope() as session:
        stage = session.exec(
            select(HumanTask.stage).where(HumanTask.case_id == case.id, HumanTask.status == "open")
        ).one()
    assert (_count_rows(Decision), stage) == before
    with pytest.raises(PermissionDenied, match="已有正式案件"):
        demo.prepare()  # an office's database is not the demo's to use
    assert demo.decide_scripted(demo_id).case_id == demo_id  # the demo's own case goes on


# Every service that changes a case refuses a name, or an actor built by hand, whoever it names: the
# attempt changes nothing and is audited as a claim (``（未证实身份）`` with ``claimed_user``).
CASE_SERVICES = [
    "start_case",
    "submit_version",
    "attach",
    "consultation.add",
    "file_document",
    "numbering.void",
    "make_package",
    "issue_approval_code",
]
AUDITED_AS = {
    "start_case": "case.refused",
    "submit_version": "version.refused",
    "attach": "attachment.refused",
    "consultation.add": "consultation.refused",
    "file_document": "document.refused",
    "numbering.void": "number.refused",
}
PERSON = {
    "start_case": "drafter1",
    "submit_version": "drafter1",
    "attach": "counsel1",
    "consultation.add": "head1",
    "file_document": "counsel1",
    "numbering.void": "clerk1",
    "make_package": "clerk1",
    "issue_approval_code": "counsel1",
}


def _call(service: str, who: object, case_id: int, tmp_path: Path) -> None:
    from reviewkit.services import consultation, documents, numbering, packages
    from reviewkit.services.attachments import attach
    from reviewkit.services.consultation import NewComment

    draft = build_docx(tmp_path / "v9.docx")
    if service == "start_case":
        start_case(
            NewCase(
                kind="normative_document",
                title="冒名登记的办法",
                drafting_unit="预算股",
                drafter="drafter1",
                draft=draft,
            ),
            who,
        )  # type: ignore[arg-type]
    elif service == "submit_version":
        submit_version(case_id, draft, who)  # type: ignore[arg-type]
    elif service == "attach":
        attach(case_id, "审核意见书", draft, who)  # type: ignore[arg-type]
    elif service == "consultation.add":
        consultation.add(case_id, [NewComment("某企业", "删除第三条", "采纳", "第三条")], who)  # type: ignore[arg-type]
    elif service == "file_document":
        documents.file_document(case_id, "合法性审核意见书", who)  # type: ignore[arg-type]
    elif service == "numbering.void":
        numbering.void("某财规〔2026〕1号", "印错", who)  # type: ignore[arg-type]
    elif service == "make_package":
        packages.build_package(case_id, who, out=tmp_path / "package.zip")  # type: ignore[arg-type]
    elif service == "issue_approval_code":
        identity.issue_approval_code(who, case_id, "legality_review", 1)  # type: ignore[arg-type]


def _table_counts() -> dict[str, int]:
    from reviewkit.store.models import (
        ApprovalCode,
        Attachment,
        Case,
        ConsultationComment,
        DocumentVersion,
        IssuedNumber,
    )

    return {
        m.__name__: _count_rows(m)
        for m in (
            Case,
            DocumentVersion,
            Attachment,
            ConsultationComment,
            IssuedNumber,
            ApprovalCode,
            Decision,
        )
    }


@pytest.mark.parametrize("service", CASE_SERVICES)
def test_services_refuse_a_bare_name_or_a_hand_built_actor(service: str, db_url: str, tmp_path: Path) -> None:
    case_id = _case_at_legality_review(tmp_path)
    name = PERSON[service]
    with session_scope() as session:
        from reviewkit.services.actors import load_actor

        forged = load_actor(session, name, "cli")  # the right roles, no proof
    for who in (name, forged):
        before, events = _table_counts(), _count_rows(AuditEvent)
        with pytest.raises(PermissionDenied, match="未证实"):
            _call(service, who, case_id, tmp_path)
        assert _table_counts() == before, who
        assert not (tmp_path / "package.zip").exists()
        if service in AUDITED_AS:
            assert _count_rows(AuditEvent) == events + 1
            with session_scope() as session:
                last = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
            assert last is not None and (last.action, last.actor) == (AUDITED_AS[service], UNPROVEN)
            assert json.loads(last.payload)["claimed_user"] == name
        else:
            assert _count_rows(AuditEvent) <= events + 1
    assert not [e for e in _events(AUDITED_AS.get(service, "decision.refused")) if e.actor == name]
