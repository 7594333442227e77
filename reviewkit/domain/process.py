"""Process definitions as data: pydantic models loaded from ``templates/processes/*.toml``,
and the pure transition function.

A case moves through stages. ``auto`` stages are run by the system (pre-review), ``human`` stages
are gates where a person with one of the stage's roles picks one of its decisions, ``end`` stages
close the case. A stage with a ``condition`` is skipped unless the case carries that flag; a
skipped stage is left along its passing decision (or ``next``).
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewkit.domain.roles import ROLE_NAMES
from reviewkit.errors import ConfigError, NotFound, TransitionNotAllowed

Outcome = Literal["pass", "revise", "reject"]
StageKind = Literal["human", "auto", "end"]


class DeadlineSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    days: int = Field(gt=0)
    unit: Literal["working", "calendar"] = "working"
    counted_from: str = "stage_entered"


class DecisionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    target: str
    outcome: Outcome = "pass"


class StageSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    kind: StageKind = "human"
    roles: tuple[str, ...] = ()
    decisions: tuple[DecisionSpec, ...] = ()
    next: str | None = None
    condition: str | None = None
    evidence: tuple[str, ...] = ()
    deadline: DeadlineSpec | None = None
    assigns_number: bool = False

    def decision(self, label: str) -> DecisionSpec:
        for d in self.decisions:
            if d.label == label:
                return d
        allowed = "、".join(d.label for d in self.decisions) or "（无）"
        raise TransitionNotAllowed(f"环节“{self.name}”不接受决定“{label}”，可选：{allowed}")

    @property
    def passing_target(self) -> str | None:
        if self.next:
            return self.next
        for d in self.decisions:
            if d.outcome == "pass":
                return d.target
        return None


class ProcessDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    name: str
    version: int = Field(ge=1)
    start: str
    stages: tuple[StageSpec, ...]
    source: str = ""

    def stage(self, stage_id: str) -> StageSpec:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise NotFound(f"流程“{self.name}”没有环节“{stage_id}”")

    def resolve(self, stage_id: str, flags: frozenset[str]) -> str:
        """Follow ``stage_id`` past conditional stages whose condition the case does not meet."""
        seen: set[str] = set()
        current = stage_id
        while True:
            spec = self.stage(current)
            if spec.condition is None or spec.condition in flags:
                return current
            if current in seen:
                raise ConfigError(f"流程“{self.name}”的条件环节形成循环：{current}")
            seen.add(current)
            target = spec.passing_target
            if target is None:
                raise ConfigError(f"流程“{self.name}”的条件环节“{spec.name}”没有可跳转的下一环节")
            current = target

    def first_stage(self, flags: frozenset[str]) -> str:
        return self.resolve(self.start, flags)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CaseState:
    """What the transition function needs to know about a case."""

    stage: str
    round: int = 1
    flags: frozenset[str] = frozenset()
    facts: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Move:
    """The result of a transition: where the case goes and why."""

    state: CaseState
    decision: DecisionSpec | None
    from_stage: str


def transition(
    definition: ProcessDefinition, state: CaseState, decision: str, actor_roles: frozenset[str] | set[str]
) -> Move:
    """Apply ``decision`` taken by someone holding ``actor_roles`` at ``state.stage``.

    Raises ``TransitionNotAllowed`` naming stage, decision and the reason.
    """
    spec = definition.stage(state.stage)
    if spec.kind != "human":
        raise TransitionNotAllowed(f"环节“{spec.name}”不是人工审批环节，不能作出决定")
    chosen = spec.decision(decision)
    if not set(actor_roles) & set(spec.roles):
        needed = "、".join(ROLE_NAMES.get(r, r) for r in spec.roles)
        raise TransitionNotAllowed(f"环节“{spec.name}”只能由{needed}作出决定")
    target = definition.resolve(chosen.target, state.flags)
    next_round = state.round + 1 if chosen.outcome == "revise" else state.round
    return Move(state=replace(state, stage=target, round=next_round), decision=chosen, from_stage=spec.id)


def advance_auto(definition: ProcessDefinition, state: CaseState) -> Move:
    """Leave an ``auto`` stage along its ``next``."""
    spec = definition.stage(state.stage)
    if spec.kind != "auto" or spec.next is None:
        raise TransitionNotAllowed(f"环节“{spec.name}”不是自动环节")
    return Move(state=replace(state, stage=definition.resolve(spec.next, state.flags)), decision=None, from_stage=spec.id)


def parse_definition(text: str, origin: str) -> ProcessDefinition:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"流程定义文件 {origin} 不是有效的 TOML：{err}") from None
    try:
        definition = ProcessDefinition.model_validate({**raw, "source": text})
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"流程定义文件 {origin} 的 {where} 有误：{first['msg']}") from None
    ids = {s.id for s in definition.stages}
    for s in definition.stages:
        for target in [d.target for d in s.decisions] + ([s.next] if s.next else []):
            if target not in ids:
                raise ConfigError(f"流程定义文件 {origin} 的环节 {s.id} 指向未知环节 {target}")
    if definition.start not in ids:
        raise ConfigError(f"流程定义文件 {origin} 的 start 指向未知环节 {definition.start}")
    return definition


def load_definition_file(path: Path) -> ProcessDefinition:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"无法读取流程定义文件 {path}：{err}") from None
    return parse_definition(text, str(path))


def list_definitions(processes_dir: Path) -> list[ProcessDefinition]:
    return [load_definition_file(p) for p in sorted(processes_dir.glob("*.toml"))]


def load_definition(kind: str, processes_dir: Path) -> ProcessDefinition:
    """The current definition of ``kind`` (its ``kind`` key, or its Chinese ``name``)."""
    for definition in list_definitions(processes_dir):
        if kind in (definition.kind, definition.name):
            return definition
    known = "、".join(f"{d.kind}（{d.name}）" for d in list_definitions(processes_dir)) or "（无）"
    raise NotFound(f"未知的案件类型“{kind}”，可选：{known}")
