"""The case's run lease, held by the flow-run process while it works on the case (see
``reviewkit.services.leases``): taken before the first look at the case, renewed from a thread,
released when the run suspends at a gate or ends. A process that finds its lease taken over stops
at once, without reporting anything to Prefect: the case belongs to another process now."""

from __future__ import annotations

import os
import sys
import threading
from types import TracebackType

from reviewkit.services import leases
from reviewkit.settings import get_settings

LOST_EXIT_CODE = 75  # the case went to another run: this run's worker reports it as crashed


class CaseLease:
    def __init__(self, case_id: int, flow_run_id: str) -> None:
        self.case_id, self.flow_run_id = case_id, flow_run_id
        self.ttl = get_settings().run_lease_seconds
        self.token = leases.new_token()
        self.held_by: leases.Held | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> CaseLease:
        self.held_by = leases.acquire(self.case_id, self.flow_run_id, self.token, self.ttl)
        if self.held_by is None:
            self._thread = threading.Thread(
                target=self._keep, name=f"reviewkit-lease-{self.case_id}", daemon=True
            )
            self._thread.start()
        return self

    def abandon(self) -> None:
        """Stop this process at once, reporting nothing (see LOST_EXIT_CODE)."""
        print(f"案件 {self.case_id} 正由本流程运行的另一个进程办理，本进程退出", file=sys.stderr, flush=True)
        os._exit(0)  # exit 0: the worker leaves the run's state to that other process

    def _keep(self) -> None:
        while not self._stop.wait(self.ttl / 4):
            try:
                kept = leases.renew(self.case_id, self.token, self.ttl)
            except Exception as err:  # noqa: BLE001 - the store may be restarting: try again next round
                print(
                    f"案件 {self.case_id} 的流程租约续约失败，稍后重试：{type(err).__name__}：{err}",
                    file=sys.stderr,
                    flush=True,
                )
                continue
            if not kept and not self._stop.is_set():
                now = leases.current(self.case_id)
                print(
                    f"案件 {self.case_id} 的流程租约已被其他进程接管，本进程立即退出",
                    file=sys.stderr,
                    flush=True,
                )
                # Exit 0 when the taker is this same run (rescheduled): the worker then leaves the run's
                # state to that process instead of reporting this one as crashed.
                os._exit(0 if now is not None and now.flow_run_id == self.flow_run_id else LOST_EXIT_CODE)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is None:
            return
        self._thread.join(timeout=5)
        try:
            leases.release(self.case_id, self.token, grace=self.ttl)
        except Exception as err:  # noqa: BLE001 - never mask the flow's own outcome (e.g. its suspension)
            print(f"案件 {self.case_id} 的流程租约未能释放（将自然过期）：{err}", file=sys.stderr, flush=True)
