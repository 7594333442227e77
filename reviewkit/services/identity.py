"""Who is acting: PINs, script tokens and one-time approval codes, all kept as salted scrypt hashes.

Channels (see README, 身份与权限):
- CLI: ``--as USER`` and a PIN (prompted; or ``--pin`` / ``REVIEWKIT_PIN`` for scripts and tests), or
  ``REVIEWKIT_TOKEN`` (issued by ``reviewkit user token``). Five wrong PINs lock the account 15 minutes.
- Prefect UI resume form: user name + a one-time approval code. The code is issued by
  ``issue_approval_code`` after the person proved who they are on the CLI, is bound to one gate
  (case, stage, round) and one person, expires, and is consumed by its first successful use, so the
  copy the Prefect server keeps of the form is worthless. No PIN or token ever goes through Prefect.
- Prefect run form (送审登记): user name + a one-time intake code (``reviewkit user code --intake``).
- Python API: no user name is an actor. Services that change a case take an ``Actor`` carrying a
  proof sealed here (``actors.prove``) after a secret was checked; the demo's people act only on the
  demo's own case (method ``demo``); automatic stages act as ``SYSTEM_ACTOR``.

Wrong codes are counted per gate, not per person (``CodeThrottle``): whoever types them, after
``GATE_MAX_FAILURES`` within ``LOCK_MINUTES`` the gate takes no code for ``LOCK_MINUTES``, and nobody's
genuine code is burned by a stranger typing under their name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from reviewkit.errors import InvalidInput, NotFound, PermissionDenied
from reviewkit.services.actors import UNPROVEN, Actor, acting, load_actor, prove, require_proven
from reviewkit.services.authz import audited_refusals, authorize
from reviewkit.services.delegation import may_take_task
from reviewkit.settings import get_settings
from reviewkit.store import audit
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import (
    ApiToken,
    ApprovalCode,
    Case,
    CodeThrottle,
    HumanTask,
    IntakeCode,
    User,
    as_utc,
)

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PIN_MIN_LENGTH = 6
MAX_FAILURES = 5
LOCK_MINUTES = 15
CODE_TTL_HOURS = 72
INTAKE_TTL_HOURS = 24
GATE_MAX_FAILURES = 10
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


# --- hashing -----------------------------------------------------------------------------------


def hash_secret(secret: str) -> str:
    """``scrypt$log2n$r$p$salt$digest`` (base64); the parameters travel with the hash."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N.bit_length() - 1}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_secret(secret: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, log_n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(
            secret.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=2 ** int(log_n),
            r=int(r),
            p=int(p),
            dklen=len(want),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def validate_pin(pin: str) -> str:
    pin = pin.strip()
    if len(pin) < PIN_MIN_LENGTH:
        raise InvalidInput(f"PIN 至少 {PIN_MIN_LENGTH} 位")
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise InvalidInput("PIN 过于简单（不能是同一字符或连续数字）")
    return pin


# --- permissions -------------------------------------------------------------------------------


# --- PIN and token -----------------------------------------------------------------------------


def authenticate_pin(username: str, pin: str, *, channel: str = "cli") -> Actor:
    """The actor if ``pin`` is right; a wrong PIN is counted (and audited) before the refusal."""
    require_schema()
    now = datetime.now(UTC)
    refusal = ""
    with session_scope(write=True) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            raise NotFound(f"名册中没有用户“{username}”")
        locked = as_utc(user.locked_until)
        if locked and locked > now:
            raise PermissionDenied(f"用户“{username}”因多次输入错误 PIN 已锁定，请于 {_local(locked)} 后再试")
        if not user.pin_hash:
            raise PermissionDenied(
                f"用户“{username}”尚未设置 PIN，请管理员运行 reviewkit user set-pin {username}"
            )
        if check_secret(pin, user.pin_hash):
            if user.failed_logins or user.locked_until:
                user.failed_logins, user.locked_until = 0, None
                session.add(user)
            return prove(load_actor(session, username, channel), "pin")
        user.failed_logins += 1
        refusal = f"用户“{username}”的 PIN 不正确"
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            refusal += f"，已连续错误 {MAX_FAILURES} 次，锁定 {LOCK_MINUTES} 分钟"
        session.add(user)
        audit.append(
            session,
            action="identity.refused",
            actor=username,
            channel=channel,
            payload={"method": "pin", "reason": refusal},
        )
    raise PermissionDenied(refusal)


def issue_token(username: str, by: Actor, *, label: str = "", days: int | None = 365) -> str:
    """A script token for ``username`` (shown once): ``rkt_<id>_<secret>``. Admin only."""
    require_schema()
    secret = secrets.token_urlsafe(24)
    with audited_refusals(by, f"为 {username} 签发令牌"), session_scope(write=True) as session:
        role = authorize(by, "token.issue")
        load_actor(session, username, "cli")
        expires = datetime.now(UTC) + timedelta(days=days) if days else None
        token = ApiToken(
            username=username,
            label=label,
            token_hash=hash_secret(secret),
            created_by=by.username,
            expires_at=expires,
        )
        session.add(token)
        session.flush()
        audit.append(
            session,
            action="identity.token_issued",
            actor=by.username,
            role=role,
            channel=by.channel,
            payload={
                "username": username,
                "token_id": token.id,
                "label": label,
                "expires_at": expires.isoformat() if expires else None,
            },
        )
        return f"rkt_{token.id}_{secret}"


def authenticate_token(token: str, *, channel: str = "cli") -> Actor:
    require_schema()
    bad = PermissionDenied("REVIEWKIT_TOKEN 无效、已撤销或已过期")
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "rkt" or not parts[1].isdigit():
        raise bad
    with session_scope(write=True) as session:
        row = session.get(ApiToken, int(parts[1]))
        expires = as_utc(row.expires_at) if row else None
        if row is None or row.revoked_at or (expires and expires <= datetime.now(UTC)):
            raise bad
        if not check_secret(parts[2], row.token_hash):
            raise bad
        row.last_used_at = datetime.now(UTC)
        session.add(row)
        actor = load_actor(session, row.username, channel)
    return prove(actor, "token")


def revoke_token(token_id: int, by: Actor) -> None:
    require_schema()
    with audited_refusals(by, f"撤销令牌 {token_id}"), session_scope(write=True) as session:
        role = authorize(by, "token.issue")
        row = session.get(ApiToken, token_id)
        if row is None:
            raise NotFound(f"没有令牌 {token_id}")
        row.revoked_at = datetime.now(UTC)
        session.add(row)
        audit.append(
            session,
            action="identity.token_revoked",
            actor=by.username,
            role=role,
            channel=by.channel,
            payload={"token_id": token_id, "username": row.username},
        )


# --- one-time approval codes for the Prefect resume form ----------------------------------------


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def issue_approval_code(
    by: Actor, case_id: int, stage: str, round: int, *, ttl_hours: int = CODE_TTL_HOURS
) -> str:
    """A one-time code ``XXXXX-XXXXX`` for ``username`` to resume the gate (case, stage, round).

    ``by`` proved who they are (``authenticate_pin``/``authenticate_token``); the code is theirs.
    Refused unless the gate is open and the person may decide there (role, assignee). A new code
    supersedes the person's earlier unused codes for the same gate.
    """
    require_schema()
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    now = datetime.now(UTC)
    with session_scope(write=True) as session:
        actor = acting(session, by)
        username, channel = actor.username, actor.channel
        task = _open_gate(session, case_id, stage, round)
        may_take_task(session, actor, task)
        for old in _live_codes(session, username, case_id, stage, round, now):
            old.expires_at = now
            session.add(old)
        row = ApprovalCode(
            username=username,
            case_id=case_id,
            stage=stage,
            round=round,
            code_hash=hash_secret(raw),
            expires_at=now + timedelta(hours=ttl_hours),
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            action="identity.code_issued",
            actor=username,
            channel=channel,
            case_id=case_id,
            payload={
                "stage": stage,
                "round": round,
                "code_id": row.id,
                "expires_at": row.expires_at.isoformat(),
            },
        )
    return f"{raw[:5]}-{raw[5:]}"


def _open_gate(session: Session, case_id: int, stage: str, round: int) -> HumanTask:
    task = session.exec(
        select(HumanTask).where(
            HumanTask.case_id == case_id,
            HumanTask.stage == stage,
            HumanTask.round == round,
            HumanTask.status == "open",
        )
    ).first()
    if task is None:
        case = session.get(Case, case_id)
        raise PermissionDenied(
            f"案件 {case.number if case else case_id} 在环节 {stage}（第 {round} 轮）没有待办"
        )
    return task


def _live_codes(
    session: Session, username: str, case_id: int, stage: str, round: int, now: datetime
) -> list[ApprovalCode]:
    rows = session.exec(
        select(ApprovalCode).where(
            ApprovalCode.username == username,
            ApprovalCode.case_id == case_id,
            ApprovalCode.stage == stage,
            ApprovalCode.round == round,
            col(ApprovalCode.used_at).is_(None),
            ApprovalCode.failures < MAX_FAILURES,
        )
    ).all()
    return [r for r in rows if (as_utc(r.expires_at) or now) > now]


def consume_approval_code(
    session: Session,
    username: str,
    code: str,
    case_id: int,
    stage: str,
    round: int,
    *,
    channel: str = "prefect-ui",
) -> Actor:
    """Inside the caller's transaction: mark the matching live code used and return the proven actor,
    or raise ``PermissionDenied`` (the caller then calls ``note_code_failure`` after its rollback).
    A gate paused by too many wrong codes takes none, not even a right one, until the pause ends."""
    now = datetime.now(UTC)
    throttle = session.get(CodeThrottle, (case_id, stage, round))
    paused = as_utc(throttle.paused_until) if throttle else None
    if paused and paused > now:
        raise PermissionDenied(f"本环节的审批码错误次数过多，已暂停受理至 {_local(paused)}，请届时再提交")
    wanted = _normalise_code(code)
    for row in _live_codes(session, username, case_id, stage, round, now) if wanted else []:
        if check_secret(wanted, row.code_hash):
            row.used_at = now
            session.add(row)
            return prove(load_actor(session, username, channel), "code", row.id)
    raise PermissionDenied(f"以“{username}”名义提交的审批码无效、已使用或已过期，请本人重新获取")


def note_code_failure(
    username: str, case_id: int, stage: str, round: int, *, channel: str = "prefect-ui", reason: str = ""
) -> None:
    """Count a wrong code against the gate (never against the named person's codes) and audit the
    attempt as a claim: whoever typed it did not prove they are ``username``."""
    now = datetime.now(UTC)
    window = timedelta(minutes=LOCK_MINUTES)
    with session_scope(write=True) as session:
        row = session.get(CodeThrottle, (case_id, stage, round), with_for_update=True)
        if row is None:
            row = CodeThrottle(case_id=case_id, stage=stage, round=round, failures=0, window_started=now)
        started = as_utc(row.window_started) or now
        if now - started > window:
            row.failures, row.window_started = 0, now
        row.failures += 1
        paused = None
        if row.failures >= GATE_MAX_FAILURES:
            row.paused_until, row.failures, row.window_started = now + window, 0, now
            paused = row.paused_until
        session.add(row)
        audit.append(
            session,
            action="identity.refused",
            actor=UNPROVEN,
            channel=channel,
            case_id=case_id,
            payload={
                "method": "code",
                "claimed_user": username,
                "stage": stage,
                "round": round,
                "reason": reason or "审批码无效",
                **({"gate_paused_until": paused.isoformat()} if paused else {}),
            },
        )


def verify_approval_code(
    username: str, code: str, case_id: int, stage: str, round: int, *, channel: str = "prefect-ui"
) -> Actor:
    """Check and consume (single use) a code in its own transaction; ``PermissionDenied`` otherwise.
    Prefer ``workflow.decide`` with a ``CodeClaim``, which spends it with the decision."""
    require_schema()
    try:
        with session_scope(write=True) as session:
            actor = consume_approval_code(session, username, code, case_id, stage, round, channel=channel)
            audit.append(
                session,
                action="identity.code_used",
                actor=username,
                channel=channel,
                case_id=case_id,
                payload={"stage": stage, "round": round},
            )
            return actor
    except PermissionDenied as err:
        note_code_failure(username, case_id, stage, round, channel=channel, reason=str(err))
        raise


# --- one-time intake codes for the Prefect run form (送审登记) -----------------------------------


def issue_intake_code(actor: Actor, *, ttl_hours: int = INTAKE_TTL_HOURS) -> str:
    """A one-time code with which ``actor`` (proved on the CLI) registers one case from the Prefect
    run form. Only someone who may register cases gets one."""
    require_schema()
    require_proven(actor)
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    now = datetime.now(UTC)
    with audited_refusals(actor, "签发送审登记码"), session_scope(write=True) as session:
        role = authorize(actor, "case.start")
        row = IntakeCode(
            username=actor.username, code_hash=hash_secret(raw), expires_at=now + timedelta(hours=ttl_hours)
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            action="identity.intake_code_issued",
            actor=actor.username,
            role=role,
            channel=actor.channel,
            payload={"code_id": row.id, "expires_at": row.expires_at.isoformat()},
        )
    return f"{raw[:5]}-{raw[5:]}"


def consume_intake_code(session: Session, username: str, code: str, *, channel: str = "prefect-ui") -> Actor:
    """Inside the registration's transaction: spend the person's matching live intake code and return
    the proven actor, or ``PermissionDenied``."""
    now = datetime.now(UTC)
    wanted = _normalise_code(code)
    rows = (
        session.exec(
            select(IntakeCode).where(IntakeCode.username == username, col(IntakeCode.used_at).is_(None))
        ).all()
        if wanted
        else []
    )
    for row in rows:
        if (as_utc(row.expires_at) or now) > now and check_secret(wanted, row.code_hash):
            row.used_at = now
            session.add(row)
            return prove(load_actor(session, username, channel), "intake-code", row.id)
    raise PermissionDenied(
        f"以“{username}”名义提交的送审登记码无效、已使用或已过期，请本人运行 reviewkit user code --intake 重新获取"
    )


def demo_actor(session: Session, username: str, case_id: int) -> Actor:
    """A sample person acting on the demo's own case, and on no other: the demo registers its case
    itself (``case.created`` on channel ``demo``, which no served flow, form or command can write)."""
    from reviewkit.store.models import AuditEvent

    created = session.exec(
        select(AuditEvent.channel).where(AuditEvent.case_id == case_id, AuditEvent.action == "case.created")
    ).first()
    if created != "demo":
        raise PermissionDenied(f"案件 {case_id} 不是演示案件，演示脚本不能代人办理")
    return prove(load_actor(session, username, "demo"), "demo", case_id)


def demo_starter(session: Session, username: str) -> Actor:
    """The sample drafter registering the demo's case: only on a database that holds no case but the
    demo's (an office's register, numbers and people are never the demo's to use)."""
    from sqlalchemy import func

    from reviewkit.store.models import AuditEvent

    others = session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "case.created", AuditEvent.channel != "demo")
    ).one()
    if others:
        raise PermissionDenied(
            "本数据库已有正式案件，演示只能在新的或仅有演示案件的数据库上运行"
            "（例如设置 REVIEWKIT_HOME 指向一个新目录）"
        )
    return prove(load_actor(session, username, "demo"), "demo", None)


def _local(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(get_settings().timezone)).strftime("%Y-%m-%d %H:%M")
