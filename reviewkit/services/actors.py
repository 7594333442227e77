"""Who is acting, and through which channel."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from reviewkit.errors import NotFound, PermissionDenied
from reviewkit.store.models import User

CHANNELS = ("cli", "prefect-ui", "api", "demo", "system")
SYSTEM = "system"


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

    @property
    def label(self) -> str:
        return f"{self.display_name}（{self.username}）" if self.display_name else self.username

    @property
    def own_roles(self) -> frozenset[str]:
        return self.roles - {r for _, r in self.delegations}

    def principal_for(self, role: str) -> str | None:
        """Whom the actor acts for when using ``role`` (``None``: in their own right)."""
        return next((p for p, r in self.delegations if r == role), None)


SYSTEM_ACTOR = Actor(username=SYSTEM, roles=frozenset({"system"}), channel="system", display_name="系统")


def load_actor(session: Session, username: str, channel: str) -> Actor:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"名册中没有用户“{username}”")
    if not user.active:
        raise PermissionDenied(f"用户“{username}”已停用")
    from reviewkit.services.delegation import active_grants

    own = frozenset(user.roles)
    grants = tuple((p, r) for p, r in active_grants(session, user.username) if r not in own)
    return Actor(username=user.username, roles=own | {r for _, r in grants}, channel=channel,
                 display_name=user.display_name, delegations=grants)
