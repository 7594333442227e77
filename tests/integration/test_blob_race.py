"""The lost-document race (issue #20), on SQLite and PostgreSQL: two writers put the same bytes into the
file store; the first creates the file, the second finds it present and commits a reference to it;
then the first writer's transaction fails. The file must still be there for the second writer's case.

Before the fix the failing writer's ``blobs.discard`` deleted the file it had created, and the other
case's material read back as "文件库缺少…". The interleaving is forced: the second writer runs to its
commit inside the first writer's ``put_bytes``, after the file is created and before the first writer
opens its transaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from reviewkit.errors import PermissionDenied
from reviewkit.services.attachments import attach
from reviewkit.services.cases import submit_version
from reviewkit.settings import get_settings
from reviewkit.store import blobs
from reviewkit.store.db import session_scope
from reviewkit.store.models import Attachment, AuditEvent, DocumentVersion
from tests.actors import proven
from tests.builders import build_docx
from tests.integration.test_services import _start


def _interleave(monkeypatch: pytest.MonkeyPatch, second_writer: Callable[[], Any]) -> list[blobs.StoredBlob]:
    """Make the first ``put_bytes`` call run ``second_writer`` to completion before it returns."""
    real = blobs.put_bytes
    puts: list[blobs.StoredBlob] = []

    def put(data_dir: Path, data: bytes) -> blobs.StoredBlob:
        stored = real(data_dir, data)
        puts.append(stored)
        if len(puts) == 1:
            second_writer()
        return stored

    monkeypatch.setattr(blobs, "put_bytes", put)
    return puts


def _material_writers(
    case_id: int, path: Path
) -> tuple[Callable[[], Any], Callable[[], Any], Callable[[], str]]:
    counsel, drafter = proven("counsel1"), proven("drafter1")

    def failing() -> Any:  # a counsel may not file the drafter's material at the drafting stage
        return attach(case_id, "起草说明", path, counsel)

    def succeeding() -> Any:
        return attach(case_id, "起草说明", path, drafter)

    def committed() -> str:
        with session_scope() as session:
            return session.exec(select(Attachment.sha256).where(Attachment.case_id == case_id)).one()

    return failing, succeeding, committed


def _version_writers(
    case_id: int, path: Path
) -> tuple[Callable[[], Any], Callable[[], Any], Callable[[], str]]:
    counsel, drafter = proven("counsel1"), proven("drafter1")

    def failing() -> Any:  # a counsel may not submit a new version of the draft
        return submit_version(case_id, path, counsel)

    def succeeding() -> Any:
        return submit_version(case_id, path, drafter, note="修改稿")

    def committed() -> str:
        with session_scope() as session:
            return session.exec(
                select(DocumentVersion.sha256).where(
                    DocumentVersion.case_id == case_id, DocumentVersion.seq == 2
                )
            ).one()

    return failing, succeeding, committed


@pytest.mark.parametrize("writers", [_material_writers, _version_writers], ids=["attachment", "version"])
def test_a_failed_writer_does_not_delete_what_a_concurrent_writer_of_the_same_bytes_committed(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writers: Any
) -> None:
    case_id = _start(tmp_path)
    path = build_docx(tmp_path / "same.docx", title="起草说明", articles=["两人同时提交的同一份文件。"])
    failing, succeeding, committed = writers(case_id, path)
    puts = _interleave(monkeypatch, succeeding)

    with pytest.raises(PermissionDenied):
        failing()

    first, second = puts
    assert first.sha256 == second.sha256 and first.created and not second.created  # the race happened
    assert committed() == first.sha256
    data_dir = get_settings().resolved_data_dir
    assert blobs.read_bytes(data_dir, first.sha256) == path.read_bytes()
    with session_scope() as session:
        refusals = session.exec(
            select(AuditEvent.actor).where(
                AuditEvent.case_id == case_id, col(AuditEvent.action).like("%refused")
            )
        ).all()
    assert refusals == ["counsel1"]  # the failing writer's attempt is on record, in the name they proved


def test_put_bytes_refreshes_the_time_of_an_object_it_finds(tmp_path: Path) -> None:
    """So that ``store gc`` does not collect an object a writer is about to reference."""
    import os

    first = blobs.put_bytes(tmp_path, b"same bytes")
    os.utime(first.path, (1_000_000, 1_000_000))
    again = blobs.put_bytes(tmp_path, b"same bytes")
    assert not again.created and again.path.stat().st_mtime > 1_000_000
