"""``reviewkit doc``: formal papers from the case record, the 备案 package, the number register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from reviewkit.cli.identity import AS_HELP, PIN_HELP, current_actor
from reviewkit.cli.root import app
from reviewkit.cli.views import console, print_json

doc_app = typer.Typer(help="文书：按模板生成审核意见书等、备案材料包、统一编号登记簿。", no_args_is_help=True)
app.add_typer(doc_app, name="doc")

AS = typer.Option(None, "--as", help=AS_HELP)
PIN = typer.Option(None, "--pin", help=PIN_HELP)


@doc_app.command("render")
def render(
    case: str = typer.Argument(..., help="案件 id 或编号"),
    kind: str = typer.Argument(
        ...,
        help="文书：合法性审核意见书、风险评估报告、征求意见采纳情况表、公平竞争审查表、"
        "集体审议记录摘录、规范性文件登记表、正式文本、备案报告、修改对照稿",
    ),
    out: Path | None = typer.Option(None, "-o", "--out", help="输出文件（默认当前目录下的文书名）"),
    attach: bool = typer.Option(False, "--attach", help="同时作为本案材料归档（须 --as）"),
    decision: str | None = typer.Option(
        None, "--decision", "-d", help="按将要作出的决定预先生成（如 应当予以修改）"
    ),
    opinion: str = typer.Option("", "--opinion", "-m", help="与 --decision 同用：意见正文"),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """按模板生成一份文书（.docx），内容取自案件记录。"""
    from reviewkit.services.document_context import Pending
    from reviewkit.services.documents import file_document, render_document

    actor = current_actor(user, pin) if (attach or decision) else None
    pending = Pending(decision, opinion, actor.username) if decision and actor else None
    rendered = render_document(case, kind, pending=pending)
    target = out or Path(rendered.filename)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(rendered.data)
    console.print(f"已生成《{rendered.kind.title}》：{target}（SHA-256 {rendered.sha256[:16]}…）")
    if attach and actor:
        item = file_document(case, kind, actor, pending=pending)
        console.print(f"已作为“{item.name}”归档（SHA-256 {item.sha256[:16]}…）")


@doc_app.command("list")
def list_(
    case: str = typer.Argument(..., help="案件 id 或编号"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """本案归档的材料：经办人提交的和系统生成的文书，各自的环节、轮次和 SHA-256。"""
    from rich.table import Table

    from reviewkit.services.documents import list_materials

    rows = list_materials(case)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"归档材料（{len(rows)} 份）")
    for col in ("材料", "文件", "环节", "轮", "来源", "SHA-256"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r.name,
            r.filename,
            r.stage_name,
            str(r.round),
            "系统生成" if r.generated else r.submitted_by,
            r.sha256[:16] + "…",
        )
    console.print(table)


@doc_app.command("export")
def export(
    case: str = typer.Argument(..., help="案件 id 或编号"),
    name: str = typer.Argument(..., help="材料名称（如 审核意见书、修改对照稿、备案材料包）或文件名"),
    out: Path | None = typer.Option(None, "-o", "--out", help="输出文件（默认当前目录下的原文件名）"),
    round_: int | None = typer.Option(None, "--round", help="第几轮的（默认最新一份）"),
) -> None:
    """取出归档的那一份（如作出决定时的审核意见书），校验 SHA-256 后写出。"""
    from reviewkit.services.documents import read_material

    row, data = read_material(case, name, round_=round_)
    target = out or Path(row.filename)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    console.print(f"已取出“{row.name}”（第 {row.round} 轮）：{target}（SHA-256 {row.sha256[:16]}…）")


@doc_app.command("package")
def package(
    case: str = typer.Argument(..., help="案件 id 或编号"),
    out: Path | None = typer.Option(None, "-o", "--out", help="输出的 zip（默认 备案材料包-案件编号.zip）"),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """制作备案材料包（zip）：备案报告、正式文本、起草说明、审核意见书、集体审议记录、全过程记录等，附 SHA-256 清单。"""
    from reviewkit.services.packages import build_package
    from reviewkit.services.queries import case_detail

    actor = current_actor(user, pin)
    target = out or Path(f"备案材料包-{case_detail(case).case.number}.zip")
    data, names = build_package(case, actor, out=target)
    console.print(f"已制作备案材料包：{target}（{len(names)} 份材料，{len(data)} 字节）")
    for i, name in enumerate(names, 1):
        console.print(f"  {i}. {name}")


@doc_app.command("templates")
def templates(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """列出文书模板（templates/docx/）及其中的占位符。"""
    from reviewkit.documents.render import placeholders
    from reviewkit.services.documents import KINDS, template_path

    rows: list[dict[str, Any]] = []
    for k in KINDS:
        path = template_path(k)
        rows.append(
            {
                "kind": k.id,
                "title": k.title,
                "filed_as": k.attach_as,
                "template": str(path) if k.build else "（程序生成）",
                "placeholders": placeholders(path) if k.build and path.is_file() else [],
            }
        )
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(title="文书模板")
    for col in ("文书", "归档为", "模板", "占位符"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r["title"], r["filed_as"], r["template"], " ".join("{{" + p + "}}" for p in r["placeholders"])
        )
    console.print(table)


@doc_app.command("numbers")
def numbers(
    year: int | None = typer.Option(None, "--year", help="只看该年"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """统一编号登记簿：每个已发出的文号（含已作废的及其理由），按序号排列。"""
    from reviewkit.services.numbering import register

    rows = register(year=year)
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(title=f"统一编号登记簿（{len(rows)} 个文号）")
    for col in ("文号", "状态", "案件", "标题", "登记人", "作废理由"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r.number,
            r.status_name,
            r.case_number or "",
            r.case_title or "",
            r.assigned_by,
            r.voided_reason or "",
        )
    console.print(table)


@doc_app.command("void")
def void(
    number: str = typer.Argument(..., help="要作废的文号，如 某财规〔2026〕3号"),
    reason: str = typer.Option(..., "--reason", help="作废理由"),
    reissue: bool = typer.Option(False, "--reissue", help="同时为该案件重新编号（取下一个号）"),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """作废一个文号：登记簿保留该号及理由，此号永不再用。"""
    from reviewkit.services.numbering import void as run

    actor = current_actor(user, pin)
    issued = run(number, reason, actor, reissue=reissue)
    console.print(f"已作废文号 {issued.number}：{reason}")
    if reissue and issued.case_id:
        from reviewkit.services.queries import case_detail

        console.print(f"案件已重新编号：{case_detail(issued.case_id).case.doc_number}")
