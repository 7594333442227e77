"""The few Prefect REST calls an interactive command needs, over httpx, without ``import prefect``.

``import prefect`` costs about a second and its client is "sync-compatible" (called from inside an
event loop, as in the workbench's request handlers, it hands back a coroutine instead of a result).
Starting a case's run and waking it after a decision need three endpoints of Prefect's server API
(the same ones ``prefect.client`` calls): read a deployment by name, create a flow run from it,
resume a paused run. Reconciliation (``runs.sync``) keeps using Prefect's own client.
"""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass
from typing import Any

import httpx

from reviewkit.errors import OrchestrationError
from reviewkit.orchestration import env

TIMEOUT = httpx.Timeout(10.0, connect=3.0)


@dataclass(frozen=True)
class RunState:
    id: str
    state: str  # SCHEDULED, RUNNING, PAUSED, COMPLETED … ("" when the run has no state)
    pause_key: str | None
    parameters: dict[str, Any]


def _headers() -> dict[str, str]:
    """Prefect's Basic-auth string (``PREFECT_API_AUTH_STRING``), when the office sets one."""
    auth = os.environ.get("PREFECT_API_AUTH_STRING", "")
    return {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}


def _client() -> httpx.Client:
    return httpx.Client(
        base_url=env.configured_api_url().rstrip("/") + "/", timeout=TIMEOUT, headers=_headers()
    )


# A busy Prefect server on SQLite answers 503 ("database is locked") and expects the caller to retry,
# as Prefect's own client does: a few tries with a growing pause, then the answer as it is.
RETRY_PAUSES = (0.5, 1.0, 2.0, 4.0)


def _call(method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    try:
        with _client() as client:
            response = client.request(method, path, json=body)
            for pause in RETRY_PAUSES:
                if response.status_code != 503:
                    break
                time.sleep(pause)
                response = client.request(method, path, json=body)
            return response
    except httpx.HTTPError as err:
        raise OrchestrationError(
            f"无法访问 Prefect 服务器 {env.configured_api_url()}（{type(err).__name__}）"
        ) from err


def deployment_id(flow_name: str, deployment_name: str) -> str:
    response = _call("GET", f"deployments/name/{flow_name}/{deployment_name}")
    if response.status_code == 404:
        raise OrchestrationError(
            f"Prefect 上没有部署 {flow_name}/{deployment_name}；请先运行 reviewkit worker"
        )
    _ok(response, "读取部署")
    return str(response.json()["id"])


def create_run(
    deployment: str, *, parameters: dict[str, Any], name: str, tags: list[str], idempotency_key: str
) -> str:
    """A scheduled flow run of ``flow/deployment``; the same ``idempotency_key`` returns the same run."""
    flow_name, deployment_name = deployment.split("/", 1)
    dep = deployment_id(flow_name, deployment_name)
    response = _call(
        "POST",
        f"deployments/{dep}/create_flow_run",
        {"parameters": parameters, "name": name, "tags": tags, "idempotency_key": idempotency_key},
    )
    _ok(response, "创建流程运行")
    return str(response.json()["id"])


def read_run(run_id: str) -> RunState | None:
    """``None`` when the server does not know the run (lost with Prefect's database, or not a UUID)."""
    response = _call("GET", f"flow_runs/{run_id}")
    if response.status_code in (404, 422):
        return None
    _ok(response, "读取流程运行")
    data = response.json()
    state = data.get("state") or {}
    details = state.get("state_details") or {}
    return RunState(
        str(data["id"]),
        str(state.get("type") or ""),
        details.get("pause_key"),
        dict(data.get("parameters") or {}),
    )


def resume(run_id: str, run_input: dict[str, Any]) -> bool:
    """Resume a paused run with an input valid for its form; False when the server declines
    (the run is no longer paused, or the input does not fit the pause's schema)."""
    response = _call("POST", f"flow_runs/{run_id}/resume", {"run_input": run_input})
    _ok(response, "唤醒流程运行")
    return str(response.json().get("status", "")).upper() == "ACCEPT"


def _ok(response: httpx.Response, what: str) -> None:
    if response.is_success:
        return
    detail = response.text[:200].replace("\n", " ")
    raise OrchestrationError(f"{what}失败（HTTP {response.status_code}：{detail}）；稍后运行 reviewkit sync")
