"""``reviewkit store gc``: collect file-store objects no case references (issue #20).

An object is referenced while a document version or an attachment names its SHA-256. The sweep moves
objects unreferenced and untouched for ``older_than`` (default a day) into quarantine, and deletes
quarantined objects still unreferenced after ``blobs.QUARANTINE_GRACE``; one that gained a reference
meanwhile goes back (store/blobs.py explains why it takes two sweeps). Each sweep that changes
anything is one audited ``store.gc`` event; a dry run changes nothing and records nothing.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from reviewkit.errors import InvalidInput
from reviewkit.services.actors import Actor
from reviewkit.services.authz import audited_refusals, authorize
from reviewkit.settings import get_settings
from reviewkit.store import audit, blobs
from reviewkit.store.db import get_engine, require_schema, session_scope

DEFAULT_OLDER_THAN = timedelta(days=1)
# Every column that names a blob. A new table that keeps files in the store must be added here.
REFERENCES = (("document_versions", "sha256"), ("attachments", "sha256"))
_LISTED = 200  # SHA-256s listed in the audit event per kind (the counts are always complete)


@dataclass
class GcReport:
    dry_run: bool
    older_than_hours: float
    scanned: int = 0
    referenced: int = 0
    quarantined: list[str] = field(default_factory=list)
    quarantined_bytes: int = 0
    deleted: list[str] = field(default_factory=list)
    deleted_bytes: int = 0
    restored: list[str] = field(default_factory=list)
    waiting: int = 0  # quarantined, unreferenced, grace not over yet
    incoming_removed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def changed(self) -> bool:
        return bool(self.quarantined or self.deleted or self.restored or self.incoming_removed)


def referenced_digests(conn: Connection) -> set[str]:
    union = " UNION ".join(f"SELECT DISTINCT {c} FROM {t}" for t, c in REFERENCES)
    return {str(row[0]) for row in conn.exec_driver_sql(union)}


def collect(
    by: Actor, *, older_than: timedelta = DEFAULT_OLDER_THAN, dry_run: bool = False, now: float | None = None
) -> GcReport:
    """One sweep (admins only; a refusal is audited). ``now`` (epoch seconds) is for tests."""
    require_schema()
    if older_than < timedelta(hours=1):
        raise InvalidInput("清理的对象须至少 1 小时无人引用、未被写入（--older-than-hours 不得小于 1）")
    with audited_refusals(by, "清理文件库"):
        role = authorize(by, "store.gc")
    data_dir = get_settings().resolved_data_dir
    moment = time.time() if now is None else now
    report = GcReport(dry_run=dry_run, older_than_hours=older_than.total_seconds() / 3600)
    _sweep_quarantine(data_dir, report, moment)
    _sweep_objects(data_dir, report, moment - older_than.total_seconds(), moment)
    for path in blobs.stale_incoming(data_dir, moment - older_than.total_seconds()):
        if dry_run or blobs.remove(path):
            report.incoming_removed += 1
    if report.changed and not dry_run:
        with session_scope(write=True) as session:
            audit.append(
                session,
                action="store.gc",
                actor=by.username,
                role=role,
                channel=by.channel,
                payload=_audit_payload(report),
            )
    return report


def _sweep_quarantine(data_dir: Path, report: GcReport, now: float) -> None:
    """Second step: delete what stayed unreferenced through the grace; put back what is referenced."""
    waiting = list(blobs.quarantined(data_dir))
    if not waiting:
        return
    with get_engine().connect() as conn:  # read after listing: a reference committed before is seen
        used = referenced_digests(conn)
    grace = blobs.QUARANTINE_GRACE.total_seconds()
    for obj in waiting:
        if obj.sha256 in used:
            if not report.dry_run:
                blobs.restore(data_dir, obj.sha256)
            report.restored.append(obj.sha256)
        elif obj.mtime <= now - grace:
            if report.dry_run or blobs.remove(obj.path):
                report.deleted.append(obj.sha256)
                report.deleted_bytes += obj.size
        else:
            report.waiting += 1


def _sweep_objects(data_dir: Path, report: GcReport, before: float, now: float) -> None:
    """First step: move aside objects unreferenced and untouched since ``before``."""
    old = []
    for obj in blobs.objects(data_dir):
        report.scanned += 1
        if obj.mtime < before:
            old.append(obj)
    if not old:
        return
    with get_engine().connect() as conn:
        used = referenced_digests(conn)
    for obj in old:
        if obj.sha256 in used:
            report.referenced += 1
        elif report.dry_run or blobs.move_to_quarantine(data_dir, obj, before, now):
            report.quarantined.append(obj.sha256)
            report.quarantined_bytes += obj.size


def _audit_payload(report: GcReport) -> dict[str, Any]:
    payload = {k: v for k, v in report.as_dict().items() if k != "dry_run"}
    for key in ("quarantined", "deleted", "restored"):
        digests = payload[key]
        payload[f"{key}_count"] = len(digests)
        payload[key] = digests[:_LISTED]
    return payload


def describe(report: GcReport) -> str:
    verb = "将" if report.dry_run else "已"
    hours = f"{report.older_than_hours:g}"
    lines = [
        f"文件库共 {report.scanned} 个对象，其中超过 {hours} 小时未写入的仍被引用 {report.referenced} 个。",
        f"{verb}移入隔离区 {len(report.quarantined)} 个（{_size(report.quarantined_bytes)}）："
        f"无人引用且超过 {hours} 小时未写入。",
        f"{verb}永久删除 {len(report.deleted)} 个（{_size(report.deleted_bytes)}）：隔离满 "
        f"{blobs.QUARANTINE_GRACE.total_seconds() / 3600:g} 小时仍无人引用；尚在隔离期 {report.waiting} 个。",
    ]
    if report.restored:
        lines.append(f"{verb}移回 {len(report.restored)} 个：隔离期间又被引用。")
    if report.incoming_removed:
        lines.append(f"{verb}清除中断写入留下的临时文件 {report.incoming_removed} 个。")
    if report.dry_run:
        lines.append("（试运行：未改动任何文件，未记入审计。）")
    return "\n".join(lines)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"
