"""``verify_chain``'s fast path (issue #20) on SQLite and PostgreSQL: the database builds each event's
canonical bytes, and they are exactly the bytes Python hashes (``body_bytes``) for every ASCII
character and a sample of others; a row where they differ is judged by the Python path instead (no
false break); and edits that try to play on JSON quoting are caught as before."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from reviewkit.store import audit
from reviewkit.store.db import get_engine, session_scope
from reviewkit.store.migrate import upgrade
from tests.integration.test_audit_chain import _attack

TRICKY = [chr(i) for i in range(0x80)] + [
    "\u2028",
    "\u2029",
    "é",
    "中文",
    "😀",
    "\ufeff",
    "\x85",
    "\ue000",
    "\uffff",
]


def _verify() -> audit.VerifyReport:
    with get_engine().connect() as conn:
        return audit.verify_chain(conn, database_side=True)


def _tricky_chain() -> None:
    upgrade()
    for i, ch in enumerate(TRICKY):
        if ch == "\x00":  # PostgreSQL text cannot hold NUL (it stays inside the payload's JSON, escaped)
            ch = "\\u0000"
        with session_scope(write=True) as session:
            audit.append(
                session,
                action=f"test.{ch}",
                actor=f"u{ch}\"'\\",
                role=ch * 2,
                channel="cli",
                case_id=None if i % 2 else i,
                payload={"text": f"审核{ch}意见", "ch": ch, "n": i},
            )


def test_database_built_bytes_equal_pythons_for_every_ascii_character(db_url: str) -> None:
    _tricky_chain()
    engine = get_engine()
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT {audit.ROW_COLUMNS}, {audit.body_sql(engine.dialect.name)} FROM audit_events ORDER BY id"
        ).all()
    assert len(rows) == len(TRICKY)
    for row in rows:
        assert bytes(row[11]) == audit.body_bytes(*row[:10]), row[:10]
    report = _verify()
    assert report.broken is None and report.count == len(TRICKY)


def test_a_row_the_database_quotes_differently_is_judged_in_python(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tricky_chain()
    real = audit.body_sql
    monkeypatch.setattr(
        audit, "body_sql", lambda dialect: real(dialect).replace("'{\"action\":'", "'{\"action\": '")
    )
    report = _verify()
    assert report.broken is None and report.count == len(TRICKY)  # every row fell back, none falsely broken


@pytest.mark.parametrize("actor", ['u","role":"admin', 'u\\"', "u\u2028", "U"])
def test_edits_playing_on_quoting_are_caught(db_url: str, actor: str) -> None:
    _tricky_chain()
    _attack("SELECT 1")
    with get_engine().begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = :a WHERE id = 66"), {"a": actor})
    report = _verify()
    assert report.broken is not None and report.broken.seq == 66 and report.broken.kind == "edited"
    assert report.count == 65
