"""All tables in one module. Times are timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import overload

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """A time read back from the store, as aware UTC (a backend may hand it back naive)."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    display_name: str = Field(max_length=64)
    unit: str = Field(default="", max_length=128)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    pin_hash: str | None = Field(default=None, max_length=256)
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    # ``case list`` reads only these columns, newest first: led by ``id``, the index is in the listing's
    # order and covers it, so the ~9 KB ``process_snapshot`` rows are not read (migration 0008).
    __table_args__ = (
        Index(
            "ix_cases_list",
            "id",
            "number",
            "kind",
            "process_fingerprint",
            "title",
            "drafting_unit",
            "drafter",
            "stage",
            "round",
            "status",
            "doc_number",
            "created_at",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(index=True, unique=True, max_length=32)
    kind: str = Field(index=True, max_length=64)
    process_version: int
    process_fingerprint: str = Field(max_length=64)
    process_snapshot: str
    title: str = Field(max_length=256)
    drafting_unit: str = Field(max_length=128)
    drafter: str = Field(max_length=64)
    stage: str = Field(index=True, max_length=64)
    round: int = 1
    status: str = Field(default="open", index=True, max_length=16)
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    facts: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    current_version_id: int | None = Field(default=None)
    doc_number: str | None = Field(default=None, max_length=64)
    published_on: date | None = None
    flow_run_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class StageEntry(SQLModel, table=True):
    """Stage history: one row each time a case enters a stage."""

    __tablename__ = "stage_entries"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    stage: str = Field(max_length=64)
    round: int
    entered_at: datetime = Field(default_factory=utcnow)
    left_at: datetime | None = None
    due_on: date | None = None
    due_complete: bool = True
    outcome: str | None = Field(default=None, max_length=64)
    actor: str | None = Field(default=None, max_length=64)


class DocumentVersion(SQLModel, table=True):
    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    seq: int
    filename: str = Field(max_length=256)
    sha256: str = Field(index=True, max_length=64)
    size: int
    submitted_by: str = Field(max_length=64)
    note: str = Field(default="", max_length=512)
    created_at: datetime = Field(default_factory=utcnow)
    prereviewed_at: datetime | None = None


class Attachment(SQLModel, table=True):
    """A named material on file for a case (起草说明, 征求意见采纳情况, 风险评估报告 …): the evidence a
    stage requires before it can be left. Files live content-addressed in the blob store."""

    __tablename__ = "attachments"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    name: str = Field(max_length=64)
    filename: str = Field(max_length=256)
    sha256: str = Field(max_length=64)
    size: int
    stage: str = Field(max_length=64)
    round: int
    draft_sha256: str | None = Field(default=None, max_length=64)
    submitted_by: str = Field(max_length=64)
    generated: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class HumanTask(SQLModel, table=True):
    """A gate waiting for a person. One per case, stage and round."""

    __tablename__ = "human_tasks"
    __table_args__ = (UniqueConstraint("case_id", "stage", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    stage: str = Field(max_length=64)
    round: int
    candidate_roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    assignee: str | None = Field(default=None, max_length=64)
    due_on: date | None = None
    version_id: int | None = Field(default=None, foreign_key="document_versions.id")
    version_sha256: str | None = Field(default=None, max_length=64)
    status: str = Field(default="open", index=True, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None
    resumed_at: datetime | None = None
    wakes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Decision(SQLModel, table=True):
    __tablename__ = "decisions"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    task_id: int = Field(foreign_key="human_tasks.id", index=True)
    stage: str = Field(max_length=64)
    round: int
    decision: str = Field(max_length=64)
    facts: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    signature_only: bool = False
    outcome: str = Field(max_length=16)
    opinion: str = Field(default="")
    actor: str = Field(max_length=64)
    role: str = Field(max_length=64)
    channel: str = Field(max_length=32)
    version_sha256: str | None = Field(default=None, max_length=64)
    on_behalf_of: str | None = Field(default=None, max_length=64)
    voided_at: datetime | None = None
    voided_reason: str | None = Field(default=None, max_length=256)
    created_at: datetime = Field(default_factory=utcnow)


class Finding(SQLModel, table=True):
    __tablename__ = "findings"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    version_id: int = Field(foreign_key="document_versions.id", index=True)
    rule_id: str = Field(max_length=64)
    category: str = Field(max_length=32)
    severity: str = Field(max_length=16)
    paragraph: int | None = None
    text: str = Field(default="")
    message: str = Field(default="")
    basis: str = Field(default="")
    suggestion: str = Field(default="")


class AuditEvent(SQLModel, table=True):
    """Append-only, hash-chained. Never updated or deleted."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_case_seq", "case_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None)
    action: str = Field(max_length=64)
    actor: str = Field(max_length=64)
    role: str = Field(default="", max_length=64)
    channel: str = Field(max_length=32)
    occurred_utc: str = Field(max_length=40)
    occurred_local: str = Field(max_length=40)
    payload: str
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class ApiToken(SQLModel, table=True):
    """A token for scripts (``REVIEWKIT_TOKEN``); only its salted scrypt hash is kept."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, max_length=64)
    label: str = Field(default="", max_length=128)
    token_hash: str = Field(max_length=256)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class IntakeCode(SQLModel, table=True):
    """A one-time code with which a drafter registers a case from the Prefect run form: issued on the
    CLI after a PIN check, hash only, expiring, spent by the registration it proves."""

    __tablename__ = "intake_codes"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    code_hash: str = Field(max_length=256)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    case_id: int | None = None


class CodeThrottle(SQLModel, table=True):
    """Wrong one-time codes typed at one gate (case, stage, round), whoever's name they were typed
    under: enough of them pause the gate's codes for a while, and nobody's genuine code is burned."""

    __tablename__ = "code_throttles"

    case_id: int = Field(primary_key=True)
    stage: str = Field(primary_key=True, max_length=64)
    round: int = Field(primary_key=True)
    failures: int = 0
    window_started: datetime = Field(default_factory=utcnow)
    paused_until: datetime | None = None


class ApprovalCode(SQLModel, table=True):
    """A one-time code bound to one person and one gate (case, stage, round); hash only, expiring."""

    __tablename__ = "approval_codes"
    __table_args__ = (Index("ix_approval_codes_gate", "case_id", "stage", "round", "username"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    case_id: int = Field(foreign_key="cases.id")
    stage: str = Field(max_length=64)
    round: int
    code_hash: str = Field(max_length=256)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    failures: int = 0


class Delegation(SQLModel, table=True):
    """``principal`` lets ``delegate`` act in (some of) the principal's roles until ``ends_on``."""

    __tablename__ = "delegations"

    id: int | None = Field(default=None, primary_key=True)
    principal: str = Field(index=True, max_length=64)
    delegate: str = Field(index=True, max_length=64)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    starts_on: date
    ends_on: date
    reason: str = Field(default="", max_length=256)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    revoked_by: str | None = Field(default=None, max_length=64)


class NumberSequence(SQLModel, table=True):
    """统一编号: one gap-free counter per issuing body (机关代字) and year. The row is locked
    (``SELECT … FOR UPDATE``) by whoever takes the next number, inside the publication's transaction."""

    __tablename__ = "number_sequences"
    __table_args__ = (UniqueConstraint("issuer_code", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    issuer_code: str = Field(max_length=32)
    year: int
    last_serial: int = 0


class IssuedNumber(SQLModel, table=True):
    """Every 文号 ever given out. A voided number keeps its row (status ``voided``, reason, who, when)
    and is never given out again: the register has no unexplained gaps."""

    __tablename__ = "issued_numbers"
    __table_args__ = (UniqueConstraint("issuer_code", "year", "serial"),)

    id: int | None = Field(default=None, primary_key=True)
    issuer_code: str = Field(max_length=32)
    year: int
    serial: int
    number: str = Field(max_length=64, unique=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    status: str = Field(default="assigned", max_length=16)
    assigned_by: str = Field(max_length=64)
    assigned_at: datetime = Field(default_factory=utcnow)
    voided_at: datetime | None = None
    voided_by: str | None = Field(default=None, max_length=64)
    voided_reason: str | None = Field(default=None, max_length=256)


class ConsultationComment(SQLModel, table=True):
    """A comment received in 公开征求意见, recorded against an article, with its disposition
    (``adopted`` 采纳 / ``partly`` 部分采纳 / ``not_adopted`` 不予采纳 / ``pending`` 待研究) and reason."""

    __tablename__ = "consultation_comments"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    article: str = Field(default="", max_length=32)
    commenter: str = Field(max_length=128)
    commenter_kind: str = Field(default="", max_length=32)
    content: str
    disposition: str = Field(default="pending", max_length=16)
    reason: str = Field(default="")
    received_on: date | None = None
    recorded_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class RegisterEntry(SQLModel, table=True):
    """登记簿: one issued normative document, its 有效期 and status (``in_force`` 有效 / ``expired`` 失效 /
    ``repealed`` 废止 / ``amended`` 已修改). Filled from published cases (``services.register``)."""

    __tablename__ = "register_entries"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", unique=True)
    doc_number: str = Field(index=True, max_length=64)
    title: str = Field(max_length=256)
    issuer: str = Field(default="", max_length=128)
    published_on: date
    effective_on: date
    expires_on: date
    expiry_basis: str = Field(default="default", max_length=16)
    trial: bool = False
    status: str = Field(default="in_force", index=True, max_length=16)
    status_on: date | None = None
    status_reason: str = Field(default="", max_length=256)
    cited_laws: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Notification(SQLModel, table=True):
    """Every notice sent (or attempted): the throttle looks back at ``topic`` + ``recipient`` + ``channel``."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_topic", "topic", "recipient", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, index=True)
    topic: str = Field(max_length=128)
    kind: str = Field(max_length=32)
    level: int = 0
    recipient: str = Field(max_length=64)
    channel: str = Field(max_length=16)
    subject: str = Field(max_length=256)
    status: str = Field(default="sent", max_length=16)
    error: str = Field(default="", max_length=512)
    sent_at: datetime = Field(default_factory=utcnow, index=True)


class EnforcementCertificate(SQLModel, table=True):
    """执法证 of one person: number, scope (执法领域/类别, one entry each) and expiry. One current
    certificate per person; ``reviewkit user cert`` replaces it (audited)."""

    __tablename__ = "enforcement_certificates"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    number: str = Field(unique=True, max_length=64)
    scope: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    expires_on: date
    updated_by: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)


class CaseOfficer(SQLModel, table=True):
    """An enforcement officer who handled a case, with the certificate as it stood when checked."""

    __tablename__ = "case_officers"
    __table_args__ = (UniqueConstraint("case_id", "username"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    username: str = Field(max_length=64)
    certificate_number: str = Field(max_length=64)
    certificate_expires_on: date
    enforcement_field: str = Field(default="", max_length=128)
    checked_on: date
    created_at: datetime = Field(default_factory=utcnow)


class RunLease(SQLModel, table=True):
    """Which flow-run process is carrying a case right now, and until when. The process renews it
    while it runs; ``reviewkit sync`` reschedules a run that Prefect still calls running but whose
    lease has expired (its process was killed). The token fences a stale process: one case, one
    live process."""

    __tablename__ = "run_leases"

    case_id: int = Field(primary_key=True, foreign_key="cases.id")
    flow_run_id: str = Field(max_length=64)
    token: str = Field(max_length=64)
    holder: str = Field(max_length=128)
    acquired_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    released: bool = Field(default=False)
