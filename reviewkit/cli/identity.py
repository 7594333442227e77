"""Who is at the keyboard: ``--as USER`` + PIN (prompted, ``--pin`` or ``REVIEWKIT_PIN``), or a script
token in ``REVIEWKIT_TOKEN``. Shared by the commands that act on someone's authority."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import typer

from reviewkit.errors import InvalidInput, PermissionDenied

if TYPE_CHECKING:
    from reviewkit.services.actors import Actor

AS_HELP = "操作人（名册中的用户名）；随后输入其 PIN，或设置 REVIEWKIT_TOKEN"
PIN_HELP = "PIN（供脚本使用；交互使用时请省略，按提示输入；也可用环境变量 REVIEWKIT_PIN）"


def _ask(label: str) -> str:
    if not sys.stdin.isatty():
        raise InvalidInput(f"需要{label}：请在终端中运行，或用 --pin / 环境变量 REVIEWKIT_PIN 提供")
    return str(typer.prompt(label, hide_input=True))


def current_actor(username: str | None, pin: str | None, *, channel: str = "cli") -> Actor:
    """Authenticate the person at the keyboard, or refuse (audited) with one Chinese line."""
    from reviewkit.services.identity import authenticate_pin, authenticate_token

    token = os.environ.get("REVIEWKIT_TOKEN", "").strip()
    if token and pin is None:
        actor = authenticate_token(token, channel=channel)
        if username and username != actor.username:
            raise PermissionDenied(f"REVIEWKIT_TOKEN 属于“{actor.username}”，与 --as {username} 不符")
        return actor
    if not username:
        raise InvalidInput("请用 --as 指明操作人（脚本可设置 REVIEWKIT_TOKEN）")
    secret = pin if pin is not None else os.environ.get("REVIEWKIT_PIN") or _ask(f"{username} 的 PIN")
    return authenticate_pin(username, secret, channel=channel)


def roster_actor(username: str | None, pin: str | None) -> Actor | None:
    """For roster commands: ``None`` (no identity needed) in setup mode, when nobody is named."""
    from reviewkit.services.roster import setup_mode

    if not username and not os.environ.get("REVIEWKIT_TOKEN") and setup_mode():
        return None
    return current_actor(username, pin)


def new_pin(value: str | None, whose: str) -> str:
    """A new PIN: ``--new-pin``, ``REVIEWKIT_NEW_PIN``, or typed twice."""
    if value is not None:
        return value
    env = os.environ.get("REVIEWKIT_NEW_PIN")
    if env:
        return env
    first = _ask(f"{whose} 的新 PIN")
    if _ask("再次输入新 PIN") != first:
        raise InvalidInput("两次输入的 PIN 不一致")
    return first
