"""Run leases: which flow-run process carries a case right now, and until when.

A flow-run process takes the case's lease before it touches the case and renews it while it runs.
When a worker is killed (SIGKILL, power loss) Prefect keeps calling its run "Running" forever; the
lease says otherwise once it has expired, and ``reviewkit sync`` reschedules that same run, whose
body re-reads the store and goes on where the store stands (nothing is done twice; a decision typed
into the Resume form before the kill is still in the run's input).

The token fences a stale process: a second process (of the same run rescheduled, or of another run)
takes the lease only when it has expired or was released; a process whose renewal finds another
token has lost the case and must stop at once.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from reviewkit.store import audit
from reviewkit.store.db import session_scope
from reviewkit.store.models import Case, RunLease, as_utc, utcnow


@dataclass(frozen=True)
class Lease:
    case_id: int
    flow_run_id: str
    token: str
    holder: str
    acquired_at: datetime
    expires_at: datetime
    released: bool

    def expired(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.expires_at


@dataclass(frozen=True)
class Held:
    """Someone else's live lease on the case (``acquire`` refused)."""

    flow_run_id: str
    holder: str
    expires_at: datetime


def new_token() -> str:
    return uuid.uuid4().hex


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire(case_id: int, flow_run_id: str, token: str, ttl: float) -> Held | None:
    """Take (or keep) the case's lease for ``ttl`` seconds. Returns ``None`` on success, or who holds
    it when another live process does. Taking over an expired lease of another process is audited."""
    now = utcnow()
    with session_scope(write=True) as session:
        session.get(Case, case_id, with_for_update=True)  # serialises takers on PostgreSQL
        lease = session.get(RunLease, case_id, with_for_update=True)
        if lease is None:
            session.add(
                RunLease(
                    case_id=case_id,
                    flow_run_id=flow_run_id,
                    token=token,
                    holder=holder_name(),
                    acquired_at=now,
                    expires_at=now + timedelta(seconds=ttl),
                )
            )
            return None
        live = lease.token != token and not lease.released and now < as_utc(lease.expires_at)
        if live:
            return Held(lease.flow_run_id, lease.holder, as_utc(lease.expires_at))
        if lease.token != token and not lease.released:
            audit.append(
                session,
                action="flow_run.lease_taken_over",
                actor="system",
                channel="system",
                case_id=case_id,
                payload={
                    "flow_run_id": flow_run_id,
                    "previous_flow_run_id": lease.flow_run_id,
                    "previous_holder": lease.holder,
                    "expired_at": as_utc(lease.expires_at).isoformat(),
                },
            )
        lease.flow_run_id, lease.token, lease.holder = flow_run_id, token, holder_name()
        lease.acquired_at, lease.expires_at, lease.released = now, now + timedelta(seconds=ttl), False
        session.add(lease)
        return None


def renew(case_id: int, token: str, ttl: float) -> bool:
    """Extend the lease; ``False`` when this process no longer holds it (another took it over)."""
    from sqlalchemy import update

    with session_scope(write=True, lane="lease") as session:  # its own pool: never behind decisions
        result = session.execute(
            update(RunLease)
            .where(RunLease.case_id == case_id, RunLease.token == token)  # type: ignore[arg-type]
            .values(expires_at=utcnow() + timedelta(seconds=ttl))
        )
        return bool(getattr(result, "rowcount", 0))


def release(case_id: int, token: str, grace: float) -> None:
    """The process is done with the case (the run suspended at a gate or ended). The lease stays valid
    for ``grace`` seconds so that a reconcile that reads Prefect's state a moment late does not take a
    run that is just suspending for a dead one; the next process of the case may take it at once."""
    from sqlalchemy import update

    with session_scope(write=True, lane="lease") as session:
        session.execute(
            update(RunLease)
            .where(RunLease.case_id == case_id, RunLease.token == token)  # type: ignore[arg-type]
            .values(released=True, expires_at=utcnow() + timedelta(seconds=grace))
        )


def current(case_id: int) -> Lease | None:
    with session_scope() as session:
        lease = session.get(RunLease, case_id)
        if lease is None:
            return None
        return Lease(
            lease.case_id,
            lease.flow_run_id,
            lease.token,
            lease.holder,
            as_utc(lease.acquired_at),
            as_utc(lease.expires_at),
            lease.released,
        )


RESCHEDULED = "rescheduled:"


def claim_reschedule(
    case_id: int, flow_run_id: str, seen: Lease | None, state: str, detail: dict[str, object] | None = None
) -> bool:
    """Hand the case's lease back on behalf of a dead process, before its run is scheduled again, and
    audit it (with what the reconciler saw in Prefect, ``detail``), in one transaction. ``False`` when
    the lease is no longer what the caller saw: another reconciler (another worker, ``reviewkit sync``)
    has just done it, or a process took the lease."""
    now = utcnow()
    with session_scope(write=True) as session:
        session.get(Case, case_id, with_for_update=True)
        lease = session.get(RunLease, case_id, with_for_update=True)
        if seen is None:
            if lease is not None:
                return False
            lease = RunLease(case_id=case_id, flow_run_id=flow_run_id, token="", holder="", expires_at=now)
        elif lease is None or lease.token != seen.token or as_utc(lease.expires_at) != seen.expires_at:
            return False
        lease.flow_run_id, lease.token, lease.holder = (
            flow_run_id,
            RESCHEDULED + new_token(),
            f"对账 {holder_name()}",
        )
        lease.acquired_at, lease.expires_at, lease.released = now, now, True
        session.add(lease)
        audit.append(
            session,
            action="flow_run.rescheduled",
            actor="system",
            channel="system",
            case_id=case_id,
            payload={
                "flow_run_id": flow_run_id,
                "prefect_state": state,
                "lease_holder": seen.holder if seen else None,
                "lease_expired_at": seen.expires_at.isoformat() if seen else None,
                **(detail or {}),
            },
        )
        return True
