from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _reset_caches
from tests.pg import throwaway_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
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
