"""``reviewkit process``: list, show (or draw) and check process definitions."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from reviewkit.cli.root import app
from reviewkit.domain.papers import PAPERS
from reviewkit.domain.process import check_definition, list_definitions, load_definition
from reviewkit.domain.process_draw import to_mermaid
from reviewkit.domain.process_model import ProcessDefinition, StageSpec
from reviewkit.errors import ConfigError

process_app = typer.Typer(help="流程定义：列出、查看（可绘制 Mermaid 流程图）、校验。", no_args_is_help=True)
app.add_typer(process_app, name="process")

_OUTCOME = {"pass": "通过", "revise": "退回修改", "reject": "否决"}
_POLICY = {"single": "一人决定", "all": "会签（全部）", "n_of_m": "会签", "sequential": "串签"}


def _processes_dir() -> Path:
    from reviewkit.settings import get_settings

    return get_settings().templates_dir / "processes"


@process_app.command("list")
def list_() -> None:
    """列出可用的流程定义。"""
    table = Table("类型", "名称", "版本", "环节数", "说明")
    for d in list_definitions(_processes_dir()):
        table.add_row(d.kind, d.name, str(d.version), str(len(d.stages)), d.description)
    Console().print(table)


def _deadline(stage: StageSpec, definition: ProcessDefinition) -> str:
    if stage.deadline is None:
        return ""
    rule = stage.deadline
    unit = "个工作日" if rule.unit == "working" else "日"
    event = definition.events.get(rule.counted_from, rule.counted_from)
    return f"{event}后 {rule.days} {unit}"


def _describe(definition: ProcessDefinition) -> None:
    console = Console(highlight=False)
    console.print(f"[bold]{definition.name}[/bold]（{definition.kind}，第 {definition.version} 版）")
    for label, text in (("流程", definition.description), ("依据", definition.basis)):
        if text:
            console.print(f"{label}：{text}", markup=False)
    for flag, text in definition.flags.items():
        console.print(f"案件标记 {flag}：{text}", markup=False)
    for i, s in enumerate(definition.stages, 1):
        tags = [
            t
            for t in (
                f"条件：{s.condition}" if s.condition else "",
                "自动" if s.kind == "auto" else "",
                "结束" if s.kind == "end" else "",
            )
            if t
        ]
        console.print(
            f"\n[bold]{i}. {escape(s.name)}[/bold] "
            + escape(f"[{s.id}]")
            + escape(f"（{'，'.join(tags)}）" if tags else "")
        )
        lines: list[str] = []
        if s.roles:
            who = "、".join(definition.role_label(r) for r in s.roles)
            if s.approval.mode != "single":
                signers = "、".join(definition.role_label(r) for r in s.approval.signers)
                n = f"{s.approval.n}/{len(s.approval.signers)} " if s.approval.n else ""
                who += f"；{_POLICY[s.approval.mode]} {n}（{signers}）"
            lines.append(f"可作决定者：{who}")
        if s.deadline:
            lines.append(
                f"期限：{_deadline(s, definition)}" + (f"（{s.deadline.basis}）" if s.deadline.basis else "")
            )
        if s.minimum:
            unit = "个工作日" if s.minimum.unit == "working" else "日"
            lines.append(
                f"最短审查时间：进入本环节后不少于 {s.minimum.days} {unit}（不是期限，届满不算超期）"
                + (f"（{s.minimum.basis}）" if s.minimum.basis else "")
            )
        if s.evidence:
            lines.append(f"须提交材料：{'、'.join(s.evidence)}")
        lines += [f"决定后生成文书：{PAPERS[i].title}；依据：{PAPERS[i].basis}" for i in s.papers]
        lines += [f"进入时生成文书：{PAPERS[i].title}；依据：{PAPERS[i].basis}" for i in s.papers_on_enter]
        lines += [f"进入前提〔{p.id}〕：{p.title}" for p in s.requires]
        for d in s.decisions:
            lines.append(f"决定：{d.label} → {definition.stage(d.target).name}（{_OUTCOME[d.outcome]}）")
            lines += [f"  前提〔{p.id}〕：{p.title}" for p in d.requires]
        if s.next:
            lines.append(f"下一环节：{definition.stage(s.next).name}")
        for line in lines:
            console.print(f"   {line}", markup=False)


@process_app.command("show")
def show(
    kind: str = typer.Argument(..., help="流程类型（kind）或中文名"),
    mermaid: bool = typer.Option(False, "--mermaid", help="输出 Mermaid 流程图源码"),
) -> None:
    """查看一个流程定义的环节、决定、期限与前提。"""
    definition = load_definition(kind, _processes_dir())
    if mermaid:
        typer.echo(to_mermaid(definition), nl=False)
    else:
        _describe(definition)


@process_app.command("check")
def check(file: Path = typer.Argument(..., help="流程定义文件（TOML）")) -> None:
    """校验自己编写的流程定义文件，列出全部问题。"""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"无法读取流程定义文件 {file}：{err}") from None
    definition, found = check_definition(text, str(file))
    if found or definition is None:
        for problem in found:
            typer.echo(f"{file}：{problem}", err=True)
        raise ConfigError(f"流程定义文件 {file} 有 {len(found)} 处问题")
    typer.echo(
        f"{file}：流程“{definition.name}”（{definition.kind}，第 {definition.version} 版）校验通过，共 {len(definition.stages)} 个环节"
    )
