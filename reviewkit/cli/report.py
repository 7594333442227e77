"""``reviewkit report``: the period report (审核率、报备率、及时率 …) as text, JSON or Word."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from reviewkit.cli.root import app
from reviewkit.cli.views import console, print_json


@app.command("report")
def report(
    start: str = typer.Option(..., "--from", help="起始日期 YYYY-MM-DD"),
    end: str = typer.Option(..., "--to", help="截止日期 YYYY-MM-DD（数据以此日为准）"),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="另存为 Word 文档（.docx，含表格和图表）"
    ),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """期间报告：有件必审、有案必备、有备必报的各项指标与文字总结。"""
    from reviewkit.domain.calendar import parse_date
    from reviewkit.services.report import period_report, write_docx

    result = period_report(parse_date(start), parse_date(end))
    if output is not None:
        write_docx(result, output)
    if as_json:
        print_json(result.as_json())
        return
    f = result.figures
    table = Table(title=f"{start} 至 {end} 主要指标")
    for col in ("指标", "分子/分母", "比率"):
        table.add_column(col)
    for name, key in (
        ("审核率", "review_rate"),
        ("报备率", "filing_rate"),
        ("及时报备率", "timely_rate"),
        ("审核及时率（法定期限内审结）", "within_limit_rate"),
    ):
        r = f[key]
        table.add_row(name, f"{r['numerator']}/{r['denominator']}", r["label"])
    console.print(table)
    for para in result.text:
        console.print("　　" + para)
    if output is not None:
        console.print(f"已生成 {output}")
