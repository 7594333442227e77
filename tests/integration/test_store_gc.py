"""``store gc`` (issue #20) on SQLite and PostgreSQL: unreferenced objects older than the cut-off go to
quarantine (still readable), are deleted only after the grace, come back when a reference appeared
meanwhile; referenced and recent objects are never touched; each sweep is audited, a dry run changes
nothing, and only an admin may sweep (a refusal is audited)."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from reviewkit.errors import InvalidInput, PermissionDenied, StoreError
from reviewkit.services.actors import Actor
from reviewkit.services.attachments import attach
from reviewkit.services.store_gc import collect
from reviewkit.settings import get_settings
from reviewkit.store import blobs
from reviewkit.store.db import session_scope
from reviewkit.store.models import AuditEvent, DocumentVersion
from tests.actors import proven, sealed
from tests.integration.test_services import _start

ADMIN = sealed(Actor("admin1", frozenset({"admin"}), "cli", "管理员"))
DAY = 86_400.0


def _age(path: Path, seconds: float) -> None:
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def _events(action: str) -> list[AuditEvent]:
    with session_scope() as session:
        return list(
            session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id)))
        )


def test_sweep_quarantines_then_deletes_unreferenced_objects_only(db_url: str, tmp_path: Path) -> None:
    case_id = _start(tmp_path)
    data_dir = get_settings().resolved_data_dir
    with session_scope() as session:
        draft = session.exec(select(DocumentVersion.sha256).where(DocumentVersion.case_id == case_id)).one()
    orphan = blobs.put_bytes(data_dir, b"a failed upload, two days old")
    fresh = blobs.put_bytes(data_dir, b"a failed upload, an hour old")
    late = blobs.put_bytes(data_dir, b"an upload whose reference is committed after the sweep moved it")
    incoming = data_dir / "objects" / "ab" / ".incoming-crashed"
    incoming.parent.mkdir(parents=True, exist_ok=True)
    incoming.write_bytes(b"half")
    for path in (blobs.blob_path(data_dir, draft), orphan.path, late.path, incoming):
        _age(path, 2 * DAY)
    _age(fresh.path, 3600)

    dry = collect(ADMIN, dry_run=True)
    assert sorted(dry.quarantined) == sorted([orphan.sha256, late.sha256]) and dry.incoming_removed == 1
    assert orphan.path.exists() and incoming.exists() and _events("store.gc") == []

    first = collect(ADMIN)
    assert sorted(first.quarantined) == sorted([orphan.sha256, late.sha256])
    assert first.referenced == 1 and first.deleted == [] and first.incoming_removed == 1
    assert not orphan.path.exists() and fresh.path.exists() and blobs.blob_path(data_dir, draft).exists()
    assert not incoming.exists()
    assert blobs.read_bytes(data_dir, orphan.sha256) == b"a failed upload, two days old"  # still readable

    # A writer that found ``late`` in objects/ just before the move commits its reference now.
    material = tmp_path / "late.txt"
    material.write_bytes(b"an upload whose reference is committed after the sweep moved it")
    attach(case_id, "起草说明", material, proven("drafter1"))
    late.path.unlink()  # (put_bytes wrote it again; that writer had found the old copy instead)
    assert blobs.read_bytes(data_dir, late.sha256)  # read from quarantine

    early = collect(ADMIN, now=time.time() + 1800)  # within the grace: nothing deleted yet
    assert early.deleted == [] and early.waiting == 1 and early.restored == [late.sha256]
    assert late.path.exists()

    second = collect(ADMIN, now=time.time() + blobs.QUARANTINE_GRACE.total_seconds() + 60)
    assert second.deleted == [orphan.sha256] and second.restored == []
    with pytest.raises(StoreError, match="文件库缺少"):
        blobs.read_bytes(data_dir, orphan.sha256)
    assert fresh.path.exists() and late.path.exists() and blobs.blob_path(data_dir, draft).exists()

    events = _events("store.gc")
    assert [e.actor for e in events] == ["admin1"] * 3
    payloads = [json.loads(e.payload) for e in events]
    assert payloads[0]["quarantined_count"] == 2 and payloads[2]["deleted"] == [orphan.sha256]
    assert payloads[1]["restored"] == [late.sha256]


def test_only_an_admin_may_sweep_and_the_refusal_is_audited(db_url: str, tmp_path: Path) -> None:
    _start(tmp_path)
    counsel = sealed(Actor("counsel1", frozenset({"counsel"}), "cli", "法律顾问丙"))
    with pytest.raises(PermissionDenied):
        collect(counsel)
    refused = _events("permission.refused")
    assert refused and refused[-1].actor == "counsel1" and "清理文件库" in refused[-1].payload
    with pytest.raises(InvalidInput, match="不得小于 1"):
        collect(ADMIN, older_than=timedelta(minutes=30))


def test_a_sweep_that_changes_nothing_records_nothing(db_url: str, tmp_path: Path) -> None:
    _start(tmp_path)
    report = collect(ADMIN)
    assert report.scanned == 1 and not report.changed and _events("store.gc") == []
