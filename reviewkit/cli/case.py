"""``reviewkit case`` and ``reviewkit decide``."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewkit.cli.identity import AS_HELP, PIN_HELP, current_actor
from reviewkit.cli.root import app
from reviewkit.cli.views import case_panel, console, print_json

case_app = typer.Typer(help="审核案件：发起、列表、详情、提交新版本。", no_args_is_help=True)
app.add_typer(case_app, name="case")


@case_app.command("new")
def new(
    draft: Path = typer.Argument(..., help="送审稿（.docx）"),
    title: str = typer.Option(..., "--title", help="文件标题"),
    unit: str = typer.Option(..., "--unit", help="起草单位"),
    drafter: str | None = typer.Option(
        None, "--drafter", "--as", help="起草人（名册中的用户名）；随后验证其 PIN"
    ),
    kind: str = typer.Option("normative_document", "--kind", help="案件类型（流程定义的 kind 或中文名）"),
    flag: list[str] = typer.Option(
        [],
        "--flag",
        help="案件标记（流程定义的 [flags]，见 reviewkit process show KIND），如 touches_business、risk_flagged",
    ),
    officer: list[str] = typer.Option(
        [],
        "--officer",
        help="承办执法人员（用户名，可重复；重大执法决定法制审核案件须不少于两人且持有效执法证）",
    ),
    fact: list[str] = typer.Option(
        [],
        "--fact",
        help="立案时记录的事实，名称=值，可重复（如 enforcement_field=财政监督、applicant=张某）",
    ),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    pin: str | None = typer.Option(None, "--pin", help=PIN_HELP),
) -> None:
    """用一份 .docx 送审稿发起审核案件（起草人须验证身份）。"""
    from reviewkit.services.cases import NewCase, start_case
    from reviewkit.services.facts import parse_fact_lines
    from reviewkit.services.intake import read_draft
    from reviewkit.services.queries import case_detail

    read_draft(draft)  # a bad file is refused before anyone is asked for a PIN
    actor = current_actor(drafter, pin)
    case = start_case(
        NewCase(
            kind=kind,
            title=title,
            drafting_unit=unit,
            drafter=actor.username,
            draft=draft,
            flags=frozenset(flag),
            facts=parse_fact_lines(fact),
            officers=tuple(officer),
        ),
        actor,
    )
    assert case.id is not None
    note = _start_flow(case.id)
    detail = case_detail(case.id)
    if as_json:
        print_json(detail.as_json())
    else:
        console.print(f"已发起案件 [b]{case.number}[/b]（id {case.id}）：{case.title}")
        console.print(case_panel(detail))
        console.print(note)


def _start_flow(case_id: int) -> str:
    """Start the case's flow run when a Prefect server answers; the case stands either way."""
    from reviewkit.errors import OrchestrationError
    from reviewkit.orchestration.env import configured_api_url
    from reviewkit.orchestration.server import healthy

    if not healthy(configured_api_url()):
        return "[yellow]Prefect 服务器未运行：案件已登记；运行 reviewkit worker 后将自动启动其流程。[/yellow]"
    from reviewkit.orchestration.runs import start_run

    try:
        return f"已启动流程运行 {start_run(case_id)}。"
    except OrchestrationError as err:
        return f"[yellow]{err}[/yellow]"


@case_app.command("list")
def list_(
    status: str | None = typer.Option(None, "--status", help="open（进行中）或 closed（已结束）"),
    kind: str | None = typer.Option(None, "--kind", help="案件类型"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="最多显示几件"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出审核案件（最新在前）。"""
    from reviewkit.cli.fast import case_list  # the same body ``main`` runs without typer for plain options

    case_list(status=status, kind=kind, limit=limit, as_json=as_json)


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
    version = submit_version(case, draft, actor, note=note)
    console.print(f"已提交第 {version.seq} 稿：{version.filename}（SHA-256 {version.sha256[:16]}…）")


@case_app.command("attach")
def attach(
    case: str = typer.Argument(..., help="案件 id 或编号"),
    name: str = typer.Argument(..., help="材料名称，如 起草说明、征求意见采纳情况、风险评估报告"),
    path: Path = typer.Argument(..., help="材料文件（.docx、.txt 或 .md）"),
    user: str | None = typer.Option(None, "--as", help=AS_HELP),
    pin: str | None = typer.Option(None, "--pin", help=PIN_HELP),
) -> None:
    """为案件补充材料（环节离开前须具备的材料，如起草说明）。"""
    from reviewkit.services.attachments import attach as put

    actor = current_actor(user, pin)
    item = put(case, name, path, actor)
    console.print(f"已归档材料“{item.name}”：{item.filename}（SHA-256 {item.sha256[:12]}…）")


@app.command("decide")
def decide(
    case: str = typer.Argument(..., help="案件 id 或编号"),
    decision: str = typer.Option(
        ..., "--decision", "-d", help="决定，如 合法 / 应当予以修改 / 不合法 / 通过"
    ),
    user: str | None = typer.Option(None, "--as", help=AS_HELP),
    opinion: str = typer.Option("", "--opinion", "-m", help="意见"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    pin: str | None = typer.Option(None, "--pin", help=PIN_HELP),
    fact: list[str] = typer.Option(
        [], "--fact", help="随决定记录的事实，如 consultation_start=2026-10-01、urgency_reason=…"
    ),
) -> None:
    """在案件当前的人工环节作出决定（先记入数据库，再唤醒等待中的流程）。须验证身份：--as + PIN，或 REVIEWKIT_TOKEN。"""
    from reviewkit.services.workflow import decide as apply

    result = apply(case, decision, current_actor(user, pin), opinion=opinion, fact_lines=fact)
    if as_json:
        print_json(result)
        return
    if result.waiting_for:
        console.print(
            f"已记录签署：{result.case_number}“{result.from_name}”作出“{result.decision}”，{result.waiting_for}。"
        )
    else:
        console.print(
            f"已记录：{result.case_number} 在“{result.from_name}”作出“{result.decision}”，进入“{result.to_name}”。"
        )
    if result.flow_note:
        console.print(result.flow_note, style=None if result.flow_note.startswith("已唤醒") else "yellow")
