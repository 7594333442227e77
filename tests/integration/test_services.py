"""The store and the services on SQLite and PostgreSQL: a case from draft to filing, without Prefect."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, func, select

from reviewkit.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from reviewkit.services.attachments import attach
from reviewkit.services.cases import NewCase, start_case, submit_version
from reviewkit.services.identity import authenticate_pin
from reviewkit.services.queries import case_detail, list_cases
from reviewkit.services.roster import import_roster, set_active
from reviewkit.services.workflow import decide, run_auto_stage
from reviewkit.store.db import session_scope
from reviewkit.store.models import AuditEvent, Case, Decision, DocumentVersion, Finding, HumanTask, StageEntry
from tests.actors import TEST_PIN, proven
from tests.builders import build_docx, write_roster


def _start(tmp_path: Path, flags: frozenset[str] = frozenset({"touches_business"})) -> int:
    import_roster(write_roster(tmp_path / "roster.toml"))
    case = start_case(
        NewCase(
            kind="normative_document",
            title="某县财政专项资金管理办法",
            drafting_unit="预算股",
            drafter="drafter1",
            draft=build_docx(tmp_path / "v1.docx"),
            flags=flags,
        ),
        proven("drafter1"),
    )
    assert case.id is not None
    return case.id


CONSULTATION = {
    "consultation_start": "2026-09-01",
    "consultation_end": "2026-10-09",
    "market_players_consulted": "书面征求5家企业和县工商联意见",
    "legal_basis": "《中华人民共和国政府采购法》第十三条",
}  # 送审材料: 制定依据 (37号 三(六))
# P9: 施行 at least 30 days after 公布 (here: far ahead of any test date)
EFFECTIVE = {"effective_date": "2099-01-01"}
# P8: the 集体审议 record (37号 三(七))
MEETING = {"meeting": "局务会议", "attendees": "局长、副局长、法规股", "dissent": "无"}


def _file(case_id: int, name: str, user: str, tmp_path: Path) -> None:
    attach(
        case_id,
        name,
        build_docx(tmp_path / f"{name}.docx", title=name, articles=[f"{name}正文。"]),
        proven(user),
    )


def _to_legality_review(case_id: int, tmp_path: Path) -> None:
    _file(case_id, "起草说明", "drafter1", tmp_path)
    decide(case_id, "提交", proven("drafter1"))
    _file(case_id, "征求意见采纳情况", "head1", tmp_path)
    decide(case_id, "征求意见完成", proven("head1"), opinion="征求意见38日", facts=CONSULTATION)
    _file(case_id, "公平竞争审查结论", "fcr1", tmp_path)
    decide(case_id, "符合", proven("fcr1"))
    assert run_auto_stage(case_id) == "legality_review"


def _count(model: type, **where: object) -> int:
    with session_scope() as session:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return int(session.exec(q).one())


def test_a_case_runs_from_draft_to_filing_with_one_return(db_url: str, tmp_path: Path) -> None:
    case_id = _start(tmp_path)
    _to_legality_review(case_id, tmp_path)
    assert run_auto_stage(case_id) is None  # idempotent: no longer in an automatic stage
    _file(case_id, "审核意见书", "counsel1", tmp_path)
    decide(case_id, "应当予以修改", proven("counsel1"), opinion="第三条表述不清")
    submit_version(
        case_id,
        build_docx(tmp_path / "v2.docx", title="某县财政专项资金管理办法（修改稿）"),
        proven("drafter1"),
    )
    decide(case_id, "提交修改稿", proven("drafter1"))
    decide(case_id, "符合", proven("fcr1"))  # touches_business: the new version is screened again
    assert run_auto_stage(case_id) == "legality_review"
    decide(case_id, "合法", proven("counsel1"))
    _file(case_id, "集体审议记录", "leader1", tmp_path)
    decide(case_id, "通过", proven("leader1"), facts=MEETING)  # risk assessment skipped: not flagged
    _file(case_id, "政策解读材料", "clerk1", tmp_path)
    decide(case_id, "印发", proven("clerk1"), facts=EFFECTIVE)
    _file(case_id, "备案报告", "clerk1", tmp_path)
    _file(case_id, "正式文本", "clerk1", tmp_path)
    result = decide(case_id, "已报备", proven("clerk1"))
    assert result.to_stage == "filed"

    detail = case_detail(case_id)
    assert detail.case.status == "closed"
    assert detail.case.doc_number is not None and detail.case.doc_number.endswith(
        "〔" + detail.published_on[:4] + "〕1号"
    )
    stages = [(r.stage, r.round) for r in detail.timeline]
    assert stages == [
        ("drafting", 1),
        ("consultation", 1),
        ("fair_competition", 1),
        ("prereview", 1),
        ("legality_review", 1),
        ("revision", 2),
        ("fair_competition", 2),
        ("prereview", 2),
        ("legality_review", 2),
        ("deliberation", 2),
        ("publication", 2),
        ("filing", 2),
        ("filed", 2),
    ]
    filing = next(r for r in detail.timeline if r.stage == "filing")
    assert filing.due_on is not None  # 30 days counted from publication
    assert _count(Decision, case_id=case_id) == 10
    assert _count(HumanTask, case_id=case_id, status="open") == 0
    assert _count(DocumentVersion, case_id=case_id) == 2
    with session_scope() as session:
        decisions = session.exec(
            select(Decision).where(Decision.case_id == case_id).order_by(col(Decision.id))
        ).all()
        versions = session.exec(
            select(DocumentVersion)
            .where(DocumentVersion.case_id == case_id)
            .order_by(col(DocumentVersion.seq))
        ).all()
        assert all(v.prereviewed_at is not None for v in versions)
        legal = [d for d in decisions if d.stage == "legality_review"]
        assert [d.version_sha256 for d in legal] == [versions[0].sha256, versions[1].sha256]
    assert [c.number for c in list_cases()] == [detail.case.number]


def test_preconditions_and_evidence_are_enforced(db_url: str, tmp_path: Path) -> None:
    case_id = _start(tmp_path)
    with pytest.raises(TransitionNotAllowed, match="起草说明"):
        decide(case_id, "提交", proven("drafter1"))
    _file(case_id, "起草说明", "drafter1", tmp_path)
    decide(case_id, "提交", proven("drafter1"))
    _file(case_id, "征求意见采纳情况", "head1", tmp_path)
    with pytest.raises(TransitionNotAllowed, match="市场主体"):
        decide(case_id, "征求意见完成", proven("head1"))  # touches business: market players must be heard
    with pytest.raises(InvalidInput, match="不是行政规范性文件流程记录的事实"):
        decide(case_id, "征求意见完成", proven("head1"), facts={"bogus": "x"})
    short = {**CONSULTATION, "consultation_end": "2026-09-10"}
    # A 9-day consultation of a business document is stopped before review (优化营商环境条例第62条; 37号(六)),
    # not first at 印发 as before (legal review 2026-12, P2).
    with pytest.raises(TransitionNotAllowed, match="不足 30 日"):
        decide(case_id, "征求意见完成", proven("head1"), facts=short)
    decide(case_id, "征求意见完成", proven("head1"), facts={**short, "urgency_reason": "落实上级紧急部署"})
    _file(case_id, "公平竞争审查结论", "fcr1", tmp_path)
    decide(case_id, "符合", proven("fcr1"))
    run_auto_stage(case_id)
    _file(case_id, "审核意见书", "counsel1", tmp_path)
    decide(case_id, "合法", proven("counsel1"))
    _file(case_id, "集体审议记录", "leader1", tmp_path)
    decide(case_id, "通过", proven("leader1"), facts=MEETING)
    _file(case_id, "政策解读材料", "clerk1", tmp_path)
    decide(case_id, "印发", proven("clerk1"), facts=EFFECTIVE)
    with session_scope() as session:
        refused = session.exec(select(AuditEvent).where(AuditEvent.action == "decision.refused")).all()
    assert len(refused) == 4


def test_refused_decisions_change_nothing_and_are_audited(db_url: str, tmp_path: Path) -> None:
    case_id = _start(tmp_path)
    before_entries = _count(StageEntry, case_id=case_id)
    # gone1 proved who they were while active and was deactivated since: the roster as it is now counts
    set_active("gone1", True)
    gone = proven("gone1")
    set_active("gone1", False)
    with pytest.raises(PermissionDenied, match="已停用"):
        authenticate_pin("gone1", TEST_PIN)  # and a deactivated account cannot prove itself any more
    with pytest.raises(TransitionNotAllowed, match="只能由"):
        decide(case_id, "提交", proven("counsel1"))
    with pytest.raises(TransitionNotAllowed, match="不接受决定"):
        decide(case_id, "合法", proven("drafter1"))
    with pytest.raises(PermissionDenied, match="已停用"):
        decide(case_id, "提交", gone)
    with session_scope() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.stage == "drafting"
        refused = session.exec(select(AuditEvent).where(AuditEvent.action == "decision.refused")).all()
    assert len(refused) == 3
    assert {e.actor for e in refused} == {"counsel1", "drafter1", "gone1"}
    assert _count(StageEntry, case_id=case_id) == before_entries
    assert _count(Decision, case_id=case_id) == 0


def test_whoever_submitted_the_version_cannot_approve_its_legality(db_url: str, tmp_path: Path) -> None:
    import_roster(write_roster(tmp_path / "roster.toml"))
    (tmp_path / "more.toml").write_text(
        '[[users]]\nusername = "both1"\nname = "兼任者"\nroles = ["drafter", "legality_reviewer"]\n',
        encoding="utf-8",
    )
    import_roster(tmp_path / "more.toml")
    case = start_case(
        NewCase(
            kind="normative_document",
            title="某办法",
            drafting_unit="预算股",
            drafter="both1",
            draft=build_docx(tmp_path / "v1.docx"),
        ),
        proven("both1"),
    )
    assert case.id is not None
    _file(case.id, "起草说明", "both1", tmp_path)
    decide(case.id, "提交", proven("both1"))
    _file(case.id, "征求意见采纳情况", "both1", tmp_path)
    decide(case.id, "征求意见完成", proven("both1"), facts=CONSULTATION)
    run_auto_stage(case.id)
    _file(case.id, "审核意见书", "counsel1", tmp_path)
    with pytest.raises(PermissionDenied):
        decide(case.id, "合法", proven("both1"))
    decide(case.id, "合法", proven("counsel1"))


def test_findings_are_stored_once_per_version(db_url: str, tmp_path: Path) -> None:
    case_id = _start(tmp_path)
    _to_legality_review(case_id, tmp_path)
    first = _count(Finding, case_id=case_id)
    run_auto_stage(case_id)
    assert _count(Finding, case_id=case_id) == first
    assert _count(AuditEvent, action="prereview.completed") == 1
