"""The store's connection pools (issue #20) on SQLite and PostgreSQL: sized and timed by settings; a full
pool is one Chinese line, not a traceback; run-lease renewals have their own pool, so a process whose
work pool is exhausted (100 flows deciding at once) still renews its leases, and vice versa."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from reviewkit.errors import StoreError
from reviewkit.services import leases
from reviewkit.store.db import get_engine, session_scope
from tests.conftest import _reset_caches
from tests.integration.test_services import _start


def test_pool_size_and_timeout_come_from_settings(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWKIT_DB_POOL_SIZE", "3")
    monkeypatch.setenv("REVIEWKIT_DB_MAX_OVERFLOW", "1")
    monkeypatch.setenv("REVIEWKIT_DB_POOL_TIMEOUT", "7.5")
    _reset_caches()
    pool = get_engine().pool
    assert (pool.size(), pool._max_overflow, pool._timeout) == (3, 1, 7.5)  # type: ignore[attr-defined]
    assert get_engine(lane="lease").pool is not pool


def test_a_full_work_pool_neither_blocks_lease_renewals_nor_raises_a_traceback(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = _start(tmp_path)
    monkeypatch.setenv("REVIEWKIT_DB_POOL_SIZE", "1")
    monkeypatch.setenv("REVIEWKIT_DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("REVIEWKIT_DB_POOL_TIMEOUT", "0.5")
    _reset_caches()
    token = leases.new_token()
    assert leases.acquire(case_id, "run-1", token, 60) is None
    held = get_engine().connect()  # the only connection of the work pool, busy elsewhere
    try:
        t0 = time.monotonic()
        assert leases.renew(case_id, token, 60)  # the lease pool is not the work pool
        assert time.monotonic() - t0 < 0.5
        with pytest.raises(
            StoreError, match="数据库连接池已满：等待 0.5 秒仍无空闲连接.*REVIEWKIT_DB_POOL_SIZE"
        ):
            with session_scope() as session:
                session.connection()
        leases.release(case_id, token, grace=1)
    finally:
        held.close()
    lease = leases.current(case_id)
    assert lease is not None and lease.released
