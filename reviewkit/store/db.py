"""Engine and sessions. SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` for writers, so two
processes queue for the write lock instead of failing with "database is locked".

Each process has two connection pools per database ("lanes"): ``work`` for everything, sized by
``REVIEWKIT_DB_POOL_SIZE`` / ``_MAX_OVERFLOW`` / ``_POOL_TIMEOUT``, and a small ``lease`` pool for
run-lease renewals (services/leases.py), so that renewals never wait behind decisions for a
connection nor take one a decision needs: at 100 flows in one process the shared pool of 15 ran
out, decisions timed out, and a renewal stuck behind them could let a live lease expire (issue #20).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from reviewkit.errors import StoreError
from reviewkit.settings import get_settings

# The Alembic revision the code expects; a test checks it equals the head of migrations/.
HEAD_REVISION = "0010"


LANES = ("work", "lease")
_LEASE_POOL = {"pool_size": 2, "max_overflow": 2}  # one short UPDATE per flow every ttl/4 seconds


def get_engine(url: str | None = None, lane: str = "work") -> Engine:
    """The process's engine for ``url`` (default: the configured database) and ``lane``: one pool per
    pair, whether the URL is given or defaulted."""
    return _engine(url or get_settings().resolved_database_url, lane)


@lru_cache(maxsize=16)
def _engine(url: str, lane: str) -> Engine:
    settings = get_settings()
    if lane not in LANES:
        raise ValueError(f"unknown connection lane {lane!r}")
    pool: dict[str, Any] = (
        dict(_LEASE_POOL)
        if lane == "lease"
        else {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow}
    )
    pool["pool_timeout"] = settings.db_pool_timeout
    if url.startswith("sqlite"):
        memory = url == "sqlite://" or url.startswith("sqlite:///:memory:")
        if url.startswith("sqlite:///") and not memory:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000}, **({} if memory else pool)
        )
        _tune_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return create_engine(url, pool_pre_ping=True, **pool)


get_engine.cache_clear = _engine.cache_clear  # type: ignore[attr-defined]  # tests reset settings


def _tune_sqlite(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN itself (see _on_begin)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def session_scope(*, write: bool = False, url: str | None = None, lane: str = "work") -> Iterator[Session]:
    """One unit of work. ``write=True`` takes the write lock at the start (SQLite) and commits at the
    end; any exception rolls everything back. ``lane="lease"`` draws from the lease pool."""
    engine = get_engine(url, lane)
    session = Session(engine, expire_on_commit=False)
    try:
        if write and engine.dialect.name == "sqlite":
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        yield session
        if write:
            session.commit()
    except OperationalError as err:
        session.rollback()
        raise StoreError(f"数据库不可用：{_first_line(err)}") from err
    except PoolTimeout as err:
        session.rollback()
        raise StoreError(pool_exhausted_message()) from err
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def pool_exhausted_message() -> str:
    s = get_settings()
    return (
        f"数据库连接池已满：等待 {s.db_pool_timeout:g} 秒仍无空闲连接（本进程上限 {s.db_pool_size} + "
        f"{s.db_max_overflow} 个）；可调大 REVIEWKIT_DB_POOL_SIZE 或 REVIEWKIT_DB_POOL_TIMEOUT"
    )


def _first_line(err: Exception) -> str:
    return str(getattr(err, "orig", err)).strip().splitlines()[0]


def current_revision(url: str | None = None) -> str | None:
    """The database's Alembic revision; ``None`` when it has none yet. A database that cannot be
    reached is a ``StoreError`` ("数据库不可用…"), not an uninitialised one (tests/integration/test_faults.py)."""
    engine = get_engine(url)
    try:
        conn = engine.connect()
    except OperationalError as err:
        raise StoreError(f"数据库不可用：{_first_line(err)}") from err
    try:
        with conn:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except (OperationalError, ProgrammingError):
        return None
    return row[0] if row else None


def require_schema(url: str | None = None) -> None:
    """Refuse to run against a database that is not migrated to this code's revision.

    The default embedded SQLite database is migrated on first use, so the first command works on a
    fresh machine; a shared database (PostgreSQL) is only ever migrated by ``reviewkit db upgrade``.
    """
    revision = current_revision(url)
    if revision == HEAD_REVISION:
        return
    engine = get_engine(url)
    if engine.dialect.name == "sqlite":
        from reviewkit.store.migrate import upgrade

        upgrade(url)
        return
    if revision is None:
        raise StoreError("数据库尚未初始化，请先运行 reviewkit db upgrade")
    raise StoreError(f"数据库结构版本为 {revision}，程序需要 {HEAD_REVISION}，请运行 reviewkit db upgrade")
