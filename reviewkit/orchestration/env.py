"""Prefect's environment, set before ``import prefect`` (Prefect reads its settings at import)."""

from __future__ import annotations

import os

from reviewkit.settings import get_settings

QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
}


def local_api_url() -> str:
    return f"http://127.0.0.1:{get_settings().prefect_port}/api"


def configured_api_url() -> str:
    """The API reviewkit talks to: REVIEWKIT_PREFECT_API_URL, else PREFECT_API_URL, else the local server."""
    settings = get_settings()
    return settings.prefect_api_url or os.environ.get("PREFECT_API_URL") or local_api_url()


def ui_url() -> str:
    """The Prefect UI of the configured server."""
    return configured_api_url().removesuffix("/api")


def flow_run_page(flow_run_id: str, ui: str | None = None) -> str:
    """A flow run's page in the Prefect UI. The V2 page: Resume sits in its ⋮ menu; the V1 page
    (``/runs/flow-run/<id>``) puts a red Cancel right beside Resume, one slip from cancelling a case."""
    return f"{ui or ui_url()}/v2/runs/flow-run/{flow_run_id}"


def prefect_environment() -> dict[str, str]:
    settings = get_settings()
    home = settings.resolved_prefect_home
    env = {
        "PREFECT_HOME": os.environ.get("PREFECT_HOME", str(home)),
        "PREFECT_API_URL": configured_api_url(),
        **{k: os.environ.get(k, v) for k, v in QUIET.items()},
    }
    env.setdefault(
        "PREFECT_RUNNER_POLL_FREQUENCY",
        os.environ.get("PREFECT_RUNNER_POLL_FREQUENCY", str(max(1, int(settings.runner_poll_seconds)))),
    )
    if settings.prefect_database_url:
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = settings.prefect_database_url
    return env


def apply() -> None:
    """Export the environment into this process (before prefect is imported)."""
    os.environ.update(prefect_environment())
