"""``reviewkit worker``: serve the deployments and keep Prefect reconciled with the store."""

from __future__ import annotations

import sys
import threading
import time

from prefect import serve

from flows.intake import open_case
from flows.review_case import review_case


def _reconcile_forever(interval: float, stop: threading.Event) -> None:
    from reviewkit.orchestration.runs import sync

    while not stop.wait(interval):
        try:
            report = sync()
        except Exception as err:  # noqa: BLE001 - the server may be restarting; try again next round
            print(f"对账未完成，稍后重试：{type(err).__name__}：{err}", file=sys.stderr, flush=True)
            continue
        if report.started or report.resumed:
            print(f"对账：启动 {'、'.join(report.started) or '无'}；唤醒 {'、'.join(report.resumed) or '无'}", flush=True)


def run_worker(limit: int, reconcile_seconds: float) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=_reconcile_forever, args=(reconcile_seconds, stop), daemon=True)
    thread.start()
    try:
        serve(
            review_case.to_deployment(name="reviewkit", tags=["reviewkit"]),
            open_case.to_deployment(name="reviewkit", tags=["reviewkit"]),
            limit=limit,
            pause_on_shutdown=False,  # one worker stopping must not pause the deployment for the others
            print_starting_message=False,
        )
    finally:
        stop.set()
        time.sleep(0)
