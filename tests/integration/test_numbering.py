"""统一编号: gap-free per 机关代字 and year, in the publication's transaction, voided numbers recorded and
never reused; 50 parallel publications on PostgreSQL get 50 distinct consecutive numbers."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from reviewkit.errors import InvalidInput, PermissionDenied
from reviewkit.services import numbering
from reviewkit.services.actors import SYSTEM_ACTOR
from reviewkit.services.attachments import attach
from reviewkit.services.cases import NewCase, start_case
from reviewkit.services.roster import import_roster
from reviewkit.services.workflow import decide, run_auto_stage
from reviewkit.store.db import session_scope
from reviewkit.store.models import AuditEvent, Case, IssuedNumber, NumberSequence
from tests.actors import proven
from tests.builders import build_docx, write_roster

CONSULTATION = {
    "consultation_start": "2026-09-01",
    "consultation_end": "2026-10-09",
    "legal_basis": "《中华人民共和国政府采购法》第十三条",
}  # 送审材料: 制定依据 (37号 三(六))


def _new_case(draft: Path, title: str = "某县财政专项资金管理办法") -> int:
    case = start_case(
        NewCase(
            kind="normative_document", title=title, drafting_unit="预算股", drafter="drafter1", draft=draft
        ),
        proven("drafter1"),
    )
    assert case.id is not None
    return case.id


def _to_publication(case_id: int, material: Path) -> None:
    attach(case_id, "起草说明", material, proven("drafter1"))
    decide(case_id, "提交", proven("drafter1"))
    attach(case_id, "征求意见采纳情况", material, proven("head1"))
    decide(case_id, "征求意见完成", proven("head1"), facts=CONSULTATION)
    assert run_auto_stage(case_id) == "legality_review"
    attach(case_id, "审核意见书", material, proven("counsel1"))
    decide(case_id, "合法", proven("counsel1"))
    attach(case_id, "集体审议记录", material, proven("leader1"))
    decide(
        case_id,
        "通过",
        proven("leader1"),
        facts={"meeting": "局务会议", "attendees": "局长、副局长、法规股", "dissent": "无"},
    )
    attach(case_id, "政策解读材料", material, proven("clerk1"))  # 政策解读 with publication (P9)


def _assign(case_id: int, on: date, code: str | None = None) -> str:
    with session_scope(write=True) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return numbering.assign(session, case, SYSTEM_ACTOR, on=on, issuer_code=code).number


@pytest.fixture
def setup(db_url: str, tmp_path: Path) -> tuple[Path, Path]:
    import_roster(write_roster(tmp_path / "roster.toml"))
    return build_docx(tmp_path / "v1.docx"), build_docx(
        tmp_path / "材料.docx", title="材料", articles=["材料正文。"]
    )


def test_numbers_per_issuer_and_year_without_gaps_or_padding(setup: tuple[Path, Path]) -> None:
    draft, _ = setup
    ids = [_new_case(draft) for _ in range(4)]
    on = date(2026, 12, 30)
    assert [_assign(ids[0], on), _assign(ids[1], on)] == ["某财规〔2026〕1号", "某财规〔2026〕2号"]
    assert _assign(ids[2], date(2027, 1, 4)) == "某财规〔2027〕1号"  # a new year starts again at 1
    assert _assign(ids[3], on, "某财办规") == "某财办规〔2026〕1号"  # another issuing body, its own sequence
    for number in ("某财规〔2026〕1号", "某财规〔2027〕1号", "某财办规〔2026〕1号"):
        assert numbering.NUMBER_PATTERN.match(number)
    with pytest.raises(InvalidInput, match="机关代字"):
        _assign(ids[3], on, "某财[规]")


def test_a_rolled_back_publication_leaves_no_gap(setup: tuple[Path, Path]) -> None:
    draft, _ = setup
    first, second = _new_case(draft), _new_case(draft)
    with pytest.raises(RuntimeError):
        with session_scope(write=True) as session:
            case = session.get(Case, first)
            assert case is not None
            numbering.assign(session, case, SYSTEM_ACTOR, on=date(2026, 12, 1))
            raise RuntimeError("the stage move failed after the number was taken")
    assert _assign(second, date(2026, 12, 1)) == "某财规〔2026〕1号"
    with session_scope() as session:
        assert session.get(Case, first).doc_number is None  # type: ignore[union-attr]


def test_voided_numbers_are_recorded_and_never_reused(setup: tuple[Path, Path]) -> None:
    draft, _ = setup
    a, b, c = _new_case(draft), _new_case(draft), _new_case(draft)
    on = date(2026, 12, 1)
    _assign(a, on)
    _assign(b, on)
    with pytest.raises(PermissionDenied):
        numbering.void("某财规〔2026〕2号", "印错", proven("drafter1"))
    with pytest.raises(InvalidInput, match="理由"):
        numbering.void("某财规〔2026〕2号", " ", proven("clerk1"))
    voided = numbering.void("某财规〔2026〕2号", "印发稿文号印错，收回重印", proven("clerk1"))
    assert voided.status == "voided"
    with session_scope() as session:
        assert session.get(Case, b).doc_number is None  # type: ignore[union-attr]
    assert _assign(c, on) == "某财规〔2026〕3号"  # 2 is never given out again
    numbering.void("某财规〔2026〕1号", "撤回重发", proven("clerk1"), reissue=True)
    with session_scope() as session:
        assert session.get(Case, a).doc_number == "某财规〔2026〕4号"  # type: ignore[union-attr]
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert actions.count("number.voided") == 2 and actions.count("number.refused") == 2
    rows = numbering.register(year=2026)
    assert [(r.serial, r.status) for r in rows] == [
        (1, "voided"),
        (2, "voided"),
        (3, "assigned"),
        (4, "assigned"),
    ]
    assert rows[1].voided_reason == "印发稿文号印错，收回重印" and rows[1].voided_by == "clerk1"
    with pytest.raises(InvalidInput, match="已于"):
        numbering.void("某财规〔2026〕2号", "再作废", proven("clerk1"))


def test_parallel_assignments_are_distinct_and_consecutive(setup: tuple[Path, Path]) -> None:
    draft, _ = setup
    ids = [_new_case(draft) for _ in range(12)]
    gate = threading.Barrier(len(ids))

    def take(case_id: int) -> str:
        gate.wait()
        return _assign(case_id, date(2026, 12, 1))

    with ThreadPoolExecutor(len(ids)) as pool:
        numbers = list(pool.map(take, ids))
    assert sorted(int(n.split("〕")[1].removesuffix("号")) for n in numbers) == list(range(1, 13))


@pytest.mark.postgres
def test_fifty_parallel_publications_get_fifty_consecutive_numbers(
    setup: tuple[Path, Path], db_url: str
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("the concurrency claim is about PostgreSQL (SQLite writers queue on BEGIN IMMEDIATE)")
    draft, material = setup
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda i: _new_case(draft, f"某县专项办法{i}"), range(50)))
        list(pool.map(lambda case_id: _to_publication(case_id, material), ids))
    gate = threading.Barrier(len(ids))

    def publish(case_id: int) -> str:
        gate.wait()
        return decide(case_id, "印发", proven("clerk1"), facts={"effective_date": "2099-01-01"}).to_stage

    with ThreadPoolExecutor(len(ids)) as pool:
        assert set(pool.map(publish, ids)) == {"filing"}
    with session_scope() as session:
        numbers = [c.doc_number for c in session.exec(select(Case)).all()]
        issued = session.exec(select(IssuedNumber)).all()
        counter = session.exec(select(NumberSequence)).one()
    year = int(numbers[0].split("〔")[1][:4])  # type: ignore[union-attr]
    assert sorted(numbers) == sorted(f"某财规〔{year}〕{n}号" for n in range(1, 51))  # type: ignore[type-var]
    assert sorted(n.serial for n in issued) == list(range(1, 51)) and counter.last_serial == 50
    assert {n.case_id for n in issued} == set(ids)
