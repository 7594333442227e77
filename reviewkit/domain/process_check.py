"""Whole-definition checks beyond field types: every problem names the offending key.

Keys are written the way a reader finds them in the file: ``stages[legality_review].decisions[合法].target``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from reviewkit.domain.papers import paper_problems
from reviewkit.domain.process_model import Precondition, ProcessDefinition, StageSpec
from reviewkit.domain.roles import ROLE_NAMES

_Add = Callable[[str, str], None]
_Step = Callable[[str], tuple[str, ...]]


def problems(definition: ProcessDefinition) -> list[str]:
    """All problems of ``definition`` as ``(key：message)`` lines; empty when it is sound."""
    found: list[str] = []

    def add(key: str, message: str) -> None:
        found.append(f"{key}：{message}")

    ids = [s.id for s in definition.stages]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        add(f"stages[{dup}].id", "环节标识重复")
    known = set(ids)
    if not definition.stages:
        add("stages", "至少需要一个环节")
        return found
    if definition.start not in known:
        add("start", f"指向未知环节 {definition.start}")
    roles = set(ROLE_NAMES) | set(definition.roles)
    events = set(definition.events)
    for stage in definition.stages:
        _check_stage(definition, stage, known, roles, events, add)
    if found:
        return found  # the graph checks below assume known targets
    _check_graph(definition, add)
    return found


def _check_stage(
    definition: ProcessDefinition,
    stage: StageSpec,
    known: set[str],
    roles: set[str],
    events: set[str],
    add: _Add,
) -> None:
    key = f"stages[{stage.id}]"
    labels = [d.label for d in stage.decisions]
    for dup in sorted({x for x in labels if labels.count(x) > 1}):
        add(f"{key}.decisions[{dup}]", "决定名称重复")
    for role in stage.roles:
        if role not in roles:
            add(f"{key}.roles", f"未知角色 {role}（可在文件的 [roles] 表中声明）")
    if stage.kind == "human":
        if not stage.roles:
            add(f"{key}.roles", "人工环节须指定可作决定的角色")
        if not stage.decisions:
            add(f"{key}.decisions", "人工环节须至少有一个决定")
        if stage.next:
            add(f"{key}.next", "人工环节由决定指明去向，不能再写 next")
    elif stage.kind == "auto":
        if not stage.next:
            add(f"{key}.next", "自动环节须指定 next")
        if stage.decisions:
            add(f"{key}.decisions", "自动环节不能有决定")
    else:
        for attr in ("decisions", "next", "deadline", "condition"):
            if getattr(stage, attr):
                add(f"{key}.{attr}", "结束环节不能有此项")
    if stage.next and stage.next not in known:
        add(f"{key}.next", f"指向未知环节 {stage.next}")
    for d in stage.decisions:
        dkey = f"{key}.decisions[{d.label}]"
        if d.target not in known:
            add(f"{dkey}.target", f"指向未知环节 {d.target}")
        for ev in d.clears:
            if ev not in events:
                add(f"{dkey}.clears", f"未知事件 {ev}")
        if d.emits in definition.facts:
            add(f"{dkey}.emits", f"事件名 {d.emits} 与 [facts] 中的事实同名")
        for i, pre in enumerate(d.requires):
            _check_precondition(definition, pre, f"{dkey}.requires[{i}]", events, add)
    if stage.condition is not None:
        if stage.condition not in definition.flags:
            add(f"{key}.condition", f"未声明的案件标记 {stage.condition}（在 [flags] 表中声明）")
        if stage.passing_target is None:
            add(f"{key}.condition", "条件环节须有“通过”方向的决定或 next，以便不适用时跳过")
    if stage.deadline is not None and stage.deadline.counted_from not in events:
        add(f"{key}.deadline.counted_from", f"未知事件 {stage.deadline.counted_from}")
    if stage.deadline is not None and stage.deadline.restarted_by not in (None, *events):
        add(f"{key}.deadline.restarted_by", f"未知事件 {stage.deadline.restarted_by}")
    _check_policy(stage, key, add)
    for pkey, message in paper_problems(stage):
        add(pkey, message)
    for i, pre in enumerate(stage.requires):
        _check_precondition(definition, pre, f"{key}.requires[{i}]", events, add)


def _check_policy(stage: StageSpec, key: str, add: _Add) -> None:
    policy = stage.approval
    pkey = f"{key}.approval"
    if policy.mode == "single":
        if policy.signers or policy.n is not None:
            add(pkey, "single（一人决定）不需要 signers 或 n")
        return
    if stage.kind != "human":
        add(pkey, "只有人工环节可以会签或串签")
    if not policy.signers:
        add(f"{pkey}.signers", f"{policy.mode} 须列出签署角色")
    for role in policy.signers:
        if role not in stage.roles:
            add(f"{pkey}.signers", f"签署角色 {role} 不在本环节的 roles 中")
    if policy.mode == "n_of_m":
        if policy.n is None:
            add(f"{pkey}.n", "n_of_m 须指定 n")
        elif policy.n > len(policy.signers):
            add(f"{pkey}.n", f"n={policy.n} 大于签署人数 {len(policy.signers)}")
    elif policy.n is not None:
        add(f"{pkey}.n", f"{policy.mode} 不使用 n")


def _check_precondition(
    definition: ProcessDefinition, pre: Precondition, key: str, events: set[str], add: _Add
) -> None:
    tests = [t for t in (pre.event, pre.fact, pre.span) if t is not None]
    if len(tests) != 1:
        add(key, "须且只能指定 event、fact、span 之一")
    if pre.event is not None and pre.event not in events:
        add(f"{key}.event", f"未知事件 {pre.event}")
    if pre.current_version and pre.event is None:
        add(f"{key}.current_version", "current_version 只用于 event")
    if pre.fact is not None and pre.fact not in definition.facts:
        add(f"{key}.fact", f"未声明的事实 {pre.fact}（在 [facts] 表中声明）")
    if pre.span is not None:
        for end in pre.span:
            if end not in events and end not in definition.facts:
                add(f"{key}.span", f"{end} 既不是事件也不是已声明的事实")
        if pre.at_least is None:
            add(f"{key}.at_least", "span 须指定 at_least")
    elif pre.at_least is not None:
        add(f"{key}.at_least", "at_least 只用于 span")
    if pre.when is not None and pre.when not in definition.flags:
        add(f"{key}.when", f"未声明的案件标记 {pre.when}")
    if pre.unless is not None and pre.unless not in definition.facts:
        add(f"{key}.unless", f"未声明的事实 {pre.unless}")


def _check_graph(definition: ProcessDefinition, add: _Add) -> None:
    by_id = {s.id: s for s in definition.stages}
    reachable = _closure([definition.start], lambda s: by_id[s].targets)
    for s in definition.stages:
        if s.id not in reachable:
            add(f"stages[{s.id}]", "从起始环节无法到达")
    ends = [s.id for s in definition.stages if s.kind == "end"]
    if not ends:
        add("stages", '至少需要一个结束环节（kind = "end"）')
        return
    incoming: dict[str, list[str]] = {s.id: [] for s in definition.stages}
    for s in definition.stages:
        for t in s.targets:
            incoming[t].append(s.id)
    finishing = _closure(ends, lambda s: tuple(incoming[s]))
    for s in definition.stages:
        if s.id in reachable and s.id not in finishing:
            add(f"stages[{s.id}]", "死路：从此环节无法到达任何结束环节")
    for s in definition.stages:
        if s.condition is not None:
            seen: set[str] = set()
            current: StageSpec | None = s
            while current is not None and current.condition is not None:
                if current.id in seen:
                    add(f"stages[{s.id}].condition", "条件环节跳过后形成循环")
                    break
                seen.add(current.id)
                nxt = current.passing_target
                current = by_id.get(nxt) if nxt else None


def _closure(seeds: list[str], step: _Step) -> set[str]:
    seen = set(seeds)
    queue = deque(seeds)
    while queue:
        for nxt in step(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
