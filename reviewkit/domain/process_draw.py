"""Draw a process definition as a Mermaid flowchart (``reviewkit process show KIND --mermaid``)."""

from __future__ import annotations

from reviewkit.domain.process_model import ProcessDefinition, StageSpec

_ARROW = {"pass": "-->", "revise": "-.->", "reject": "==>"}
_RESERVED = {"end", "graph", "subgraph", "flowchart", "style", "class", "classdef", "click", "linkstyle"}


def _id(stage_id: str) -> str:
    """Mermaid breaks on some words used as node ids (``end`` above all)."""
    return f"s_{stage_id}" if stage_id.lower() in _RESERVED | {"direction", "begin_"} else stage_id


def _label(text: str) -> str:
    return text.replace('"', "'").replace("|", "｜")


def _node(stage: StageSpec) -> str:
    name, sid = _label(stage.name), _id(stage.id)
    if stage.deadline is not None:
        unit = "个工作日" if stage.deadline.unit == "working" else "日"
        name += f"<br/>{stage.deadline.days}{unit}"
    if stage.minimum is not None:
        unit = "个工作日" if stage.minimum.unit == "working" else "日"
        name += f"<br/>不少于{stage.minimum.days}{unit}"
    if stage.kind == "end":
        return f'{sid}(["{name}"])'
    if stage.kind == "auto":
        return f'{sid}[["{name}"]]'
    if stage.condition is not None:
        return f'{sid}{{"{name}<br/>（条件：{_label(stage.condition)}）"}}'
    return f'{sid}["{name}"]'


def to_mermaid(definition: ProcessDefinition) -> str:
    """Stages as nodes (auto ``[[ ]]``, end ``([ ])``, conditional ``{ }``), decisions as edges:
    solid = pass, dotted = return for revision, thick = reject; a conditional stage also shows
    the dotted “不适用” edge taken when the case does not carry its flag."""
    lines = ["flowchart TD", f"    begin_((开始)) --> {_id(definition.start)}"]
    lines += [f"    {_node(s)}" for s in definition.stages]
    for s in definition.stages:
        if s.next:
            lines.append(f"    {_id(s.id)} --> {_id(s.next)}")
        for d in s.decisions:
            lines.append(f'    {_id(s.id)} {_ARROW[d.outcome]}|"{_label(d.label)}"| {_id(d.target)}')
        if s.condition is not None and s.decisions and s.passing_target:
            lines.append(f'    {_id(s.id)} -.->|"不适用"| {_id(s.passing_target)}')
    return "\n".join(lines) + "\n"
