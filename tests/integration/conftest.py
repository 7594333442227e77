from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _reset_caches
from tests.pg import throwaway_database
from tests.prefect_server import start_server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The store on each backend: the default SQLite file, and a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{isolated_home / 'reviewkit.db'}"
        monkeypatch.setenv("REVIEWKIT_DATABASE_URL", url)
        _reset_caches()
        yield url
        return
    with throwaway_database() as url:
        monkeypatch.setenv("REVIEWKIT_DATABASE_URL", url)
        _reset_caches()
        from reviewkit.store.migrate import upgrade

        upgrade()
        yield url
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
