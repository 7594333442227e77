"""``case list`` reads with the plain driver (services/case_rows.py, bench/case_list.py): the same rows as
the ORM path, on both backends, through the covering index on SQLite, and the same database and schema
revision the rest of reviewkit uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewkit.services import case_rows, queries
from reviewkit.services.cases import NewCase, start_case
from reviewkit.services.roster import import_roster
from reviewkit.services.workflow import decide
from reviewkit.settings import get_settings, reset_settings
from reviewkit.store.db import HEAD_REVISION
from tests.actors import proven
from tests.builders import build_docx, write_roster


def test_lean_and_orm_paths_list_the_same_cases(db_url: str, tmp_path: Path) -> None:
    import_roster(write_roster(tmp_path / "roster.toml"))
    for i, kind in enumerate(["normative_document", "major_decision", "normative_document"]):
        case = start_case(
            NewCase(
                kind=kind,
                title=f"某县管理办法{i}",
                drafting_unit="预算股",
                drafter="drafter1",
                draft=build_docx(tmp_path / f"v{i}.docx"),
            ),
            proven("drafter1"),
        )
    assert case.id is not None
    from reviewkit.services.attachments import attach

    attach(case.id, "起草说明", build_docx(tmp_path / "note.docx", title="起草说明"), proven("drafter1"))
    decide(case.id, "提交", proven("drafter1"))
    for kwargs in (
        {},
        {"status": "open"},
        {"kind": "normative_document"},
        {"limit": 2},
        {"status": "closed"},
    ):
        lean = queries._lean_list(kwargs.get("status"), kwargs.get("kind"), kwargs.get("limit"))  # type: ignore[arg-type]
        assert lean is not None, "the lean path fell back to the ORM"
        assert lean == queries.orm_list(kwargs.get("status"), kwargs.get("kind"), kwargs.get("limit")), kwargs  # type: ignore[arg-type]
    assert [c.stage for c in queries.list_cases()][0] != "drafting"


def test_a_fresh_home_falls_back_and_migrates(isolated_home: Path) -> None:
    assert queries._lean_list(None, None, None) is None  # no database file yet
    assert queries.list_cases() == []  # the ORM path creates and migrates it
    assert queries._lean_list(None, None, None) == []


def test_lean_path_reads_the_configured_database_at_the_code_revision(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert case_rows.head_revision() == HEAD_REVISION
    assert case_rows.database_url() == get_settings().resolved_database_url
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1:5432/x")
    reset_settings()
    assert case_rows.database_url() == get_settings().resolved_database_url
    monkeypatch.delenv("REVIEWKIT_DATABASE_URL")
    monkeypatch.delenv("REVIEWKIT_HOME")
    monkeypatch.chdir(tmp_path)
    reset_settings()
    assert case_rows.database_url() == get_settings().resolved_database_url


def test_an_older_schema_takes_the_orm_path(isolated_home: Path) -> None:
    import sqlite3

    queries.list_cases()
    db = sqlite3.connect(isolated_home / "reviewkit.db")
    db.execute("UPDATE alembic_version SET version_num = '0001'")
    db.commit()
    db.close()
    assert queries._lean_list(None, None, None) is None


def test_the_sqlite_listing_reads_the_covering_index_only(isolated_home: Path) -> None:
    import sqlite3

    queries.list_cases()  # creates and migrates the store
    db = sqlite3.connect(isolated_home / "reviewkit.db")
    try:
        for status, kind, limit in [
            (None, None, None),
            ("open", None, None),
            (None, "major_decision", None),
            ("closed", "normative_document", 20),
            (None, None, 5),
        ]:
            sql, args = case_rows.listing_query(status, kind, limit, sqlite=True)
            plan = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, args)]
            assert plan == ["SCAN cases USING COVERING INDEX ix_cases_list"], (status, kind, limit, plan)
    finally:
        db.close()
