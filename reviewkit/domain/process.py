"""Process definitions as data: loading, validation, versions and snapshots.

A case moves through stages. ``auto`` stages are run by the system (pre-review), ``human`` stages
are gates where a person with one of the stage's roles picks one of its decisions, ``end`` stages
close the case. A stage with a ``condition`` is skipped unless the case carries that flag; a
skipped stage is left along its passing decision (or ``next``).

The models live in ``process_model``, the graph checks in ``process_check``, the moves in
``transition``; this module is the public face and re-exports them.

Versions: a running case keeps the exact text of the definition it started with (the store saves
``to_toml(d)`` and ``definition_fingerprint(d)``); ``from_snapshot(text)`` reads it back, and
``compare_with_current`` tells whether the file on disk has moved on (or was edited without
raising its ``version``). Older versions may be kept as ``<processes_dir>/versions/<kind>.v<N>.toml``.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from reviewkit.domain.process_check import problems
from reviewkit.domain.process_model import (
    ApprovalPolicy,
    DeadlineSpec,
    DecisionSpec,
    Outcome,
    Precondition,
    ProcessDefinition,
    StageKind,
    StageSpec,
)
from reviewkit.domain.transition import (
    CaseState,
    DecisionRecord,
    EventRecord,
    Move,
    Signature,
    advance_auto,
    replay,
    start_state,
    transition,
)
from reviewkit.errors import ConfigError, NotFound

__all__ = [
    "ApprovalPolicy", "CaseState", "DeadlineSpec", "DecisionRecord", "DecisionSpec", "EventRecord",
    "Move", "Outcome", "Precondition", "ProcessDefinition", "Signature", "StageKind", "StageSpec",
    "advance_auto", "check_definition", "compare_with_current", "definition_fingerprint",
    "from_snapshot", "list_definitions", "load_definition", "load_definition_file",
    "parse_definition", "replay", "start_state", "to_toml", "transition",
]  # fmt: skip


def _loc(raw: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a reader finds it: ``stages[legality_review].deadline.days``."""
    out = ""
    node: Any = raw
    for part in loc:
        child: Any = None
        if isinstance(part, int):
            child = node[part] if isinstance(node, list) and part < len(node) else None
            name = (child.get("id") or child.get("label")) if isinstance(child, dict) else None
            out += f"[{name or part}]"
        else:
            child = node.get(part) if isinstance(node, dict) else None
            out += ("." if out else "") + str(part)
        node = child
    return out


def check_definition(text: str, origin: str) -> tuple[ProcessDefinition | None, list[str]]:
    """Every problem of a definition file (for ``reviewkit process check``)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        return None, [f"不是有效的 TOML：{err}"]
    try:
        definition = ProcessDefinition.model_validate({**raw, "source": text})
    except ValidationError as err:
        return None, [f"{_loc(raw, e['loc'])}：{e['msg']}" for e in err.errors()]
    return definition, problems(definition)


def parse_definition(text: str, origin: str) -> ProcessDefinition:
    definition, found = check_definition(text, origin)
    if found or definition is None:
        more = (
            f"（另有 {len(found) - 1} 处问题，可用 reviewkit process check 查看）" if len(found) > 1 else ""
        )
        raise ConfigError(f"流程定义文件 {origin} 有误：{found[0]}{more}")
    return definition


def from_snapshot(text: str, origin: str = "案件保存的流程快照") -> ProcessDefinition:
    """Read back the exact definition text a case started with."""
    return parse_definition(text, origin)


def definition_fingerprint(definition: ProcessDefinition) -> str:
    return definition.fingerprint


def load_definition_file(path: Path) -> ProcessDefinition:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"无法读取流程定义文件 {path}：{err}") from None
    return parse_definition(text, str(path))


def list_definitions(processes_dir: Path) -> list[ProcessDefinition]:
    found = [load_definition_file(p) for p in sorted(processes_dir.glob("*.toml"))]
    kinds = [d.kind for d in found]
    for kind in kinds:
        if kinds.count(kind) > 1:
            raise ConfigError(f"流程定义目录 {processes_dir} 中有多个文件的 kind 都是 {kind}")
    return found


def load_definition(
    kind: str, processes_dir: Path, *, version: int | None = None, snapshot: str | None = None
) -> ProcessDefinition:
    """The definition of ``kind`` (its ``kind`` key, or its Chinese ``name``).

    ``snapshot``: the text a running case saved — it wins, and must be of ``kind``.
    ``version``: that exact version, from the current file or ``versions/<kind>.v<N>.toml``.
    """
    if snapshot is not None:
        definition = from_snapshot(snapshot)
        if kind not in (definition.kind, definition.name):
            raise ConfigError(f"流程快照的类型是 {definition.kind}，不是 {kind}")
        return definition
    candidates = list_definitions(processes_dir)
    for definition in candidates:
        if kind in (definition.kind, definition.name):
            if version is None or definition.version == version:
                return definition
            archived = processes_dir / "versions" / f"{definition.kind}.v{version}.toml"
            if archived.is_file():
                old = load_definition_file(archived)
                if old.kind == definition.kind and old.version == version:
                    return old
            raise NotFound(
                f"流程“{definition.name}”当前为第 {definition.version} 版，找不到第 {version} 版；"
                "进行中的案件应使用其保存的流程快照"
            )
    known = "、".join(f"{d.kind}（{d.name}）" for d in candidates) or "（无）"
    raise NotFound(f"未知的案件类型“{kind}”，可选：{known}")


def compare_with_current(
    running: ProcessDefinition, current: ProcessDefinition
) -> Literal["same", "newer_version", "edited_without_new_version"]:
    """How the file on disk relates to the definition a case runs on. The case never changes
    silently: callers show a notice for anything but ``same``."""
    if running.fingerprint == current.fingerprint:
        return "same"
    if current.version != running.version:
        return "newer_version"
    return "edited_without_new_version"


# --- writing TOML (no third-party writer: the shape is small and known) -----------------------

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k, ensure_ascii=False)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def to_toml(definition: ProcessDefinition) -> str:
    """The definition as TOML: its exact source text when it has one (so the fingerprint holds),
    else a canonical rendering that ``parse_definition`` reads back to an equal definition."""
    if definition.source:
        return definition.source
    data = definition.model_dump(mode="json", exclude_defaults=True, exclude={"source"})
    stages = data.pop("stages")
    lines = [f"{_key(k)} = {_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for k, v in data.items():
        if isinstance(v, dict):
            lines += ["", f"[{_key(k)}]"] + [f"{_key(a)} = {_value(b)}" for a, b in v.items()]
    for stage in stages:
        lines += ["", "[[stages]]"] + [f"{_key(k)} = {_value(v)}" for k, v in stage.items()]
    return "\n".join(lines) + "\n"
