"""Shared fixtures. Every test gets its own REVIEWKIT_HOME (database, files) under tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewkit.settings import reset_settings
from tests.prefect_server import start_server

REPO = Path(__file__).resolve().parent.parent


def _reset_caches() -> None:
    reset_settings()
    from reviewkit.store.db import get_engine

    for engine in list(getattr(get_engine, "_engines", [])):
        engine.dispose()
    get_engine.cache_clear()
    from reviewkit.services.deadlines import work_calendar

    work_calendar.cache_clear()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "rk-home"
    monkeypatch.setenv("REVIEWKIT_HOME", str(home))
    for key in list(os.environ):
        if key.startswith("REVIEWKIT_") and key not in {"REVIEWKIT_HOME", "REVIEWKIT_PREFECT_API_URL"}:
            monkeypatch.delenv(key)
    _reset_caches()
    yield home
    _reset_caches()


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The session's Prefect server; the current process is pointed at it."""
    api, proc = start_server(tmp_path_factory.mktemp("prefect-home"))
    os.environ["PREFECT_API_URL"] = api
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api}):
        yield api
    if proc is not None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except Exception:  # noqa: BLE001
            proc.kill()
