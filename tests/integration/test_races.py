"""Races at a gate: 100 people (threads, each its own connection) decide on the same legality-review
gate at the same instant on PostgreSQL, with conflicting decisions. Exactly one decision is applied;
every other attempt is refused with a Chinese reason, changes nothing and is audited as
``decision.refused``; the audit chain stays one intact chain.

Set ``REVIEWKIT_RACE_N`` to change the number of racers (default 100)."""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from reviewkit.errors import ReviewkitError
from reviewkit.services import audit_trail
from reviewkit.services.workflow import decide
from reviewkit.store.db import session_scope
from reviewkit.store.models import AuditEvent, Case, Decision, HumanTask, StageEntry
from tests.actors import proven
from tests.integration.test_services import _file, _start, _to_legality_review

RACERS = int(os.environ.get("REVIEWKIT_RACE_N", "100"))
DECISIONS = ["合法", "应当予以修改", "不合法"]


def _count(query: object) -> int:
    with session_scope() as session:
        return int(session.exec(query).one())  # type: ignore[call-overload]


@pytest.mark.postgres
def test_conflicting_decisions_on_one_gate_apply_exactly_once(db_url: str, tmp_path: Path) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("the race is about PostgreSQL (SQLite writers queue on BEGIN IMMEDIATE)")
    case_id = _start(tmp_path)
    _to_legality_review(case_id, tmp_path)
    _file(case_id, "审核意见书", "counsel1", tmp_path)
    refused_before = _count(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "decision.refused")
    )
    counsel1 = proven("counsel1")  # one proof, many racers (the same person clicking everywhere at once)
    gate = threading.Barrier(RACERS)

    def attempt(i: int) -> tuple[str, str]:
        decision = DECISIONS[i % len(DECISIONS)]
        gate.wait()
        try:
            result = decide(case_id, decision, counsel1, opinion=f"第{i}号意见")
        except ReviewkitError as err:
            return "refused", f"{type(err).__name__}: {err}"
        return "applied", f"{decision}→{result.to_stage}"

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = list(pool.map(attempt, range(RACERS)))

    applied = [detail for kind, detail in outcomes if kind == "applied"]
    refused = [detail for kind, detail in outcomes if kind == "refused"]
    assert len(applied) == 1, applied
    assert len(refused) == RACERS - 1
    # Each refusal says why in Chinese: the gate is no longer open (or the case has moved on).
    reasons = Counter(detail.split(":", 1)[0] for detail in refused)
    assert set(reasons) <= {"TransitionNotAllowed", "InvalidInput"}, reasons
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in detail) for detail in refused)

    with session_scope() as session:
        decisions = session.exec(
            select(Decision).where(Decision.case_id == case_id, Decision.stage == "legality_review")
        ).all()
        task = session.exec(
            select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.stage == "legality_review")
        ).one()
        case = session.get(Case, case_id)
        open_entries = session.exec(
            select(StageEntry).where(StageEntry.case_id == case_id, col(StageEntry.left_at).is_(None))
        ).all()
        recorded = sum(
            json.loads(e.payload).get("stage") == "legality_review"
            for e in session.exec(
                select(AuditEvent).where(
                    AuditEvent.case_id == case_id, AuditEvent.action == "decision.recorded"
                )
            ).all()
        )
    assert len(decisions) == 1 and task.status == "decided" and recorded == 1
    winner = decisions[0]
    assert applied == [f"{winner.decision}→{case.stage}"]  # type: ignore[union-attr]
    # Exactly one stage is open: the one the winning decision led to (none if it ended the case).
    assert [e.stage for e in open_entries] == ([] if case.status == "closed" else [case.stage])  # type: ignore[union-attr]

    refused_after = _count(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "decision.refused")
    )
    assert refused_after - refused_before == RACERS - 1
    report = audit_trail.verify()
    assert report.broken is None, audit_trail.describe(report)
