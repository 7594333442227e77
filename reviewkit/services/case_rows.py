"""The lean read path of ``reviewkit case list``: the listed cases as JSON-ready dicts, straight from
the database driver.

It must answer in a fraction of a second over 10,000 cases (bench/case_list.py). Importing
sqlmodel/SQLAlchemy and pydantic-settings alone costs more than that, so it reads the ``cases`` table
with the plain driver (stdlib ``sqlite3``, or ``psycopg``), through the covering index ``ix_cases_list``
on SQLite (migration 0008), and takes the display names from one process snapshot per fingerprint with
``tomllib``. The rows are built from the driver's tuples (no dataclass: this module does not even
import ``dataclasses``), with ``CaseSummary``'s fields in its order. Any surprise (no database yet,
another schema revision, a driver error) falls back to the ORM path in ``queries`` (the caller's
choice: this module imports no other service), which migrates or explains. Module-level imports stay light for the same reason.
"""

from __future__ import annotations

import os
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


# The lean path runs only against a database at the code's own schema revision (anything else takes
# the ORM path, which migrates SQLite or explains what to run). That revision is the newest file in
# migrations/versions/ (``NNNN_name.py``): reading ``store.db.HEAD_REVISION`` would import SQLAlchemy;
# a test keeps the two equal.
def head_revision() -> str | None:
    configured = os.environ.get("REVIEWKIT_MIGRATIONS_DIR")
    package = Path(__file__).resolve().parents[1]
    candidates = (
        [Path(configured)]
        if configured
        else [package.parent / "migrations", package / "_bundled" / "migrations"]
    )
    for directory in candidates:
        versions = directory / "versions"
        if versions.is_dir():
            ids = [p.name.split("_", 1)[0] for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py")]
            return max(ids) if ids else None
    return None


LIST_COLUMNS = (
    "id, number, kind, process_fingerprint, title, drafting_unit, drafter, stage, round, status, "
    "doc_number, created_at"
)


def database_url() -> str:
    """``Settings.resolved_database_url`` without importing pydantic-settings (≈ 0.3 s): the same
    two environment variables, the same default (a test checks they agree)."""
    url = os.environ.get("REVIEWKIT_DATABASE_URL")
    if url:
        return url
    home = Path(os.environ.get("REVIEWKIT_HOME") or "var")
    return f"sqlite:///{(home / 'reviewkit.db').resolve()}"


def listing_query(
    status: str | None, kind: str | None, limit: int | None, *, sqlite: bool
) -> tuple[str, list[Any]]:
    """The listing's SQL (``?`` placeholders) and its arguments. On SQLite it reads the covering index
    (migration 0008) also when filtering: left alone, SQLite would search ``ix_cases_status`` or
    ``ix_cases_kind`` and read every matching row, its ~9 KB snapshot and all."""
    where, args = [], []
    if status:
        where.append("status = ?")
        args.append(status)
    if kind:
        where.append("kind = ?")
        args.append(kind)
    sql = f"SELECT {LIST_COLUMNS} FROM cases" + (" INDEXED BY ix_cases_list" if sqlite else "")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return sql, args


def lean_rows(status: str | None, kind: str | None, limit: int | None) -> list[dict[str, Any]] | None:
    """The listing, newest first, or ``None`` when the ORM path has to answer."""
    url = database_url()
    try:
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            sql, args = listing_query(status, kind, limit, sqlite=True)
            fetched = _sqlite_fetch(Path(url.removeprefix("sqlite:///")), sql, args)
        elif url.split("://", 1)[0] in {"postgresql", "postgres", "postgresql+psycopg"}:
            sql, args = listing_query(status, kind, limit, sqlite=False)
            fetched = _pg_fetch("postgresql://" + url.split("://", 1)[1], sql.replace("?", "%s"), args)
        else:
            return None
        if fetched is None:
            return None
        rows, snapshots = fetched
        return _rows(rows, {fp: _names(text) for fp, text in snapshots})
    except Exception:  # noqa: BLE001 - any surprise: the ORM path decides (and explains)
        return None


# One snapshot per process fingerprint among the listed rows, read by primary key (any case with that
# fingerprint has the same snapshot).
_SNAPSHOTS_SQL = "SELECT process_fingerprint, process_snapshot FROM cases WHERE id IN ({})"


def _one_id_per_fingerprint(rows: list[Any]) -> list[int]:
    return list({row[3]: row[0] for row in rows}.values())


def _sqlite_fetch(path: Path, sql: str, args: list[Any]) -> tuple[list[Any], list[Any]] | None:
    import sqlite3

    if not path.is_file():
        return None  # a fresh machine: the ORM path creates and migrates the database
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] != head_revision():
            return None
        rows = conn.execute(sql, args).fetchall()
        ids = _one_id_per_fingerprint(rows)
        return rows, conn.execute(
            _SNAPSHOTS_SQL.format(", ".join("?" * len(ids))), ids
        ).fetchall() if ids else []
    finally:
        conn.close()


def _pg_fetch(dsn: str, sql: str, args: list[Any]) -> tuple[list[Any], list[Any]] | None:
    import psycopg

    with psycopg.connect(dsn, connect_timeout=10) as conn:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] != head_revision():
            return None
        rows = conn.execute(sql, args).fetchall()
        ids = _one_id_per_fingerprint(rows)
        return rows, conn.execute(
            _SNAPSHOTS_SQL.format(", ".join(["%s"] * len(ids))), ids
        ).fetchall() if ids else []


def _names(snapshot: str) -> tuple[str, dict[str, str]]:
    """The process name and stage names of a stored snapshot (validated when the case was started)."""
    raw = tomllib.loads(snapshot)
    return str(raw["name"]), {str(s["id"]): str(s["name"]) for s in raw["stages"]}


def _rows(rows: list[Any], names: dict[str, tuple[str, dict[str, str]]]) -> list[dict[str, Any]]:
    """``asdict(CaseSummary)`` of each fetched tuple, without the dataclass (10,000 rows per listing)."""
    out: list[dict[str, Any]] = []
    append = out.append
    for case_id, number, kind, fp, title, unit, drafter, stage, round_, status, doc_number, created in rows:
        kind_name, stage_names = names[fp]
        # As sqlmodel's UTCDateTime reads it: UTC, "+00:00" (SQLite keeps the text "2026-11-28 07:26:33.123456").
        if created.__class__ is str and len(created) in (19, 26) and created[10] == " ":
            created_at = created[:10] + "T" + created[11:19] + "+00:00"
        else:
            created_at = _utc_iso(created)
        append(
            {
                "id": case_id,
                "number": number,
                "kind": kind,
                "kind_name": kind_name,
                "title": title,
                "drafting_unit": unit,
                "drafter": drafter,
                "stage": stage,
                "stage_name": stage_names[stage],
                "round": round_,
                "status": status,
                "doc_number": doc_number,
                "created_at": created_at,
            }
        )
    return out


def _utc_iso(created: str | datetime) -> str:
    moment = datetime.fromisoformat(created) if isinstance(created, str) else created
    moment = moment.replace(tzinfo=UTC) if moment.utcoffset() is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")
