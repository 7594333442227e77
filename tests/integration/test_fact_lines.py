"""A decision whose facts are malformed is a refused decision: nothing changes, and the refusal, with
the lines as typed, is in the audit trail (the CLI's ``--fact`` and the Resume form share the reader)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from reviewkit.errors import InvalidInput
from reviewkit.services.actors import UNPROVEN, CodeClaim
from reviewkit.services.identity import issue_approval_code
from reviewkit.services.workflow import decide
from reviewkit.store.db import session_scope
from reviewkit.store.models import AuditEvent, Case
from tests.actors import proven
from tests.integration.test_services import _file, _start


def test_malformed_fact_lines_refuse_the_decision_and_are_audited(db_url: str, tmp_path: Path) -> None:
    case_id = _start(tmp_path)
    _file(case_id, "起草说明", "drafter1", tmp_path)
    decide(case_id, "提交", proven("drafter1"))
    _file(case_id, "征求意见采纳情况", "head1", tmp_path)
    typed = ["consultation_start=2026-09-01", "consultation_end 2026-10-09"]
    # From the Resume form: the person's one-time code with the lines as typed
    code = issue_approval_code(proven("head1"), case_id, "consultation", 1)
    with pytest.raises(InvalidInput, match="名称=值"):
        decide(case_id, "征求意见完成", CodeClaim("head1", code), fact_lines=typed)
    # and on the CLI, after a PIN
    with pytest.raises(InvalidInput, match="名称=值"):
        decide(case_id, "征求意见完成", proven("head1"), fact_lines=typed[1:])
    with session_scope() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.stage == "consultation"
        refused = session.exec(
            select(AuditEvent)
            .where(AuditEvent.case_id == case_id, AuditEvent.action == "decision.refused")
            .order_by(col(AuditEvent.id))
        ).all()
    assert len(refused) == 2
    form, cli = refused
    # The form's lines were refused before its code was checked: nobody was proved, so the refusal is a
    # claim, never in head1's name.
    assert (form.channel, form.actor) == ("prefect-ui", UNPROVEN)
    assert code not in form.payload  # a live one-time code is never written to the audit trail
    payload = json.loads(form.payload)
    assert payload["claimed_user"] == "head1"
    assert payload["fact_lines"] == typed and "consultation_end 2026-10-09" in payload["reason"]
    assert (cli.channel, cli.actor) == ("cli", "head1")  # proved with a PIN: refused in their name
    assert json.loads(cli.payload)["fact_lines"] == typed[1:]
    # typed right, the same decision goes through, with the same code (the refusal did not spend it)
    result = decide(
        case_id,
        "征求意见完成",
        CodeClaim("head1", code),
        fact_lines=[
            "consultation_start=2026-09-01",
            "consultation_end=2026-10-09",
            "market_players_consulted=书面征求5家企业意见",
        ],
    )
    assert (result.from_stage, result.actor) == ("consultation", "head1")
