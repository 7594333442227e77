"""``reviewkit case`` and ``reviewkit decide``."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewkit.cli import app
from reviewkit.cli.identity import AS_HELP, PIN_HELP, current_actor
from reviewkit.cli.views import case_panel, cases_table, console, print_json

case_app = typer.Typer(help="审核案件：发起、列表、详情、提交新版本。", no_args_is_help=True)
app.add_typer(case_app, name="case")


@case_app.command("new")
def new(
    draft: Path = typer.Argument(..., help="送审稿（.docx）"),
    title: str = typer.Option(..., "--title", help="文件标题"),
    unit: str = typer.Option(..., "--unit", help="起草单位"),
    drafter: str = typer.Option(..., "--drafter", "--as", help="起草人（名册中的用户名）"),
    kind: str = typer.Option("normative_document", "--kind", help="案件类型（流程定义的 kind 或中文名）"),
    flag: list[str] = typer.Option([], "--flag", help="案件标记：touches_business（涉及经营主体）、risk_flagged（需风险评估）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """用一份 .docx 送审稿发起审核案件。"""
    from reviewkit.services.cases import NewCase, start_case
    from reviewkit.services.queries import case_detail

    case = start_case(NewCase(kind=kind, title=title, drafting_unit=unit, drafter=drafter, draft=draft,
                              flags=frozenset(flag)))
    assert case.id is not None
    detail = case_detail(case.id)
    if as_json:
        print_json(detail.as_json())
    else:
        console.print(f"已发起案件 [b]{case.number}[/b]（id {case.id}）：{case.title}")
        console.print(case_panel(detail))


@case_app.command("list")
def list_(
    status: str | None = typer.Option(None, "--status", help="open（进行中）或 closed（已结束）"),
    kind: str | None = typer.Option(None, "--kind", help="案件类型"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="最多显示几件"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出审核案件（最新在前）。"""
    from reviewkit.services.queries import list_cases

    rows = list_cases(status=status, kind=kind, limit=limit)
    if as_json:
        print_json(rows)
    else:
        console.print(cases_table(rows))


@case_app.command("show")
def show(
    case: str = typer.Argument(..., help="案件 id 或编号（如 RK-2026-0001）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """显示案件详情：版本、办理过程、预审发现、待办。"""
    from reviewkit.services.queries import case_detail

    detail = case_detail(case)
    if as_json:
        print_json(detail.as_json())
    else:
        console.print(case_panel(detail))


@case_app.command("submit")
def submit(
    case: str = typer.Argument(..., help="案件 id 或编号"),
    draft: Path = typer.Argument(..., help="新版本文稿（.docx）"),
    user: str | None = typer.Option(None, "--as", help=AS_HELP),
    note: str = typer.Option("", "--note", help="版本说明"),
    pin: str | None = typer.Option(None, "--pin", help=PIN_HELP),
) -> None:
    """提交文稿新版本（如按审核意见修改后的修改稿）。"""
    from reviewkit.services.cases import submit_version

    actor = current_actor(user, pin)
    version = submit_version(case, draft, actor.username, note=note)
    console.print(f"已提交第 {version.seq} 稿：{version.filename}（SHA-256 {version.sha256[:16]}…）")


@app.command("decide")
def decide(
    case: str = typer.Argument(..., help="案件 id 或编号"),
    decision: str = typer.Option(..., "--decision", "-d", help="决定，如 合法 / 应当予以修改 / 不合法 / 通过"),
    user: str | None = typer.Option(None, "--as", help=AS_HELP),
    opinion: str = typer.Option("", "--opinion", "-m", help="意见"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    pin: str | None = typer.Option(None, "--pin", help=PIN_HELP),
) -> None:
    """在案件当前的人工环节作出决定（先记入数据库，再唤醒等待中的流程）。须验证身份：--as + PIN，或 REVIEWKIT_TOKEN。"""
    from reviewkit.services.workflow import decide as apply

    result = apply(case, decision, current_actor(user, pin), opinion=opinion)
    if as_json:
        print_json(result)
    else:
        console.print(f"已记录：{result.case_number} 在“{result.from_stage}”作出“{result.decision}”，进入“{result.to_stage}”。")
