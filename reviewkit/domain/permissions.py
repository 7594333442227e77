"""Who may do what: the role × action matrix as data (``templates/permissions.toml``) and pure checks.

Three layers decide whether a person may act:
1. the matrix: an action (``case.start``, ``user.manage`` …) lists the roles that may perform it;
   a decision at a human stage maps to an action (``[decisions]``, default ``case.decide``), which
   caps whatever the process definition says (an admin never approves, whatever a definition lists);
2. the process definition: the stage's ``roles`` (checked by ``transition``);
3. separation of duties: at ``independent_stages`` (合法性审核) nobody who drafted the case or
   submitted one of its versions may decide, nor act for someone who did; a 会签 signer signs once,
   in person or through one delegation, never twice.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewkit.domain.roles import ROLE_NAMES, role_name
from reviewkit.errors import ConfigError, PermissionDenied

_FROZEN = ConfigDict(frozen=True, extra="forbid")
HUMAN_ROLES = frozenset(ROLE_NAMES) - {"system"}


def _known_roles(roles: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [r for r in roles if r not in HUMAN_ROLES]
    if unknown:
        raise ValueError(f"未知的角色：{'、'.join(unknown)}")
    return roles


class ActionSpec(BaseModel):
    model_config = _FROZEN

    name: str = Field(min_length=1)
    roles: tuple[str, ...] = ()

    _check_roles = field_validator("roles")(_known_roles)


class Separation(BaseModel):
    model_config = _FROZEN

    independent_stages: tuple[str, ...] = ("legality_review",)
    delegable_roles: tuple[str, ...] = ()

    _check_roles = field_validator("delegable_roles")(_known_roles)


class PermissionMatrix(BaseModel):
    model_config = _FROZEN

    actions: dict[str, ActionSpec]
    decisions: dict[str, str] = {"default": "case.decide"}
    separation: Separation = Separation()

    def action(self, action_id: str) -> ActionSpec:
        try:
            return self.actions[action_id]
        except KeyError:
            raise ConfigError(f"权限矩阵中没有操作“{action_id}”") from None

    def allows(self, role: str, action_id: str) -> bool:
        return role in self.action(action_id).roles

    def decision_action(self, stage_id: str) -> str:
        return self.decisions.get(stage_id, self.decisions.get("default", "case.decide"))

    def is_independent(self, stage_id: str) -> bool:
        return stage_id in self.separation.independent_stages

    def rows(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """``(action id, Chinese name, roles)`` for display."""
        return [(k, v.name, v.roles) for k, v in self.actions.items()]


def parse_matrix(text: str, origin: str) -> PermissionMatrix:
    try:
        raw = tomllib.loads(text)
        matrix = PermissionMatrix.model_validate(raw)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"权限矩阵 {origin} 不是有效的 TOML：{err}") from None
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"权限矩阵 {origin} 有误：{where}：{first['msg']}") from None
    for stage, action_id in matrix.decisions.items():
        if action_id not in matrix.actions:
            raise ConfigError(f"权限矩阵 {origin} 的 decisions.{stage} 指向未定义的操作“{action_id}”")
    return matrix


def load_matrix(path: Path) -> PermissionMatrix:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"无法读取权限矩阵 {path}：{err.strerror or err}") from None
    return parse_matrix(text, str(path))


def require(matrix: PermissionMatrix, who: str, roles: Iterable[str], action_id: str) -> str:
    """The first of ``roles`` (sorted) allowed to perform ``action_id``, or ``PermissionDenied``."""
    spec = matrix.action(action_id)
    allowed = sorted(set(roles) & set(spec.roles))
    if not allowed:
        needed = "、".join(role_name(r) for r in spec.roles) or "（无人）"
        raise PermissionDenied(f"{who}无权{spec.name}：须由{needed}办理")
    return allowed[0]


def authorship_conflict(
    matrix: PermissionMatrix, stage_id: str, stage_name: str, deciders: dict[str, str], authors: Iterable[str]
) -> str | None:
    """At an independent stage, the Chinese reason why one of ``deciders`` may not decide, else ``None``.

    ``deciders`` maps each person who would be answerable (the actor, and the principal they act
    for) to a label; ``authors`` are the case's drafter and everyone who submitted a version.
    """
    if not matrix.is_independent(stage_id):
        return None
    wrote = set(authors)
    for username, label in deciders.items():
        if username in wrote:
            return f"{label}起草或提交过本案文稿，不能在“{stage_name}”环节作出决定（职责分离）"
    return None


def signer_conflict(
    previous: Iterable[tuple[str, str | None]], actor: str, principal: str | None
) -> str | None:
    """A 会签 needs distinct people: ``previous`` holds ``(actor, on_behalf_of)`` of signatures already
    given at this gate; the reason why ``actor`` (for ``principal``) may not sign again, else ``None``."""
    now = {actor} | ({principal} if principal else set())
    for who, for_whom in previous:
        seen = {who} | ({for_whom} if for_whom else set())
        both = now & seen
        if both:
            return f"{'、'.join(sorted(both))} 已在本环节签署，会签须由不同的人签署"
    return None


def delegable(matrix: PermissionMatrix, roles: Iterable[str]) -> tuple[str, ...]:
    """The roles among ``roles`` that may be delegated (never ``admin``)."""
    return tuple(r for r in roles if r in matrix.separation.delegable_roles)
