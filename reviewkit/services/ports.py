"""What the services need from outside, as ports the entry points fill in.

``RunWaker``: after a decision is committed, wake the case's flow run if it sleeps at the gate just
decided. ``orchestration.runs`` implements it over Prefect's REST API and ``orchestration.install()``
plugs it in (the CLI and the workbench do at start). Where nothing is plugged in (a flow run deciding
from its own Resume form, tests), the decision stands and ``reviewkit sync`` wakes whatever sleeps.
"""

from __future__ import annotations

from typing import Protocol

from reviewkit.errors import ReviewkitError


class RunWaker(Protocol):
    def __call__(self, case_id: int, flow_run_id: str | None) -> bool:
        """True if a sleeping run was resumed; ``OrchestrationError`` when Prefect cannot be reached."""
        ...


_waker: RunWaker | None = None


def install_waker(waker: RunWaker | None) -> None:
    global _waker
    _waker = waker


def wake_run(case_id: int, flow_run_id: str | None) -> str:
    """Wake the case's run; a line for the person: empty (nothing to wake), done, or why not (the
    decision stands either way)."""
    if _waker is None or not flow_run_id:
        return ""
    try:
        return "已唤醒等待中的流程。" if _waker(case_id, flow_run_id) else ""
    except ReviewkitError as err:
        return str(err)
