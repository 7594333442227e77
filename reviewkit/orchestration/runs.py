"""Flow runs of cases: start them, wake them after a decision, reconcile them with the store.

The store is the truth; Prefect only carries the work. ``sync`` repairs whatever lags behind: a case
without a live run gets one (the flow body re-reads the store, so nothing is done twice), a run
suspended at a gate the store has already decided is resumed, a closed case's waiting run is woken so
it can finish.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reviewkit.errors import OrchestrationError
from reviewkit.orchestration import env, rest


def deployment() -> str:
    """``review_case/<REVIEWKIT_DEPLOYMENT_NAME>``: one deployment name per reviewkit database, so that
    workers of different databases sharing one Prefect server never carry each other's cases."""
    from reviewkit.settings import get_settings

    return f"review_case/{get_settings().deployment_name}"


CLI_MARK_CODE = "cli-已记录"


def _prefect() -> Any:
    env.apply()
    import prefect  # noqa: F401  (settings are read at import)

    return prefect


def _server_ok() -> bool:
    from reviewkit.orchestration.server import healthy

    return healthy(env.configured_api_url())


def start_run(case_id: int, replaces: str | None = None) -> str:
    """Create the case's flow run from the served deployment; returns its id.

    ``replaces`` is the run the caller saw on the case (``None``: none, as for a case just opened).
    Everyone who saw the same thing asks with the same idempotency key and gets the same run, even
    when one of them has already attached it by the time the other asks: ``case new`` and a worker's
    reconcile that both find the new case without a run get ONE run. (Reading the store's run here
    instead would let ``case new`` that lost that race start a second run "after" the first.)"""
    if not _server_ok():
        raise OrchestrationError(
            f"Prefect 服务器 {env.configured_api_url()} 无法访问，案件已登记，稍后运行 reviewkit sync 启动流程"
        )
    from reviewkit.services.cases import attach_flow_run
    from reviewkit.services.queries import case_detail

    detail = case_detail(case_id)
    try:
        run_id = rest.create_run(
            deployment(),
            parameters={"case_id": case_id},
            name=f"{detail.case.number} {detail.case.title}",
            tags=[f"kind:{detail.case.kind}", f"case:{detail.case.number}"],
            idempotency_key=_start_key(case_id, replaces),
        )
    except OrchestrationError as err:
        raise OrchestrationError(f"无法创建流程运行（{err}）；请先运行 reviewkit worker") from err
    attach_flow_run(case_id, run_id)
    return run_id


def _start_key(case_id: int, replaces: str | None) -> str:
    """The same key for every attempt to start the case's next run, so that ``case new``, a worker's
    reconcile and another worker's reconcile racing for one case create ONE flow run (the server
    returns the existing run for a known key). The key names the run it replaces, so a case whose run
    ended can get a new one; the case's creation time keeps keys apart across reviewkit databases that
    share a Prefect server."""
    from reviewkit.store.db import session_scope
    from reviewkit.store.models import Case

    with session_scope() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise OrchestrationError(f"没有案件 {case_id}")
        return f"reviewkit:{case.number}:{case.created_at.isoformat()}:after:{replaces or 'none'}"


def _read_run(client: Any, run_id: str) -> Any | None:
    from uuid import UUID

    from prefect.exceptions import ObjectNotFound

    try:
        uuid = UUID(run_id)
    except ValueError:
        return None
    try:
        return client.read_flow_run(uuid)
    except ObjectNotFound:
        return None  # lost with the Prefect database: the caller may start a new run
    except Exception as err:  # noqa: BLE001 - the server is busy or restarting: say so, never guess "missing"
        raise OrchestrationError(
            f"读取流程运行 {run_id} 失败（{type(err).__name__}：{err}）；稍后运行 reviewkit sync"
        ) from err


def _wake_input(case_id: int, pause_key: str | None) -> dict[str, str]:
    """A valid input for the suspended form (the flow ignores it: the store already moved on)."""
    from reviewkit.services.gates import gate_labels

    stage = (pause_key or "").rsplit("-r", 1)[0].replace("-", "_")
    labels = gate_labels(case_id, stage)
    return {
        "decision": labels[0] if labels else "",
        "user_name": "reviewkit",
        "code": CLI_MARK_CODE,
        "opinion": "决定已在 reviewkit 中记录",
    }


def wake(case_id: int, run_id: str | None) -> bool:
    """Resume the case's run if it is suspended at a gate the store has left. Returns True if resumed."""
    if not run_id:
        return False
    if not _server_ok():
        raise OrchestrationError(
            "Prefect 服务器无法访问：决定已记录，服务器恢复后运行 reviewkit sync 继续流程"
        )
    from reviewkit.services.gates import current_gate

    run = rest.read_run(run_id)
    if run is None or run.state != "PAUSED":
        return False
    gate = current_gate(case_id)
    if gate is not None and gate.key == run.pause_key:
        return False  # still waiting for exactly this gate
    return rest.resume(run.id, _wake_input(case_id, run.pause_key))


def install() -> None:
    """Plug this module into the services' ports: a committed decision wakes its run (``wake``)."""
    from reviewkit.services import ports

    ports.install_waker(wake)


@dataclass
class SyncReport:
    started: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    rescheduled: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


ENDED = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED", "CANCELLING"}
LIVE = {"RUNNING", "PENDING"}


def _reschedule_if_dead(client: Any, case_id: int, run: Any) -> bool:
    """A run Prefect calls running (or pending) whose process no longer holds the case's lease: its
    worker was killed, or the run was forced out of its wait on the Prefect side. Schedule the same
    run again: its body re-reads the store, and a Resume-form input it had received is still there.

    A process that died holding the lease is dead as soon as the lease expires. A run that went
    straight from its suspension (PAUSED) to RUNNING or PENDING was put there through Prefect's API:
    reviewkit's waits are resumed through SCHEDULED, so no worker started a process for it and it is
    dead at once. Otherwise (the lease was released at a gate and the run resumed since, a reconciler
    handed it back, or this run never held it) a new process may be starting: it has three lease-times
    to take the lease."""
    from datetime import timedelta

    from prefect.states import Scheduled

    from reviewkit.services import leases
    from reviewkit.settings import get_settings
    from reviewkit.store.models import utcnow

    now = utcnow()
    ttl = timedelta(seconds=get_settings().run_lease_seconds)
    lease = leases.current(case_id)
    since = run.state.timestamp
    previous = None
    if lease is not None and lease.flow_run_id == str(run.id):
        if not lease.released and not lease.expired(now):
            return False  # a live process carries it
        if lease.token.startswith(leases.RESCHEDULED) and since is not None and lease.acquired_at >= since:
            return False  # already handed back after this very state (another reconciler, a moment ago)
    if lease is None or lease.released or lease.expired(now):
        previous = _state_before(client, run)
    if previous == "PAUSED":
        since = None  # forced out of its wait: nobody is starting it
    elif lease is not None and lease.flow_run_id == str(run.id):
        if not lease.expired(now):
            return False  # released at a gate a moment ago: the state we read may be older
        if lease.released:
            since = max(since, lease.acquired_at) if since is not None else lease.acquired_at
        elif since is not None and since <= lease.expires_at:
            since = None  # it died under this very state
    if since is not None and now - since < 3 * ttl:
        return False
    state = run.state.type.value
    detail = {
        "previous_state": previous,
        "state_since": run.state.timestamp.isoformat() if run.state.timestamp else None,
        "state_message": (run.state.message or "")[:200],
    }
    if not leases.claim_reschedule(case_id, str(run.id), lease, state, detail):
        return False  # another reconciler got there first
    message = (
        "reviewkit：流程运行未经 Resume 即离开等待，没有进程办理，重新调度"
        if previous == "PAUSED"
        else "reviewkit：流程进程已停止（租约过期），重新调度"
    )
    try:
        client.set_flow_run_state(run.id, Scheduled(message=message), force=True)
    except Exception as err:  # noqa: BLE001 - the lease is handed back: the next round tries again
        raise OrchestrationError(f"无法重新调度流程运行 {run.id}（{type(err).__name__}：{err}）") from err
    return True


def _state_before(client: Any, run: Any) -> str | None:
    """The type of the run's state just before its current one (``None`` when unknown: the history
    moved on since ``run`` was read, or there is none)."""
    try:
        history = sorted(client.read_flow_run_states(run.id), key=lambda s: s.timestamp)
    except Exception as err:  # noqa: BLE001 - the server is busy: this case is judged again next round
        raise OrchestrationError(
            f"读取流程运行 {run.id} 的状态历史失败（{type(err).__name__}：{err}）"
        ) from err
    if len(history) < 2 or history[-1].id != run.state.id:
        return None
    return str(history[-2].type.value)


def _runs_in(client: Any, states: set[str]) -> list[Any]:
    """This deployment's review_case runs in the given states (all pages)."""
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    from reviewkit.settings import get_settings

    found: list[Any] = []
    while True:
        page = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["review_case"])),
            deployment_filter=DeploymentFilter(
                name=DeploymentFilterName(any_=[get_settings().deployment_name])
            ),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType(s) for s in sorted(states)])
                )
            ),
            limit=200,
            offset=len(found),
        )
        found.extend(page)
        if len(page) < 200:
            return found


def _cancel_orphan(client: Any, run: Any, report: SyncReport) -> None:
    """A waiting run no case points to (its case was given another run): cancel it, so that only one
    run ever carries a case."""
    from prefect.states import Cancelled

    from reviewkit.services.gates import case_by_id

    case_id = (run.parameters or {}).get("case_id")
    mine = case_by_id(int(case_id)) if isinstance(case_id, int) else None
    if mine is None or not mine.flow_run_id or mine.flow_run_id == str(run.id):
        return  # not provably a duplicate of one of this database's cases: leave it alone
    try:
        client.set_flow_run_state(
            run.id, Cancelled(message="reviewkit：该案件已由另一个流程运行承载"), force=True
        )
        report.cancelled.append(str(run.id))
    except Exception as err:  # noqa: BLE001
        report.problems.append(f"无法取消多余的流程运行 {run.id}：{err}")


def sync() -> SyncReport:
    """Reconcile every case with Prefect (see the module docstring)."""
    if not _server_ok():
        raise OrchestrationError(f"Prefect 服务器 {env.configured_api_url()} 无法访问")
    _prefect()
    from prefect import get_client

    from reviewkit.services.cases import note_run_replaced
    from reviewkit.services.gates import case_for_run, open_cases

    report = SyncReport()
    with get_client(sync_client=True) as client:
        for item in open_cases():
            try:
                run = _read_run(client, item.flow_run_id) if item.flow_run_id else None
            except OrchestrationError as err:
                report.problems.append(f"{item.number}：{err}")
                continue
            state = run.state.type.value if run is not None and run.state is not None else None
            if state in LIVE:
                continue  # below, with the live runs of closed cases
            if run is None or state in ENDED:
                try:
                    if item.flow_run_id:
                        note_run_replaced(item.case_id, item.flow_run_id, state or "DELETED")
                    start_run(item.case_id, replaces=item.flow_run_id)
                    report.started.append(item.number)
                except OrchestrationError as err:
                    report.problems.append(f"{item.number}：{err}")
        for run in _runs_in(client, LIVE):
            item = case_for_run(str(run.id))
            if item is None:
                continue  # not the run of one of this database's cases: not ours to judge
            try:
                if _reschedule_if_dead(client, item.case_id, run):
                    report.rescheduled.append(item.number)
            except OrchestrationError as err:
                report.problems.append(f"{item.number}：{err}")
        for run in _runs_in(client, {"PAUSED"}):
            item = case_for_run(str(run.id))
            if item is None:
                _cancel_orphan(client, run, report)
                continue
            try:
                if wake(item.case_id, str(run.id)):
                    report.resumed.append(item.number)
            except OrchestrationError as err:
                report.problems.append(f"{item.number}：{err}")
    return report
