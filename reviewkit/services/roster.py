"""The roster: people, their roles, PINs. Every change is audited.

``by`` is the authenticated actor (an admin, or the person themselves for their own PIN).
``by=None`` is a trusted in-process caller (Python API, the demo); the CLI passes ``None`` only in
setup mode, i.e. while no active admin has a PIN (see ``setup_mode``): that is how the very first
admin is created (``reviewkit user add admin --name … --role admin`` + a new PIN).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from reviewkit.domain.roles import ROLE_NAMES
from reviewkit.errors import ConfigError, InvalidInput, NotFound, PermissionDenied
from reviewkit.services.actors import Actor
from reviewkit.services.authz import audited_refusals, authorize
from reviewkit.services.identity import hash_secret, validate_pin
from reviewkit.store import audit
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import User

SETUP_ACTOR = "（初始化）"


def setup_mode() -> bool:
    """True while no active admin has a PIN: roster commands then need no identity."""
    require_schema()
    with session_scope() as session:
        return _setup_mode(session)


def _setup_mode(session: Session) -> bool:
    return not any(
        "admin" in u.roles and u.pin_hash for u in session.exec(select(User).where(User.active)).all()
    )


def _who(by: Actor | None, actor: str, what: str) -> tuple[str, str, str]:
    """(actor name, role, channel) of a roster change; refuses a non-admin."""
    if by is None:
        return actor, "", "cli"
    return by.username, authorize(by, "user.manage"), by.channel


def _check_fields(username: str, roles: list[str], where: str) -> None:
    if not username or not username.replace("_", "").replace("-", "").replace(".", "").isalnum():
        raise InvalidInput(f"{where}用户名“{username}”无效（字母、数字、_ - .）")
    if not roles:
        raise InvalidInput(f"{where}用户 {username} 缺少角色")
    unknown = [r for r in roles if r not in ROLE_NAMES or r == "system"]
    if unknown:
        raise InvalidInput(
            f"{where}用户 {username} 的角色未知：{'、'.join(unknown)}；可选：{'、'.join(k for k in ROLE_NAMES if k != 'system')}"
        )


def _save(session: Session, username: str, fields: dict[str, Any]) -> bool:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        user = User(username=username, **fields)
    elif all(getattr(user, k) == v for k, v in fields.items()):
        return False
    else:
        for k, v in fields.items():
            setattr(user, k, v)
    session.add(user)
    return True


def import_roster(path: Path, *, by: Actor | None = None, actor: str = "system", channel: str = "cli") -> int:
    """Insert or update the users listed in ``path`` (TOML ``[[users]]``); returns how many changed.
    PINs are never read from the file."""
    require_schema()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"无法读取人员名册 {path}：{err}") from None
    entries = raw.get("users")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"人员名册 {path} 缺少 [[users]] 条目")
    changed = 0
    with audited_refusals(by, "导入名册"), session_scope(write=True) as session:
        name, role, chan = _who(by, actor, "导入名册")
        chan = channel if by is None else chan
        for i, entry in enumerate(entries):
            username = str(entry.get("username", "")).strip()
            roles = entry.get("roles", [])
            if not isinstance(roles, list):
                roles = []
            try:
                _check_fields(username, roles, f"人员名册 {path} 第 {i + 1} 个条目：")
            except InvalidInput as err:
                raise ConfigError(str(err)) from None
            fields = {
                "display_name": str(entry.get("name", username)),
                "unit": str(entry.get("unit", "")),
                "roles": list(roles),
                "active": bool(entry.get("active", True)),
            }
            if _save(session, username, fields):
                changed += 1
                audit.append(
                    session,
                    action="roster.user_saved",
                    actor=name,
                    role=role,
                    channel=chan,
                    payload={"username": username, **fields, "source": path.name},
                )
    return changed


def add_user(
    username: str,
    display_name: str,
    roles: list[str],
    *,
    unit: str = "",
    pin: str | None = None,
    by: Actor | None = None,
    actor: str = SETUP_ACTOR,
) -> None:
    """Add a person (or update their name, unit and roles); ``pin`` sets their PIN at once."""
    require_schema()
    username = username.strip()
    _check_fields(username, roles, "")
    pin_hash = hash_secret(validate_pin(pin)) if pin is not None else None
    with audited_refusals(by, f"新增人员 {username}"), session_scope(write=True) as session:
        name, role, chan = _who(by, actor, "新增人员")
        fields: dict[str, Any] = {
            "display_name": display_name.strip() or username,
            "unit": unit.strip(),
            "roles": list(dict.fromkeys(roles)),
            "active": True,
        }
        _save(session, username, fields)
        audit.append(
            session,
            action="roster.user_saved",
            actor=name,
            role=role,
            channel=chan,
            payload={"username": username, **fields, "source": "user add"},
        )
        if pin_hash:
            _store_pin(session, username, pin_hash, name, role, chan)


def set_active(username: str, active: bool, *, by: Actor | None = None, actor: str = SETUP_ACTOR) -> None:
    require_schema()
    with (
        audited_refusals(by, f"{'启用' if active else '停用'}人员 {username}"),
        session_scope(write=True) as session,
    ):
        name, role, chan = _who(by, actor, "停用人员")
        user = _user(session, username)
        if by is not None and by.username == username and not active:
            raise PermissionDenied("不能停用本人账号")
        user.active = active
        session.add(user)
        audit.append(
            session,
            action="roster.user_saved" if active else "roster.user_disabled",
            actor=name,
            role=role,
            channel=chan,
            payload={"username": username, "active": active},
        )


def set_pin(username: str, new_pin: str, *, by: Actor | None = None, actor: str = SETUP_ACTOR) -> None:
    """An admin sets anyone's PIN; a person (already authenticated) sets their own."""
    require_schema()
    digest = hash_secret(validate_pin(new_pin))
    with audited_refusals(by, f"设置 {username} 的 PIN"), session_scope(write=True) as session:
        _user(session, username)
        if by is not None and by.username == username:
            name, role, chan = by.username, "", by.channel
        else:
            name, role, chan = _who(by, actor, "设置 PIN")
        _store_pin(session, username, digest, name, role, chan)


def _store_pin(session: Session, username: str, digest: str, name: str, role: str, channel: str) -> None:
    user = _user(session, username)
    user.pin_hash, user.failed_logins, user.locked_until = digest, 0, None
    session.add(user)
    audit.append(
        session,
        action="roster.pin_set",
        actor=name,
        role=role,
        channel=channel,
        payload={"username": username},
    )


def _user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"名册中没有用户“{username}”")
    return user


def list_users() -> list[dict[str, object]]:
    require_schema()
    with session_scope() as session:
        return [
            {
                "username": u.username,
                "display_name": u.display_name,
                "unit": u.unit,
                "roles": list(u.roles),
                "active": u.active,
                "has_pin": bool(u.pin_hash),
            }
            for u in session.exec(select(User).order_by(User.username)).all()
        ]
