"""Human gates as durable waits: ``suspend_flow_run`` with a typed, default-free RunInput.

The store is the truth. A decision made on the command line is applied by the service first, then the
run is resumed (the input it sends is ignored: the flow sees the case has moved on). A decision typed
into the Prefect UI's Resume form is applied here, through the same service, and counts only when the
one-time approval code proves who acted (``reviewkit inbox`` issues it after a PIN check; only its
salted hash is stored, and once used it is worthless). A refused UI decision is audited and the gate
waits again under a new key.
"""

from __future__ import annotations

from typing import Literal

from prefect import get_run_logger
from prefect.flow_runs import suspend_flow_run
from prefect.input import RunInput
from pydantic import Field, create_model

from flows import failpoints
from reviewkit.errors import ReviewkitError
from reviewkit.services import gates, workflow
from reviewkit.services.actors import CodeClaim
from reviewkit.services.facts import split_form_text


def gate_input_model(
    stage_name: str, labels: tuple[str, ...], refused: str = "", materials: str = ""
) -> type[RunInput]:
    """The Resume form of one gate: Chinese titles, a drop-down of the stage's decisions, no defaults.
    After a refused submission the form says first that it did not count, and why: Prefect shows its
    green "Flow run resumed" whatever reviewkit decides, so the form is where the person looks next."""
    decision_type = Literal[labels]  # type: ignore[valid-type]
    notice = f"【上一次提交未生效：{refused}】" if refused else ""
    model = create_model(
        "审批意见",
        __base__=RunInput,
        decision=(decision_type, Field(title="决定", description=f"{notice}{stage_name}的决定")),
        user_name=(
            str,
            Field(title="用户名", description="您在 reviewkit 名册中的用户名", min_length=1, pattern=r"\S"),
        ),
        code=(
            str,
            Field(
                title="一次性验证码",
                description="reviewkit inbox --as 您的用户名 签发，仅本环节一次有效",
                min_length=4,
                pattern=r"\S",
            ),
        ),
        opinion=(str, Field(title="意见", description="写入审核记录的意见全文", min_length=1, pattern=r"\S")),
        facts=(
            str | None,
            Field(
                default=None,
                title="记录事实（可选）",
                description="随决定记录的事实，每行一项，如 consultation_start=2026-10-01",
            ),
        ),
    )
    # Prefect stores the schema without the model's docstring; the Resume dialog shows this text
    # (saved under the gate's ``-description`` key) above the form.
    model._description = (f"**{notice}**\n\n" if notice else "") + (
        f"{stage_name}：请选择决定、填写意见，并输入 reviewkit inbox 签发的一次性验证码。"
        + (f"\n\n{materials}" if materials else "")
    )
    return model


def _spent_without_answer(key: str) -> str:
    """Why this run cannot wait under ``key`` again, or ``""``.

    Prefect remembers every pause key a run has suspended under, and a second suspension under a key
    that has fired is refused: the run is taken to have been resumed and gets the stored answer. A run
    forced out of its suspension on the Prefect side (set to RUNNING, PENDING or SCHEDULED through the
    API, then rescheduled by reviewkit) has no answer under that key; the gate must wait under a new one."""
    from prefect import get_client
    from prefect.input.actions import read_flow_run_input
    from prefect.runtime import flow_run

    if not flow_run.id:
        return ""
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run.id)
        if key not in (run.empirical_policy.pause_keys or set()):
            return ""
        if read_flow_run_input(f"suspended-{key}-response", flow_run_id=run.id) is not None:
            return ""  # resumed with an answer: suspend_flow_run hands it back
        history = sorted(client.read_flow_run_states(run.id), key=lambda s: s.timestamp)
    left = [
        b
        for a, b in zip(history, history[1:], strict=False)
        if a.type.value == "PAUSED" and a.state_details.pause_key == key
    ]
    how = left[-1].type.value if left else "?"
    return f"等待“{key}”在 Prefect 中未经 Resume 即被解除（改为 {how}），没有收到决定，重新等待"


def wait_for_decision(case_id: int) -> None:
    """Suspend until the case's current gate is decided; returns when the case has moved on or a UI
    decision was processed (accepted or refused). The caller loops and asks the store again."""
    gate = gates.current_gate(case_id)
    if gate is None:
        return
    broken = _spent_without_answer(gate.key)
    if broken:
        # Suspending again under this key would be refused by the server ("already fired") and Prefect
        # would build the form from an empty answer (a pydantic ValidationError that fails the run).
        gates.note_wake(gate.task_id, broken, interrupted=True)
        get_run_logger().warning(f"{gate.stage_name}：{broken}")
        return
    model = gate_input_model(gate.stage_name, gate.decisions, gate.refused, gate.materials)
    # timeout=None: the server never expires the wait. Any number would fail the run on expiry
    # ("The flow was paused and never resumed"); lateness is reviewkit's business (deadlines, overdue).
    received = suspend_flow_run(wait_for_input=model, key=gate.key, timeout=None)
    failpoints.hit(f"resumed:{gate.key}")
    if gates.current_gate(case_id) != gate:
        return  # decided through the CLI or the API while we waited: nothing to apply here
    data = received.model_dump() if hasattr(received, "model_dump") else dict(received)
    claim = CodeClaim(str(data["user_name"]).strip(), str(data["code"]).strip(), channel="prefect-ui")
    try:
        workflow.decide(
            case_id,
            str(data["decision"]),
            claim,
            opinion=str(data["opinion"]),
            fact_lines=split_form_text(data.get("facts")),
        )
    except ReviewkitError as err:
        # Refused and audited by the service; the gate waits again under a new key, and the person is
        # told where they look: the run's log, the case artifact and the next Resume form.
        gates.note_wake(gate.task_id, str(err))
        get_run_logger().warning(f"{gate.stage_name}：界面提交的决定未生效——{err}")
