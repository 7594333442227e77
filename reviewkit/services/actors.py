"""Who is acting, and through which channel; and whether that was proved.

No user name is an actor. An ``Actor`` counts only with a ``Proof`` sealed by this process when the
person proved who they are (``services.identity``: PIN, script token, one-time approval code, the
demo's own case) or for the system itself (automatic stages). A hand-built ``Actor`` or a name
carries no seal and every service that changes a case refuses it (``require_proven``), recording the
attempt as a claim (``（未证实身份）``), never in the name of the person named.

The seal is an HMAC under a key drawn when the process starts and never stored: nothing outside the
process (a Prefect parameter, a form, a database row) can produce one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from reviewkit.errors import NotFound, PermissionDenied
from reviewkit.settings import get_settings
from reviewkit.store.models import Case, Delegation, User

CHANNELS = ("cli", "prefect-ui", "web", "api", "demo", "system")
SYSTEM = "system"
UNPROVEN = "（未证实身份）"
METHODS = {
    "pin": "PIN",
    "token": "令牌",
    "code": "一次性审批码",
    "intake-code": "一次性登记码",
    "demo": "演示案件",
    "system": "系统",
}
_KEY = secrets.token_bytes(32)


@dataclass(frozen=True)
class Proof:
    """How the person proved who they are (``method``, a key of ``METHODS``), sealed for one user
    name and channel. ``ticket``: the one-time code row the decision spends (method ``code``), or the
    demo case the proof is good for (method ``demo``)."""

    method: str
    ticket: int | None
    seal: str


def _seal(username: str, channel: str, method: str, ticket: int | None) -> str:
    message = f"{username}\x1f{channel}\x1f{method}\x1f{ticket}".encode()
    return hmac.new(_KEY, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Actor:
    """``roles`` include roles held through an active delegation; ``delegations`` lists them as
    ``(principal, role)``. ``auth`` says how identity was proved: ``pin``, ``token``, ``code`` (one-time
    approval code) or ``""`` (trusted in-process caller)."""

    username: str
    roles: frozenset[str]
    channel: str
    display_name: str = ""
    auth: str = ""
    delegations: tuple[tuple[str, str], ...] = ()
    proof: Proof | None = None

    @property
    def proven(self) -> bool:
        p = self.proof
        return p is not None and hmac.compare_digest(
            p.seal, _seal(self.username, self.channel, p.method, p.ticket)
        )

    @property
    def label(self) -> str:
        return f"{self.display_name}（{self.username}）" if self.display_name else self.username

    @property
    def own_roles(self) -> frozenset[str]:
        return self.roles - {r for _, r in self.delegations}

    def principal_for(self, role: str) -> str | None:
        """Whom the actor acts for when using ``role`` (``None``: in their own right)."""
        return next((p for p, r in self.delegations if r == role), None)


@dataclass(frozen=True)
class CodeClaim:
    """Someone says they are ``username`` and shows a one-time approval code (the Prefect Resume form):
    the decision pipeline checks it against the gate and spends it with the decision."""

    username: str
    code: str
    channel: str = "prefect-ui"


@dataclass(frozen=True)
class IntakeClaim:
    """Someone says they are ``username`` and shows a one-time intake code (the Prefect run form):
    the registration checks it and spends it with the new case."""

    username: str
    code: str
    channel: str = "prefect-ui"


def prove(actor: Actor, method: str, ticket: int | None = None) -> Actor:
    """The actor with a sealed proof. Only ``services.identity`` (after checking a secret) and this
    module (for the system) call it."""
    if method not in METHODS:
        raise ValueError(method)
    return replace(
        actor, auth=method, proof=Proof(method, ticket, _seal(actor.username, actor.channel, method, ticket))
    )


def require_proven(who: object) -> Actor:
    """The actor if its identity was proved in this process; otherwise ``PermissionDenied``."""
    if isinstance(who, Actor) and who.proven:
        return who
    name = who.username if isinstance(who, Actor) else str(who)
    raise PermissionDenied(f"未证实“{name}”的身份：须凭 PIN、令牌或一次性审批码办理，仅凭用户名不能办理")


def claimed_name(who: object) -> str:
    """Whom an attempt claimed to be, for the audit of a refusal (never recorded as that person). A
    claim's code is never part of it."""
    if isinstance(who, (Actor, CodeClaim, IntakeClaim)):
        return who.username
    return str(who or "")


def channel_of(who: object) -> str:
    """The channel an attempt came through (``api`` when a bare name gives none)."""
    return str(getattr(who, "channel", "") or "api")


def check_scope(actor: Actor, case: Case) -> None:
    """A proof limited to one case (the demo's own) is good for that case only."""
    if actor.proof is not None and actor.proof.method == "demo" and actor.proof.ticket != case.id:
        raise PermissionDenied(f"演示身份只能办理演示案件，不能办理案件 {case.number}")


def refreshed(session: Session, actor: Actor) -> Actor:
    """The proven actor with roles and delegations as the roster says now (a workbench session may
    outlive a delegation); the proof stays."""
    if actor.username == SYSTEM:
        return actor
    now = load_actor(session, actor.username, actor.channel)
    return replace(actor, roles=now.roles, delegations=now.delegations, display_name=now.display_name)


def acting(session: Session, who: object, case: Case | None = None) -> Actor:
    """The proven actor, refreshed from the roster; ``PermissionDenied`` for a name, an unproven actor,
    or a proof that does not reach ``case``."""
    actor = require_proven(who)
    if case is not None:
        check_scope(actor, case)
    return refreshed(session, actor)


SYSTEM_ACTOR = prove(
    Actor(username=SYSTEM, roles=frozenset({"system"}), channel="system", display_name="系统"), "system"
)


def load_actor(session: Session, username: str, channel: str) -> Actor:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"名册中没有用户“{username}”")
    if not user.active:
        raise PermissionDenied(f"用户“{username}”已停用")
    own = frozenset(user.roles)
    grants = tuple((p, r) for p, r in active_grants(session, user.username) if r not in own)
    return Actor(
        username=user.username,
        roles=own | {r for _, r in grants},
        channel=channel,
        display_name=user.display_name,
        delegations=grants,
    )


def active_grants(session: Session, username: str, on: date | None = None) -> list[tuple[str, str]]:
    """``(principal, role)`` pairs ``username`` may use today through unrevoked delegations whose
    principal is still active and still holds the role."""
    on = on or datetime.now(ZoneInfo(get_settings().timezone)).date()
    rows = session.exec(
        select(Delegation).where(
            Delegation.delegate == username,
            col(Delegation.revoked_at).is_(None),
            Delegation.starts_on <= on,
            Delegation.ends_on >= on,
        )
    ).all()
    grants: list[tuple[str, str]] = []
    for row in rows:
        principal = session.exec(select(User).where(User.username == row.principal)).first()
        if principal is None or not principal.active:
            continue
        grants += [(row.principal, r) for r in row.roles if r in principal.roles]
    return grants
