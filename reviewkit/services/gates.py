"""Where a case waits for a person, as the flow needs to know it (no Prefect here)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from reviewkit.domain.process_model import StageSpec
from reviewkit.errors import ReviewkitError
from reviewkit.services.case_state import evidence_on_file
from reviewkit.services.documents import decision_records
from reviewkit.services.kernel import definition_of, open_task
from reviewkit.store import audit
from reviewkit.store.db import session_scope
from reviewkit.store.models import AuditEvent, Case, HumanTask


@dataclass(frozen=True)
class Gate:
    case_id: int
    stage: str
    stage_name: str
    round: int
    task_id: int
    decisions: tuple[str, ...]
    key: str
    refused: str = ""  # why the last submission at this gate did not count (shown on the next form)
    # What must be on file to leave the stage, as it stood when the wait began (the form's help); not
    # part of the gate's identity: a material filed while the case waits changes nothing about the wait.
    materials: str = field(default="", compare=False)


def current_gate(case_id: int) -> Gate | None:
    """The open gate of the case, or ``None`` when it is not waiting for a person.

    ``key`` names the suspension: stage, round, and how many times this gate has been woken without
    moving on (a 会签 signature, a refused UI attempt). It is derived from the store, so a re-run flow
    body asks for the same key and receives the input that resumed it.
    """
    with session_scope() as session:
        case = session.get(Case, case_id)
        if case is None or case.status != "open":
            return None
        definition = definition_of(case)
        spec = definition.stage(case.stage)
        task = open_task(session, case) if spec.kind == "human" else None
        if task is None or task.id is None:
            return None
        key = f"{spec.id.replace('_', '-')}-r{case.round}-w{task.wakes}"
        return Gate(
            case_id,
            spec.id,
            spec.name,
            case.round,
            task.id,
            tuple(d.label for d in spec.decisions),
            key,
            _last_refusal(session, task) if task.wakes else "",
            _materials(case, spec, evidence_on_file(session, case)),
        )


def _materials(case: Case, spec: StageSpec, on_file: frozenset[str]) -> str:
    """须有材料：each material the stage requires and where it stands (written by the decision itself,
    on file, or still to be filed with ``reviewkit attach``)."""
    written = decision_records(case, spec.id)
    names = list(dict.fromkeys((*spec.evidence, *(e for d in spec.decisions for e in d.evidence))))
    if not names:
        return ""
    parts = [
        f"{n}（由本决定生成）"
        if n in written and n not in on_file
        else f"{n}（已在案）"
        if n in on_file
        else f"{n}（未在案，须先用 reviewkit attach 提交）"
        for n in names
    ]
    return "离开本环节须有：" + "；".join(parts)


def _last_refusal(session: Session, task: HumanTask) -> str:
    """The reason of the refusal that woke this gate last (its ``gate.rewait`` event), if any."""
    rows = session.exec(
        select(AuditEvent.payload)
        .where(AuditEvent.case_id == task.case_id, AuditEvent.action == "gate.rewait")
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    ).all()
    for raw in rows:
        payload = json.loads(raw)
        if (
            payload.get("task_id") == task.id
            and payload.get("wakes") == task.wakes
            and not payload.get("interrupted")
        ):
            return str(payload.get("reason", ""))
    return ""


def note_wake(task_id: int, reason: str, *, interrupted: bool = False) -> None:
    """The gate was woken without moving on (a refused UI decision): the next wait gets a new key.

    ``interrupted``: nobody submitted anything; the wait was broken on the Prefect side (the run was
    forced out of its suspension) and its key is spent there. The next form says nothing of a refusal."""
    with session_scope(write=True) as session:
        task = session.get(HumanTask, task_id)
        if task is None or task.status != "open":
            return
        task.wakes += 1
        session.add(task)
        audit.append(
            session,
            action="gate.rewait",
            actor="system",
            channel="prefect",
            case_id=task.case_id,
            payload={
                "task_id": task_id,
                "stage": task.stage,
                "round": task.round,
                "wakes": task.wakes,
                "reason": reason,
                **({"interrupted": True} if interrupted else {}),
            },
        )


def gate_labels(case_id: int, stage: str) -> tuple[str, ...]:
    """The decision labels of ``stage`` in the case's definition (empty when unknown)."""
    with session_scope() as session:
        case = session.get(Case, case_id)
        if case is None:
            return ()
        definition = definition_of(case)
        try:
            return tuple(d.label for d in definition.stage(stage).decisions)
        except ReviewkitError:
            return ()


@dataclass(frozen=True)
class RunNeed:
    case_id: int
    number: str
    status: str
    flow_run_id: str | None


def open_cases() -> list[RunNeed]:
    """Open cases, each with the run the store names for it (racing starters of one case get one run:
    ``orchestration.runs.start_run`` asks with the key of the run they saw)."""
    with session_scope() as session:
        rows = session.exec(select(Case).where(Case.status == "open").order_by(col(Case.id))).all()
        return [RunNeed(c.id or 0, c.number, c.status, c.flow_run_id) for c in rows]


def case_for_run(flow_run_id: str) -> RunNeed | None:
    with session_scope() as session:
        c = session.exec(select(Case).where(Case.flow_run_id == flow_run_id)).first()
        return RunNeed(c.id or 0, c.number, c.status, c.flow_run_id) if c else None


def case_by_id(case_id: int) -> RunNeed | None:
    with session_scope() as session:
        c = session.get(Case, case_id)
        return RunNeed(c.id or 0, c.number, c.status, c.flow_run_id) if c else None
