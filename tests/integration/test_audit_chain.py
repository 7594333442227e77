"""The audit chain on SQLite and PostgreSQL: intact chains verify; an attacker with database access
(who first drops the append-only trigger) editing, deleting, swapping or inserting rows is caught and
named; concurrent writers keep one chain."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from reviewkit.store import audit
from reviewkit.store.db import get_engine, session_scope
from reviewkit.store.migrate import upgrade


def _events(n: int, case_id: int | None = None) -> None:
    for i in range(n):
        with session_scope(write=True) as session:
            audit.append(
                session,
                action="test.event",
                actor=f"user{i % 3}",
                channel="cli",
                case_id=case_id,
                payload={"n": i, "text": "审核意见：第三条表述不清"},
            )


def _attack(*statements: str) -> None:
    engine = get_engine()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        for statement in statements:
            conn.execute(text(statement))


def _verify() -> audit.VerifyReport:
    with get_engine().connect() as conn:
        return audit.verify_chain(conn)


def _row(seq: int) -> tuple:
    with get_engine().connect() as conn:
        return tuple(
            conn.exec_driver_sql(f"SELECT {audit.ROW_COLUMNS} FROM audit_events WHERE id = {seq}").one()
        )


@pytest.fixture
def chain(db_url: str) -> str:
    upgrade()
    _events(10)
    report = _verify()
    assert report.broken is None and report.count == 10 and report.head_seq == 10
    return db_url


def test_intact_chain_and_the_fast_hash_equals_the_documented_one(chain: str) -> None:
    with session_scope() as session:
        from sqlmodel import select

        from reviewkit.store.models import AuditEvent

        for event in session.exec(select(AuditEvent)).all():
            canonical = audit.canonical_json(audit.event_body(event)).encode("utf-8")
            assert hashlib.sha256(canonical).hexdigest() == event.hash


def test_editing_one_field_is_detected(chain: str) -> None:
    _attack("UPDATE audit_events SET actor = 'mallory' WHERE id = 4")
    broken = _verify().broken
    assert broken is not None and (broken.seq, broken.kind) == (4, "edited")


def test_editing_the_payload_by_one_byte_is_detected(chain: str) -> None:
    payload = json.loads(_row(6)[8])
    forged = json.dumps(payload, ensure_ascii=False)  # same meaning, different bytes (spaces)
    _attack(f"UPDATE audit_events SET payload = '{forged}' WHERE id = 6")
    broken = _verify().broken
    assert broken is not None and (broken.seq, broken.kind) == (6, "edited")


def test_editing_and_rehashing_a_row_is_detected_at_that_row(chain: str) -> None:
    row = list(_row(5))
    row[3] = "mallory"
    new_hash = audit.row_hash(tuple(row))
    _attack(f"UPDATE audit_events SET actor = 'mallory', hash = '{new_hash}' WHERE id = 5")
    broken = _verify().broken
    assert broken is not None and (broken.seq, broken.kind) == (5, "edited")


def test_deleting_a_row_is_detected(chain: str) -> None:
    _attack("DELETE FROM audit_events WHERE id = 7")
    broken = _verify().broken
    assert broken is not None and (broken.seq, broken.kind) == (7, "deleted")


def test_deleting_a_row_and_renumbering_is_detected(chain: str) -> None:
    _attack(
        "DELETE FROM audit_events WHERE id = 3",
        *[f"UPDATE audit_events SET id = {i - 1} WHERE id = {i}" for i in range(4, 11)],
    )
    broken = _verify().broken
    assert broken is not None and (broken.seq, broken.kind) == (3, "deleted")


def test_swapping_two_rows_is_detected(chain: str) -> None:
    _attack(
        "UPDATE audit_events SET id = -1 WHERE id = 5",
        "UPDATE audit_events SET id = 5 WHERE id = 6",
        "UPDATE audit_events SET id = 6 WHERE id = -1",
    )
    broken = _verify().broken
    assert broken is not None and (broken.seq, broken.kind) == (5, "reordered"), broken


def test_inserting_a_well_forged_row_in_the_middle_is_detected(chain: str) -> None:
    prev = _row(4)
    forged = (
        5,
        None,
        "decision.recorded",
        "mallory",
        "counsel",
        "cli",
        prev[6],
        prev[7],
        '{"decision":"合法"}',
        prev[10],
    )
    digest = audit.row_hash(forged)
    shifts = [f"UPDATE audit_events SET id = {i + 1} WHERE id = {i}" for i in range(10, 4, -1)]
    insert = (
        "INSERT INTO audit_events (id, case_id, action, actor, role, channel, occurred_utc, occurred_local, payload, "
        f"prev_hash, hash) VALUES (5, NULL, 'decision.recorded', 'mallory', 'counsel', 'cli', '{prev[6]}', "
        f"'{prev[7]}', '{{\"decision\":\"合法\"}}', '{prev[10]}', '{digest}')"
    )
    _attack(*shifts, insert)
    broken = _verify().broken
    assert broken is not None and (broken.seq, broken.kind) == (5, "inserted"), broken


def test_inserting_a_crude_forged_row_is_detected(chain: str) -> None:
    prev = _row(2)
    shifts = [f"UPDATE audit_events SET id = {i + 1} WHERE id = {i}" for i in range(10, 2, -1)]
    insert = (
        "INSERT INTO audit_events (id, case_id, action, actor, role, channel, occurred_utc, occurred_local, payload, "
        f"prev_hash, hash) VALUES (3, NULL, 'decision.recorded', 'mallory', '', 'cli', 'x', 'x', '{{}}', "
        f"'{prev[10]}', '{'f' * 64}')"
    )
    _attack(*shifts, insert)
    broken = _verify().broken
    assert broken is not None and (broken.seq, broken.kind) == (3, "inserted"), broken


def test_anchor_catches_a_deleted_tail(chain: str) -> None:
    head = _row(10)
    _attack("DELETE FROM audit_events WHERE id = 10")
    assert _verify().broken is None  # a chain alone cannot see its lost tail
    with get_engine().connect() as conn:
        broken = audit.verify_chain(conn, anchor=(10, head[10])).broken
        assert broken is not None and broken.kind == "deleted"
        ok = audit.verify_chain(conn, anchor=(9, _row(9)[10]))
        assert ok.broken is None


def _writer(n: int, errors: list[BaseException]) -> None:
    try:
        _events(n)
    except BaseException as err:  # noqa: BLE001
        errors.append(err)


def test_concurrent_writers_keep_one_chain(db_url: str) -> None:
    upgrade()
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_writer, args=(25, errors)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = _verify()
    assert report.broken is None and report.count == 150


@pytest.mark.postgres
def test_parallel_writer_processes_on_postgres(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    from tests.conftest import _reset_caches
    from tests.pg import throwaway_database

    with throwaway_database() as url:
        monkeypatch.setenv("REVIEWKIT_DATABASE_URL", url)
        _reset_caches()
        upgrade()
        script = "from tests.integration.test_audit_chain import _events\n_events(40)\n"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", script],
                cwd=Path(__file__).resolve().parents[2],
                env={**__import__("os").environ, "REVIEWKIT_DATABASE_URL": url},
            )
            for _ in range(5)
        ]
        assert [p.wait(timeout=120) for p in procs] == [0] * 5
        report = _verify()
        assert report.broken is None and report.count == 200
        _reset_caches()
