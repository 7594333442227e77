"""``review_case``: one flow run per case, one task per stage, human gates as durable waits.

The reviewkit database is the truth. The flow body only ever asks the store where the case stands and
does the next thing; so when a resumed run re-executes the body from the top, finished stages are
simply not there any more and nothing happens twice.

The deployment's run form also registers a new case (``intake``): the same validation as
``reviewkit case new``, proved by the drafter's one-time intake code; a re-run finds the case already
attached to this flow run instead of registering it again.

Every parameter of a served flow is open to whoever reaches the Prefect port, so nothing here changes
trust: no demo switch, no name taken at face value (the demo drives its case with ``flows.demo``,
which is never served).
"""

from __future__ import annotations

from collections.abc import Callable

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run

from flows import failpoints
from flows.gates import wait_for_decision
from flows.intake import CaseIntake, register_intake
from flows.lease import CaseLease
from flows.progress import publish_progress
from reviewkit.services import cases, gates, kernel, queries, workflow
from reviewkit.store.db import session_scope

MAX_STEPS = 200


def _run_name() -> str:
    params = flow_run.parameters
    case_id = params.get("case_id")
    if case_id is None:
        intake = params.get("intake") or {}
        title = intake.get("title") if isinstance(intake, dict) else getattr(intake, "title", "")
        return f"送审登记 {title}"
    with session_scope() as session:
        case = kernel.get_case(session, int(case_id))
        return f"{case.number} {case.title}"


@task(name="自动环节", task_run_name="{stage_name}", retries=2, retry_delay_seconds=2)
def automatic_stage(case_id: int, stage_name: str) -> str | None:
    return workflow.run_auto_stage(case_id)


def wait_at_gate(case_id: int) -> None:
    """Show where the case stands (and why the last Resume did not count), then wait for the decision."""
    gate = gates.current_gate(case_id)
    publish_progress(case_id, gate.refused if gate else "")
    wait_for_decision(case_id)


@flow(name="review_case", flow_run_name=_run_name, persist_result=False)
def review_case(case_id: int | None = None, intake: CaseIntake | None = None) -> str:
    """审核案件流程：按案件的流程定义逐个环节推进；人工环节等待决定（reviewkit decide、工作台，或本页 Resume 表单）。

    Args:
        case_id: 已登记案件的 id（由 reviewkit 启动时填写）
        intake: 在界面登记新案件时填写：送审稿须先放入收件目录，并填写起草人的一次性送审登记码
    """
    run_id = str(flow_run.id) if flow_run.id else None
    if case_id is None:
        case_id = register_intake(intake, run_id)
    if not run_id:  # called as a plain function (tests without a server): no lease to keep
        return drive(case_id, wait_at_gate)
    with CaseLease(case_id, run_id) as lease:
        if lease.held_by is not None:
            if lease.held_by.flow_run_id == run_id:
                # Another process of this very run carries the case (a reschedule raced its start):
                # leave without a word to Prefect, whose state for the run is that process's.
                lease.abandon()
            # Another live run carries the case (a duplicate run): leave it alone.
            get_run_logger().warning(
                f"案件 {case_id} 正由流程运行 {lease.held_by.flow_run_id}（{lease.held_by.holder}）"
                f"办理，本运行不再处理"
            )
            return "duplicate"
        cases.attach_flow_run(case_id, run_id)
        return drive(case_id, wait_at_gate)


def drive(case_id: int, at_gate: Callable[[int], object]) -> str:
    """Carry the case to its end: automatic stages run here, a human gate is handed to ``at_gate``."""
    for _ in range(MAX_STEPS):
        summary = queries.case_detail(case_id).case
        failpoints.hit(f"enter:{summary.stage}:r{summary.round}")
        if summary.status != "open":
            publish_progress(case_id)
            return summary.stage
        if workflow.stage_kind(case_id) == "auto":
            automatic_stage(case_id, summary.stage_name)
        else:
            at_gate(case_id)
    raise RuntimeError(f"案件 {case_id} 超过 {MAX_STEPS} 步仍未结束")
