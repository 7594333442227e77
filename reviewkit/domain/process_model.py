"""The shape of a process definition (``templates/processes/*.toml``), as frozen pydantic models.

Graph-level rules (reachability, dead ends, known roles/flags/facts/events) live in
``process_check``; the moves themselves in ``transition``. Field names here are the TOML keys.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewkit.errors import ConfigError, NotFound, TransitionNotAllowed

Outcome = Literal["pass", "revise", "reject"]
StageKind = Literal["human", "auto", "end"]
Unit = Literal["working", "calendar"]
PolicyMode = Literal["single", "all", "n_of_m", "sequential"]

#: Events every case has; decisions add their own with ``emits``.
BUILTIN_EVENTS: dict[str, str] = {"stage_entered": "进入本环节", "case_started": "立案"}
MAX_DEADLINE_DAYS = 3660
_FROZEN = ConfigDict(extra="forbid", frozen=True)


class DeadlineSpec(BaseModel):
    """N working or calendar days, counted from the day after ``counted_from`` happened."""

    model_config = _FROZEN

    days: int = Field(gt=0, le=MAX_DEADLINE_DAYS)
    unit: Unit = "working"
    counted_from: str = "stage_entered"
    #: An event that, once recorded, restarts the count from its own date (政府信息公开条例 第30条: after a
    #: 补正 the time to answer runs from the day the corrected request is received).
    restarted_by: str | None = None
    basis: str = ""


class MinimumSpec(BaseModel):
    """A minimum time the law guarantees the person acting at the stage (e.g. the reviewer):
    "一般不少于5个工作日" (国办发〔2018〕115号), "一般不少于7个工作日" (国务院令第713号 第26条). It is not a
    deadline: nobody is overdue when it runs out. It gives the earliest day a submitter may press for
    the decision, shown next to the deadline; the maximum, where the law sets one, is ``deadline``."""

    model_config = _FROZEN

    days: int = Field(gt=0, le=MAX_DEADLINE_DAYS)
    unit: Unit = "working"
    basis: str = ""


class Precondition(BaseModel):
    """A statutory precondition, checked before entering a stage (``stages.requires``) or before
    a decision (``decisions.requires``). Exactly one test: ``event``, ``fact`` or ``span``.

    - ``event``: the event has happened (and, with ``current_version``, on the current draft);
    - ``fact``: the case records a non-empty value for the fact;
    - ``span = [from, to]`` with ``at_least``: from→to (events or date facts) lasted at least N
      working/calendar days, counted from the day after ``from``.
    ``when`` limits the test to cases carrying a flag; ``unless`` waives it when a fact is recorded.
    """

    model_config = _FROZEN

    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]*$")
    title: str = Field(min_length=1)
    basis: str = ""
    when: str | None = None
    unless: str | None = None
    event: str | None = None
    current_version: bool = False
    fact: str | None = None
    span: tuple[str, str] | None = None
    at_least: int | None = Field(default=None, gt=0, le=MAX_DEADLINE_DAYS)
    unit: Unit = "working"


class ApprovalPolicy(BaseModel):
    """Who must sign before the stage's decision takes effect.

    ``single``: one person holding a stage role. ``all`` (会签): one distinct person for every role
    in ``signers``, any order. ``n_of_m`` (会签): ``n`` distinct persons, one per ``signers`` slot.
    ``sequential`` (串签): ``signers`` in order. A non-passing decision of any signer takes effect
    at once (for ``n_of_m``: once ``n`` passes are no longer possible).
    """

    model_config = _FROZEN

    mode: PolicyMode = "single"
    signers: tuple[str, ...] = ()
    n: int | None = Field(default=None, ge=1)


class DecisionSpec(BaseModel):
    model_config = _FROZEN

    label: str = Field(min_length=1)
    target: str = Field(min_length=1)
    outcome: Outcome = "pass"
    emits: str | None = None
    clears: tuple[str, ...] = ()
    requires: tuple[Precondition, ...] = ()
    evidence: tuple[str, ...] = ()
    waive_evidence: bool = False


class StageSpec(BaseModel):
    model_config = _FROZEN

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    kind: StageKind = "human"
    roles: tuple[str, ...] = ()
    decisions: tuple[DecisionSpec, ...] = ()
    next: str | None = None
    condition: str | None = None
    evidence: tuple[str, ...] = ()
    deadline: DeadlineSpec | None = None
    minimum: MinimumSpec | None = None
    assigns_number: bool = False
    approval: ApprovalPolicy = ApprovalPolicy()
    requires: tuple[Precondition, ...] = ()
    basis: str = ""
    #: Papers (ids of ``reviewkit.domain.papers.PAPERS``) rendered after a decision of this stage moves
    #: the case on, and those made when a decision moves the case into this stage.
    papers: tuple[str, ...] = ()
    papers_on_enter: tuple[str, ...] = ()

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

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(d.target for d in self.decisions) + ((self.next,) if self.next else ())


class ProcessDefinition(BaseModel):
    model_config = _FROZEN

    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    version: int = Field(ge=1)
    start: str
    stages: tuple[StageSpec, ...]
    description: str = ""
    basis: str = ""
    roles: dict[str, str] = {}
    flags: dict[str, str] = {}
    facts: dict[str, str] = {}
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
        """SHA-256 of the exact TOML text this definition was read from."""
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()

    @property
    def events(self) -> dict[str, str]:
        """Every event name a case of this kind can record, with a Chinese label."""
        found = dict(BUILTIN_EVENTS)
        for s in self.stages:
            for d in s.decisions:
                if d.emits:
                    found.setdefault(d.emits, f"{s.name}：{d.label}")
        return found

    def role_label(self, role: str) -> str:
        from reviewkit.domain.roles import ROLE_NAMES

        return self.roles.get(role) or ROLE_NAMES.get(role, role)
