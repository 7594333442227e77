"""The audit chain: append-only events, each carrying the previous event's hash and its own.

``hash = sha256(canonical_json(body))`` where body holds the event's sequence number, case, action,
actor, role, channel, both times, payload and ``prev_hash``. Appends are serialised: a PostgreSQL
transaction-level advisory lock, and on SQLite the writer's ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import Session, select

from reviewkit.settings import get_settings
from reviewkit.store.models import AuditEvent

GENESIS = "0" * 64
_LOCK_KEY = 7_272_001


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_body(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.id,
        "case_id": event.case_id,
        "action": event.action,
        "actor": event.actor,
        "role": event.role,
        "channel": event.channel,
        "occurred_utc": event.occurred_utc,
        "occurred_local": event.occurred_local,
        "payload": json.loads(event.payload),
        "prev_hash": event.prev_hash,
    }


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_json(event_body(event)).encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    action: str,
    actor: str,
    channel: str,
    role: str = "",
    case_id: int | None = None,
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction (it commits with the change it records)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    last = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()  # type: ignore[union-attr]
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    local = moment.astimezone(ZoneInfo(get_settings().timezone))
    event = AuditEvent(
        id=(last.id or 0) + 1 if last else 1,
        case_id=case_id,
        action=action,
        actor=actor,
        role=role,
        channel=channel,
        occurred_utc=moment.isoformat(timespec="microseconds"),
        occurred_local=local.isoformat(timespec="seconds"),
        payload=canonical_json(payload or {}),
        prev_hash=last.hash if last else GENESIS,
        hash="",
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event
