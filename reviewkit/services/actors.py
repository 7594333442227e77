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
    username: str
    roles: frozenset[str]
    channel: str
    display_name: str = ""

    @property
    def label(self) -> str:
        return f"{self.display_name}（{self.username}）" if self.display_name else self.username


SYSTEM_ACTOR = Actor(username=SYSTEM, roles=frozenset({"system"}), channel="system", display_name="系统")


def load_actor(session: Session, username: str, channel: str) -> Actor:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"名册中没有用户“{username}”")
    if not user.active:
        raise PermissionDenied(f"用户“{username}”已停用")
    return Actor(username=user.username, roles=frozenset(user.roles), channel=channel, display_name=user.display_name)
