"""``reviewkit worker``: serve the deployments and keep Prefect reconciled with the store."""

from __future__ import annotations

import os
import sys
import threading
import time

from prefect import serve

from flows.review_case import review_case
from reviewkit.settings import get_settings


def _reconcile_forever(interval: float, stop: threading.Event) -> None:
    from reviewkit.orchestration.runs import sync

    while not stop.wait(interval):
        try:
            report = sync()
        except Exception as err:  # noqa: BLE001 - the server may be restarting; try again next round
            print(f"对账未完成，稍后重试：{type(err).__name__}：{err}", file=sys.stderr, flush=True)
            continue
        if report.started or report.resumed or report.rescheduled:
            print(
                f"对账：启动 {'、'.join(report.started) or '无'}；唤醒 {'、'.join(report.resumed) or '无'}；"
                f"重新调度 {'、'.join(report.rescheduled) or '无'}",
                flush=True,
            )


def run_worker(limit: int, reconcile_seconds: float) -> None:
    os.environ["REVIEWKIT_WORKER_PID"] = str(
        os.getpid()
    )  # flow-run processes inherit it (flows/failpoints.py)
    stop = threading.Event()
    thread = threading.Thread(target=_reconcile_forever, args=(reconcile_seconds, stop), daemon=True)
    thread.start()
    try:
        while True:
            try:
                serve(
                    review_case.to_deployment(name=get_settings().deployment_name, tags=["reviewkit"]),
                    limit=limit,
                    pause_on_shutdown=False,  # one worker stopping must not pause the deployment for the others
                    print_starting_message=False,
                )
                return  # stopped on purpose (Ctrl+C, SIGTERM)
            except Exception as err:  # noqa: BLE001 - e.g. the Prefect server went away: wait, then serve again
                print(
                    f"与 Prefect 服务器的连接中断（{type(err).__name__}：{err}），等待服务器恢复后继续…",
                    file=sys.stderr,
                    flush=True,
                )
                _wait_for_server()
    finally:
        stop.set()
        time.sleep(0)


def _wait_for_server() -> None:
    """Block until the configured Prefect API answers again (suspended runs wait in its database)."""
    from reviewkit.orchestration.env import configured_api_url
    from reviewkit.orchestration.server import healthy

    api = configured_api_url()
    while not healthy(api):
        time.sleep(2)
