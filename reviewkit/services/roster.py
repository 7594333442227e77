"""The roster of people and their roles, loaded from a TOML file (full management arrives with #7)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sqlmodel import select

from reviewkit.domain.roles import ROLE_NAMES
from reviewkit.errors import ConfigError
from reviewkit.store import audit
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import User


def import_roster(path: Path, *, actor: str = "system", channel: str = "cli") -> int:
    """Insert or update the users listed in ``path``; returns how many changed."""
    require_schema()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"无法读取人员名册 {path}：{err}") from None
    entries = raw.get("users")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"人员名册 {path} 缺少 [[users]] 条目")
    changed = 0
    with session_scope(write=True) as session:
        for i, entry in enumerate(entries):
            username = str(entry.get("username", "")).strip()
            roles = entry.get("roles", [])
            if not username or not isinstance(roles, list) or not roles:
                raise ConfigError(f"人员名册 {path} 第 {i + 1} 个用户缺少 username 或 roles")
            unknown = [r for r in roles if r not in ROLE_NAMES]
            if unknown:
                raise ConfigError(f"人员名册 {path} 中用户 {username} 的角色未知：{'、'.join(unknown)}")
            user = session.exec(select(User).where(User.username == username)).first()
            fields = {"display_name": str(entry.get("name", username)), "unit": str(entry.get("unit", "")),
                      "roles": list(roles), "active": bool(entry.get("active", True))}
            if user is None:
                user = User(username=username, **fields)
            elif all(getattr(user, k) == v for k, v in fields.items()):
                continue
            else:
                for k, v in fields.items():
                    setattr(user, k, v)
            session.add(user)
            changed += 1
            audit.append(session, action="roster.user_saved", actor=actor, channel=channel,
                         payload={"username": username, **fields, "source": path.name})
    return changed


def list_users() -> list[dict[str, object]]:
    require_schema()
    with session_scope() as session:
        return [
            {"username": u.username, "display_name": u.display_name, "unit": u.unit, "roles": list(u.roles),
             "active": u.active}
            for u in session.exec(select(User).order_by(User.username)).all()
        ]
