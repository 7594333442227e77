"""The period report as a Word document: the narrative, the tables and the charts."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from reviewkit.documents import charts
from reviewkit.documents.report_text import period_label
from reviewkit.domain.kpi import top

if TYPE_CHECKING:
    from reviewkit.services.report import PeriodReport

FONT = "仿宋"


def _font(run: Any, size: float, name: str = FONT, bold: bool = False) -> None:
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(
    doc: Any, text: str, size: float = 14, bold: bool = False, indent: bool = True, name: str = FONT
) -> None:
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    _font(p.add_run(text), size, name, bold)


def _table(doc: Any, head: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        _font(cell.paragraphs[0].add_run(text), 10.5, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _font(cell.paragraphs[0].add_run(text), 10.5)
    doc.add_paragraph()


def render_report(report: PeriodReport, dest: Path) -> Path:
    f = report.figures
    start, end = date.fromisoformat(report.start), date.fromisoformat(report.end)
    label = period_label(start, end)
    doc = Document()
    doc.core_properties.title = f"{label}行政规范性文件合法性审核工作情况"
    doc.core_properties.created = datetime.now(UTC)
    _para(doc, f"{label}行政规范性文件合法性审核工作情况", 20, True, False, "黑体")
    _para(
        doc,
        f"（统计期间：{report.start} 至 {report.end}；数据截至期末，来源：reviewkit 审核记录）",
        12,
        indent=False,
    )
    _para(doc, "一、工作情况", 16, True, False, "黑体")
    for n, text in enumerate(report.text, 1):
        _para(doc, f"（{'一二三四五六七八九十'[n - 1]}）{text}" if len(report.text) > 1 else text)
    _para(doc, "二、主要指标", 16, True, False, "黑体")
    rates = [
        ("审核率（有件必审）", f["review_rate"], "印发文件中经合法性审核的比例"),
        ("报备率（有案必备）", f["filing_rate"], "应报备文件中已报送备案的比例"),
        ("及时报备率（有备必报）", f["timely_rate"], "应报备文件中在公布后30日内报备的比例"),
        ("审核及时率", f["within_limit_rate"], "审结的合法性审核中在法定期限内审结的比例"),
    ]
    _table(
        doc,
        ["指标", "分子/分母", "比率", "口径"],
        [[n, f"{r['numerator']}/{r['denominator']}", r["label"], why] for n, r, why in rates],
    )
    kinds = sorted(set(f["reviews_received"]) | set(f["reviews_concluded"]) | set(f["reviews_pending"]))
    _table(
        doc,
        ["事项类型", "受理", "审结", "期限内审结", "期末在审"],
        [
            [
                report.kind_names.get(k, k),
                str(f["reviews_received"].get(k, 0)),
                str(f["reviews_concluded"].get(k, 0)),
                str(f["reviews_within_limit"].get(k, 0)),
                str(f["reviews_pending"].get(k, 0)),
            ]
            for k in kinds
        ],
    )
    _para(doc, "三、退回修改及原因", 16, True, False, "黑体")
    _table(
        doc,
        ["事项/环节/决定", "件次"],
        [[_decision_name(report, k), str(v)] for k, v in top(f["returns_by_decision"], 12)],
    )
    _table(doc, ["退回理由", "件次"], [[k, str(v)] for k, v in top(f["returns_by_reason"], 12)])
    _para(doc, "四、预审发现问题（按类别）", 16, True, False, "黑体")
    cats = top(f["findings_by_category"], 20)
    _table(doc, ["类别", "项数"], [[report.category_names.get(k, k), str(v)] for k, v in cats])
    _para(doc, "五、法律顾问工作量", 16, True, False, "黑体")
    _table(
        doc,
        ["审核人", "审结件次", "合法", "修改", "不合法", "期限内", "平均用时（工作日）"],
        [
            [
                report.people.get(c["actor"], c["actor"]),
                str(c["reviews"]),
                str(c["passed"]),
                str(c["revised"]),
                str(c["rejected"]),
                str(c["within_limit"]),
                f"{c['average_days']:g}",
            ]
            for c in f["counsel"]
        ],
    )
    _para(doc, "六、各环节超期情况", 16, True, False, "黑体")
    _table(
        doc,
        ["事项", "环节", "超期办结", "期末超期未办结"],
        [
            [
                report.kind_names.get(r["kind"], r["kind"]),
                report.stage_names.get(f"{r['kind']}/{r['stage']}", r["stage"]),
                str(r["finished_late"]),
                str(r["open_overdue"]),
            ]
            for r in f["overdue_by_stage"]
        ],
    )
    with tempfile.TemporaryDirectory() as tmp:
        _charts(doc, report, Path(tmp))
        dest.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(dest))
    return dest


def _decision_name(report: PeriodReport, key: str) -> str:
    kind, stage, decision = key.split("/", 2)
    return (
        f"{report.kind_names.get(kind, kind)}/{report.stage_names.get(f'{kind}/{stage}', stage)}/{decision}"
    )


def chart_files(report: PeriodReport, folder: Path) -> list[Path]:
    f = report.figures
    files = [
        charts.rates_chart(
            folder / "rates.png",
            "主要指标（%）",
            {
                "审核率": f["review_rate"]["percent"],
                "报备率": f["filing_rate"]["percent"],
                "及时报备率": f["timely_rate"]["percent"],
                "审核及时率": f["within_limit_rate"]["percent"],
            },
        )
    ]
    cats = top(f["findings_by_category"], 10)
    if cats:
        files.append(
            charts.bar_chart(
                folder / "findings.png",
                "预审发现问题（按类别）",
                [report.category_names.get(k, k) for k, _ in cats],
                [v for _, v in cats],
                horizontal=True,
            )
        )
    late = sorted(f["overdue_by_stage"], key=lambda r: -(r["finished_late"] + r["open_overdue"]))[:8]
    if late:
        files.append(
            charts.bar_chart(
                folder / "overdue.png",
                "各环节超期件次",
                [report.stage_names.get(f"{r['kind']}/{r['stage']}", r["stage"]) for r in late],
                [r["finished_late"] + r["open_overdue"] for r in late],
                horizontal=True,
            )
        )
    return files


def _charts(doc: Any, report: PeriodReport, folder: Path) -> None:
    _para(doc, "七、图表", 16, True, False, "黑体")
    for path in chart_files(report, folder):
        doc.add_picture(str(path), width=Cm(15))
