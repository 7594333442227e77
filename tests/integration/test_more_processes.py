"""Issue #11 end to end through the services, on SQLite and PostgreSQL: a 行政复议答复 case, an 依申请公开
request with one extension, and a 重大执法决定法制审核 case refused for an expired 执法证. The clock is
frozen per step so the statutory deadlines can be checked against dates computed by hand below."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from sqlmodel import col, select

from reviewkit.errors import TransitionNotAllowed
from reviewkit.services.attachments import attach
from reviewkit.services.cases import NewCase, start_case, submit_version
from reviewkit.services.enforcement import case_officers, list_certificates, set_certificate
from reviewkit.services.roster import import_roster
from reviewkit.services.workflow import decide
from reviewkit.store.db import session_scope
from reviewkit.store.models import AuditEvent, Case, HumanTask, StageEntry
from tests.actors import proven
from tests.builders import build_docx, write_roster

TZ = ZoneInfo("Asia/Shanghai")


class _Clock:
    """Replaces ``datetime`` in the modules that stamp rows and date decisions."""

    today = date(2026, 1, 5)

    def set(self, day: date) -> None:
        _Clock.today = day


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Clock]:
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
            moment = datetime.combine(_Clock.today, time(10, 0), TZ)
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)  # type: ignore[arg-type]

    import reviewkit.services.kernel as kernel
    import reviewkit.store.models as models

    monkeypatch.setattr(models, "datetime", Frozen)
    monkeypatch.setattr(kernel, "datetime", Frozen)  # local_today()
    yield _Clock()


def _roster(tmp_path: Path) -> None:
    import_roster(write_roster(tmp_path / "roster.toml"))
    (tmp_path / "officers.toml").write_text(
        '[[users]]\nusername = "officer1"\nname = "执法员甲"\nroles = ["drafter"]\n\n'
        '[[users]]\nusername = "officer2"\nname = "执法员乙"\nroles = ["drafter"]\n',
        encoding="utf-8",
    )
    import_roster(tmp_path / "officers.toml")


def _file(case_id: int, name: str, user: str, tmp_path: Path) -> None:
    attach(
        case_id,
        name,
        build_docx(tmp_path / f"{name}.docx", title=name, articles=[f"{name}正文。"]),
        proven(user),
    )


def _due(case_id: int) -> date | None:
    with session_scope() as session:
        case = session.get(Case, case_id)
        assert case is not None
        task = session.exec(
            select(HumanTask).where(
                HumanTask.case_id == case_id, HumanTask.stage == case.stage, HumanTask.round == case.round
            )
        ).one()
        return task.due_on


def _stage(case_id: int) -> str:
    with session_scope() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.stage


def test_reconsideration_reply_within_ten_working_days(db_url: str, tmp_path: Path, clock: _Clock) -> None:
    _roster(tmp_path)
    # By hand: the copy of the application is received on Thu 2026-09-24. Ten *working* days (行政复议法
    # 第48条, 第88条) counted from the next day: 9-25 is 中秋 (holiday), 9-26/27 weekend, 9-28 (1), 9-29 (2),
    # 9-30 (3), 10-1..10-7 国庆, 10-8 (4), 10-9 (5), Sat 10-10 make-up working day (6), 10-12 (7), 10-13 (8),
    # 10-14 (9), 10-15 (10) → due 2026-10-15 (a calendar-day reading would give 10-04 → 10-08).
    reply_due = date(2026, 10, 15)
    clock.set(date(2026, 9, 24))
    case = start_case(
        NewCase(
            kind="administrative_reconsideration",
            title="关于张某不服某财罚决字〔2026〕3号处罚决定的行政复议答复书",
            drafting_unit="监督检查股",
            drafter="drafter1",
            draft=build_docx(tmp_path / "reply1.docx", title="答复书"),
            facts={
                "applicant": "张某",
                "concerned_act": "某财罚决字〔2026〕3号行政处罚决定书",
                "reconsideration_body": "某县人民政府",
            },
        ),
        proven("drafter1"),
    )
    assert case.id is not None
    cid = case.id
    assert _due(cid) == reply_due
    for name in ("行政复议申请书副本", "证据材料", "作出行政行为的依据"):
        _file(cid, name, "drafter1", tmp_path)
    decide(cid, "送审", proven("drafter1"))
    clock.set(date(2026, 9, 28))
    _file(cid, "答复书审查意见", "counsel1", tmp_path)
    decide(cid, "应当予以修改", proven("counsel1"), opinion="证据目录未列明送达回证")
    assert (_stage(cid), _due(cid)) == ("reply_drafting", reply_due)  # round 2, same statutory limit
    submit_version(cid, build_docx(tmp_path / "reply2.docx", title="答复书（修改稿）"), proven("drafter1"))
    clock.set(date(2026, 9, 29))
    decide(cid, "送审", proven("drafter1"))
    clock.set(date(2026, 9, 30))
    decide(cid, "合法", proven("counsel1"))
    assert (_stage(cid), _due(cid)) == ("reply_approval", reply_due)
    clock.set(date(2026, 10, 8))
    decide(cid, "批准", proven("leader1"))
    assert (_stage(cid), _due(cid)) == ("reply_submission", reply_due)

    from reviewkit.services.overdue import open_items

    late = [i for i in open_items(date(2026, 10, 16)) if i.case_id == cid]
    assert [(i.stage, i.status, i.due_on) for i in late] == [("reply_submission", "overdue", "2026-10-15")]

    clock.set(date(2026, 10, 9))
    with pytest.raises(TransitionNotAllowed, match="提交回执"):
        decide(cid, "已提交", proven("clerk1"))
    _file(cid, "提交回执", "clerk1", tmp_path)
    decide(cid, "已提交", proven("clerk1"))
    assert _stage(cid) == "awaiting_decision"

    # The outcome, fed back to the act it concerned. By hand: decision received Tue 2026-10-20; 60 calendar
    # days → 10-20 + 11 = 10-31, + 30 = 11-30, + 19 = Sat 12-19 → next working day Mon 2026-12-21.
    clock.set(date(2026, 10, 20))
    _file(cid, "行政复议决定书", "counsel1", tmp_path)
    with pytest.raises(TransitionNotAllowed, match="PRE-RC-DOC"):
        decide(cid, "撤销", proven("counsel1"))
    decide(cid, "撤销", proven("counsel1"), facts={"decision_document": "某政复决字〔2026〕12号"})
    assert (_stage(cid), _due(cid)) == ("rectification", date(2026, 12, 21))
    clock.set(date(2026, 11, 16))
    _file(cid, "整改情况报告", "head1", tmp_path)
    with pytest.raises(TransitionNotAllowed, match="PRE-RC-FEEDBACK"):
        decide(cid, "已纠正并反馈", proven("head1"))
    decide(cid, "已纠正并反馈", proven("head1"), facts={"rectification_note": "已撤销原处罚决定并重新调查"})

    from reviewkit.services.case_state import build_state

    with session_scope() as session:
        row = session.get(Case, cid)
        assert row is not None and row.status == "closed"
        state = build_state(session, row)
        assert state.events is not None
        assert state.events["outcome_revoked"].on == date(2026, 10, 20)
        assert state.events["fed_back"].on == date(2026, 11, 16)
        assert row.facts["concerned_act"] == "某财罚决字〔2026〕3号行政处罚决定书"
        dues = {e.stage: e.due_on for e in session.exec(select(StageEntry).where(StageEntry.case_id == cid))}
    assert {dues[s] for s in ("reply_drafting", "reply_review", "reply_approval", "reply_submission")} == {
        reply_due
    }


def test_information_disclosure_with_one_extension(db_url: str, tmp_path: Path, clock: _Clock) -> None:
    _roster(tmp_path)
    # By hand (政府信息公开条例第33条): received Mon 2026-09-14. 20 working days from 9-15: 9-15..9-18 (4),
    # Sun 9-20 make-up working day (5), 9-21..9-24 (9), 9-25 中秋, 9-28..9-30 (12), 10-1..10-7 国庆,
    # 10-8, 10-9 (14), Sat 10-10 (15), 10-12..10-16 (20) → due 2026-10-16.
    # Extended once by 20 working days: 10-19..10-23 (5), 10-26..10-30 (10), 11-2..11-6 (15),
    # 11-9..11-13 (20) → due 2026-11-13.
    first_due, extended_due = date(2026, 10, 16), date(2026, 11, 13)
    clock.set(date(2026, 9, 14))
    case = start_case(
        NewCase(
            kind="information_disclosure",
            title="李某申请公开2025年度专项资金分配明细",
            drafting_unit="预算股",
            drafter="drafter1",
            draft=build_docx(tmp_path / "request.docx", title="政府信息公开申请表"),
            facts={"applicant": "李某", "requested_info": "2025年度农村综合改革专项资金分配明细"},
        ),
        proven("drafter1"),
    )
    assert case.id is not None
    cid = case.id
    assert (_stage(cid), _due(cid)) == ("answering", first_due)

    clock.set(date(2026, 10, 12))
    with pytest.raises(TransitionNotAllowed, match="PRE-OD-EXT-REASON"):
        decide(cid, "申请延期", proven("drafter1"))
    decide(
        cid,
        "申请延期",
        proven("drafter1"),
        facts={"extension_reason": "涉及第三方权益，需书面征求第三方意见"},
    )
    assert (_stage(cid), _due(cid)) == ("extension_approval", first_due)
    with pytest.raises(TransitionNotAllowed, match="延期答复告知书"):
        decide(cid, "同意延期", proven("odhead1"))
    _file(cid, "延期答复告知书", "odhead1", tmp_path)
    with pytest.raises(
        TransitionNotAllowed, match="只能由政府信息公开工作机构负责人"
    ):  # 条例第33条第2款 (P15)
        decide(cid, "同意延期", proven("leader1"))
    decide(cid, "同意延期", proven("odhead1"))
    assert (_stage(cid), _due(cid)) == ("answering_ext", extended_due)
    with pytest.raises(TransitionNotAllowed, match="不接受决定"):
        decide(cid, "申请延期", proven("drafter1"))  # extendable once only

    clock.set(date(2026, 11, 2))
    with pytest.raises(TransitionNotAllowed, match="PRE-OD-EXEMPTION"):
        decide(cid, "部分公开", proven("drafter1"))  # the exemption must be cited
    exemption = "其中涉及个人隐私的内容，依据政府信息公开条例第十五条不予公开"
    decide(cid, "部分公开", proven("drafter1"), facts={"exemption": exemption})
    assert (_stage(cid), _due(cid)) == ("disclosure_check_ext", extended_due)
    clock.set(date(2026, 11, 4))
    decide(cid, "同意", proven("counsel1"), opinion="理由和依据充分，区分处理得当")
    assert (_stage(cid), _due(cid)) == ("delivery_ext", extended_due)

    from reviewkit.services.documents import read_material

    row, data = read_material(cid, "政府信息公开申请答复书")
    assert row.generated
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    text += "\n".join(c.text for t in Document(io.BytesIO(data)).tables for r in t.rows for c in r.cells)
    for expected in (
        "李某：",
        "2026年9月14日",
        "2026年11月13日",
        exemption,
        "部分公开",
        "延长20个工作日",
        "某县财政局",
        "2026年11月4日",
        # P16: the refused part is 复议前置 (行政复议法 第二十三条第一款第（四）项、第二款)
        "对本答复中不予公开的部分不服",
        "第二十三条第一款第（四）项、第二款",
        "应当先",
    ):
        assert expected in text, expected
    clock.set(date(2026, 11, 5))
    decide(cid, "已答复", proven("clerk1"))  # the generated letter is the stage's required material
    with session_scope() as session:
        closed = session.get(Case, cid)
        assert closed is not None and (closed.stage, closed.status) == ("answered", "closed")
        stages = [
            e.stage
            for e in session.exec(
                select(StageEntry).where(StageEntry.case_id == cid).order_by(col(StageEntry.id))
            )
        ]
    assert stages == [
        "answering",
        "extension_approval",
        "answering_ext",
        "disclosure_check_ext",
        "delivery_ext",
        "answered",
    ]


def test_enforcement_review_refused_for_an_expired_certificate(
    db_url: str, tmp_path: Path, clock: _Clock
) -> None:
    _roster(tmp_path)
    set_certificate("officer1", "44000120001", ["财政监督"], date(2026, 9, 30), by=None)
    set_certificate("officer2", "44000120002", ["财政监督", "会计监督"], date(2026, 10, 12), by=None)
    clock.set(date(2026, 10, 9))

    def new(officers: tuple[str, ...], field: str = "财政监督") -> NewCase:
        return NewCase(
            kind="enforcement_review",
            title="对某公司违反财经纪律行为拟处罚款20万元",
            drafting_unit="监督检查股",
            drafter="drafter1",
            draft=build_docx(tmp_path / "decision.docx", title="行政处罚决定书（草稿）"),
            officers=officers,
            facts={"enforcement_field": field},
        )

    with pytest.raises(
        TransitionNotAllowed, match=r"执法员甲（officer1）的执法证（44000120001）已于2026年9月30日过期"
    ):
        start_case(new(("officer1", "officer2")), proven("drafter1"))
    with pytest.raises(TransitionNotAllowed, match="不含“政府采购监督”"):
        start_case(new(("officer2", "officer1"), "政府采购监督"), proven("drafter1"))
    with pytest.raises(TransitionNotAllowed, match="不足2人"):
        start_case(new(("officer2",)), proven("drafter1"))
    assert [r.username for r in list_certificates(date(2026, 10, 9), expiring_within=30)] == [
        "officer1",
        "officer2",
    ]
    with session_scope() as session:
        refused = session.exec(select(AuditEvent).where(AuditEvent.action == "case.refused")).all()
        assert len(refused) == 3 and "已于2026年9月30日过期" in refused[0].payload
        assert {e.actor for e in refused} == {
            "drafter1"
        }  # the drafter proved who they are: refused in their name
        assert session.exec(select(Case)).first() is None

    set_certificate("officer1", "44000120001", ["财政监督"], date(2028, 12, 31), by=None)  # renewed
    case = start_case(new(("officer1", "officer2")), proven("drafter1"))
    assert case.id is not None
    cid = case.id
    assert [(o["username"], o["certificate_expires_on"]) for o in case_officers(cid)] == [
        ("officer1", "2028-12-31"),
        ("officer2", "2026-10-12"),
    ]
    for name in ("调查终结报告", "拟作出的执法决定", "证据材料", "执法依据"):
        _file(cid, name, "drafter1", tmp_path)
    decide(cid, "送审", proven("drafter1"))
    # By hand: entered 法制审核 on Fri 2026-10-09; 5 working days: Sat 10-10 make-up day (1), 10-12 (2),
    # 10-13 (3), 10-14 (4), 10-15 (5) → due 2026-10-15.
    assert (_stage(cid), _due(cid)) == ("legal_review", date(2026, 10, 15))

    clock.set(date(2026, 10, 13))  # officer2's certificate expired yesterday, while the case waited
    _file(cid, "法制审核意见书", "counsel1", tmp_path)
    with pytest.raises(
        TransitionNotAllowed, match=r"执法员乙（officer2）的执法证（44000120002）已于2026年10月12日过期"
    ):
        decide(cid, "同意", proven("counsel1"))
    decide(
        cid, "存在问题，退回修改", proven("counsel1"), opinion="承办人员执法证过期，请更换或换证后重新送审"
    )
    set_certificate("officer2", "44000120002", ["财政监督", "会计监督"], date(2029, 6, 30), by=None)
    decide(cid, "重新送审", proven("drafter1"))
    decide(cid, "同意", proven("counsel1"))
    assert _stage(cid) == "head_decision"  # 集体讨论 skipped: not flagged complex
    clock.set(date(2026, 10, 14))
    decide(cid, "作出决定", proven("leader1"))
    # By hand: 7 working days from the decision on Wed 10-14: 10-15 (1), 10-16 (2), 10-19..10-23 (7) → 2026-10-23.
    assert (_stage(cid), _due(cid)) == ("disclosure", date(2026, 10, 23))
    decide(cid, "已公示", proven("clerk1"))
    with session_scope() as session:
        refusals = session.exec(
            select(AuditEvent).where(AuditEvent.action == "decision.refused", AuditEvent.case_id == cid)
        ).all()
        assert len(refusals) == 1 and "2026年10月12日过期" in refusals[0].payload
        closed = session.get(Case, cid)
        assert closed is not None and closed.status == "closed"

    from reviewkit.services.report import period_report

    report = period_report(date(2026, 7, 1), date(2026, 12, 31))
    assert report.figures["certified_officers"] == 2
    assert any("持有效执法证的行政执法人员2人" in line for line in report.text)
    set_certificate("officer2", "44000120002", ["财政监督"], date(2026, 11, 30), by=None)
    assert period_report(date(2026, 7, 1), date(2026, 12, 31)).figures["certified_officers"] == 1
