"""A decision whose facts are malformed is a refused decision: nothing changes, and the refusal, with
the lines as typed, is in the audit trail (the CLI's ``--fact`` and the Resume form share the reader)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from reviewkit.errors import InvalidInput
from reviewkit.services.workflow import decide
from reviewkit.store.db import session_scope
from reviewkit.store.models import AuditEvent, Case
from tests.integration.test_services import _file, _start


def test_malformed_fact_lines_refuse_the_decision_and_are_audited(db_url: str, tmp_path: Path) -> None:
    case_id = _start(tmp_path)
    _file(case_id, "起草说明", "drafter1", tmp_path)
    decide(case_id, "提交", "drafter1")
    _file(case_id, "征求意见采纳情况", "head1", tmp_path)
    typed = ["consultation_start=2026-09-01", "consultation_end 2026-10-09"]
    with pytest.raises(InvalidInput, match="名称=值"):
        decide(case_id, "征求意见完成", "head1", channel="prefect-ui", fact_lines=typed)
    with session_scope() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.stage == "consultation"
        refused = session.exec(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                        AuditEvent.action == "decision.refused")
                               .order_by(col(AuditEvent.id))).all()
    assert len(refused) == 1 and refused[0].channel == "prefect-ui" and refused[0].actor == "head1"
    payload = json.loads(refused[0].payload)
    assert payload["fact_lines"] == typed and "consultation_end 2026-10-09" in payload["reason"]
    # typed right, the same decision goes through
    result = decide(case_id, "征求意见完成", "head1", fact_lines=[
        "consultation_start=2026-09-01", "consultation_end=2026-10-09",
        "market_players_consulted=书面征求5家企业意见"])
    assert result.from_stage == "consultation"
