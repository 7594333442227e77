"""The narrative of the period report, written the way a county bureau's half-year 依法行政 report
speaks of its normative documents (“……做到了有件必审、有案必备、有备必报”). Claims follow the figures:
the slogan is only written when every rate is 100%."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from reviewkit.domain.kpi import top

if TYPE_CHECKING:
    from reviewkit.services.report import PeriodReport

NORMATIVE = "normative_document"
OTHER_MATTERS = {
    "major_contract": "对涉及本单位的重大合同、协议进行合法性审查和风险评估",
    "major_decision": "对重大行政决策草案进行合法性审查",
    "enforcement_review": "对重大执法决定进行法制审核",
}


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def period_label(start: date, end: date) -> str:
    if start.year == end.year and (start.month, start.day) == (1, 1):
        if (end.month, end.day) == (6, 30):
            return f"{start.year}年上半年"
        if (end.month, end.day) == (12, 31):
            return f"{start.year}年度"
    if start.year == end.year and (start.month, start.day, end.month, end.day) == (7, 1, 12, 31):
        return f"{start.year}年下半年"
    return f"{cn_date(start)}至{cn_date(end)}"


def _pct(r: dict[str, Any]) -> str:
    return str(r["label"])


def _join(parts: list[str]) -> str:
    return "、".join(parts)


def narrative(report: PeriodReport) -> list[str]:
    f = report.figures
    start, end = date.fromisoformat(report.start), date.fromisoformat(report.end)
    label = period_label(start, end)
    return [
        p for p in (_documents(f, label), _review(report, f), _others(report, f), _deadlines(report, f)) if p
    ]


def _documents(f: dict[str, Any], label: str) -> str:
    issued, due = len(f["issued"]), len(f["filing_due"])
    filed, timely = len(f["filed"]), len(f["filed_on_time"])
    head = (
        f"{label}，我局进一步做好规范性文件的制定管理工作，提高制度建设质量，在规范性文件起草、征求意见、"
        "合法性审核、集体审议、统一登记编号印发、上报备案等程序上严格执行行政规范性文件管理的政策规定。"
    )
    if issued == 0:
        return head + "期内未印发行政规范性文件。"
    reviewed = len(f["issued_reviewed"])
    text = head + f"期内共印发行政规范性文件{issued}件，"
    if reviewed == issued:
        text += f"均经合法性审核，审核率{_pct(f['review_rate'])}；"
    else:
        text += f"经合法性审核{reviewed}件，审核率{_pct(f['review_rate'])}；"
    if due:
        text += f"应报送备案{due}件，已报备{filed}件，报备率{_pct(f['filing_rate'])}，"
        text += f"其中在公布之日起30日内报备{timely}件，及时报备率{_pct(f['timely_rate'])}"
    pending = len(f["filing_pending_in_limit"])
    if pending:
        text += f"{'；' if due else ''}另有{pending}件尚在报备期限内"
    perfect = reviewed == issued and filed == due and timely == due
    if perfect:
        text += "，做到了有件必审、有案必备、有备必报。"
    else:
        gaps = []
        if filed < due:
            gaps.append(f"{due - filed}件未报备")
        if timely < filed:
            gaps.append(f"{filed - timely}件逾期报备")
        if reviewed < issued:
            gaps.append(f"{issued - reviewed}件未见合法性审核记录")
        text += f"。{_join(gaps)}，已督促相关股（室）限期整改，确保有件必审、有案必备、有备必报。"
    return text


def _review(report: PeriodReport, f: dict[str, Any]) -> str:
    received = f["reviews_received"].get(NORMATIVE, 0)
    concluded = f["reviews_concluded"].get(NORMATIVE, 0)
    if not (received or concluded):
        return ""
    within = f["reviews_within_limit"].get(NORMATIVE, 0)
    limit = report.review_limits.get(NORMATIVE, "法定期限")
    outcomes = f["review_outcomes"].get(NORMATIVE, {})
    text = (
        f"发挥法律顾问作用，严把合法性审核关。期内受理规范性文件合法性审核{received}件次，审结{concluded}件次，"
        f"其中在{limit}内审结{within}件次，占{_share(within, concluded)}"
    )
    if outcomes:
        text += "；出具" + _join([f"“{k}”意见{v}件次" for k, v in top(outcomes, 5)])
    pending = f["reviews_pending"].get(NORMATIVE, 0)
    if pending:
        text += f"；期末尚有{pending}件次在审"
    text += "。"
    if f["returns_total"]:
        reasons = [r for r, _ in top(f["returns_by_reason"], 3)]
        text += f"各环节退回修改{f['returns_total']}件次，主要原因是{_join(reasons)}。"
    cats = f["findings_by_category"]
    if cats:
        names = [report.category_names.get(k, k) for k, _ in top(cats, 3)]
        text += (
            f"自动预审发现问题{sum(cats.values())}项，主要集中在{_join(names)}等方面，"
            "均已在审核意见中提示起草股（室）修改完善。"
        )
    return text


def _share(part: int, whole: int) -> str:
    from reviewkit.domain.kpi import share

    return share(part, whole)


def _others(report: PeriodReport, f: dict[str, Any]) -> str:
    parts = []
    for kind, phrase in OTHER_MATTERS.items():
        n = f["reviews_concluded"].get(kind, 0)
        if n:
            parts.append(f"{phrase}{n}件次")
    if not parts:
        return ""
    return "委托法律顾问" + "，".join(parts) + "，为依法决策提供专业法律意见。"


def _deadlines(report: PeriodReport, f: dict[str, Any]) -> str:
    rows = f["overdue_by_stage"]
    late = sum(r["finished_late"] for r in rows)
    still = sum(r["open_overdue"] for r in rows)
    if not (late or still):
        return "各环节均在规定期限内办结，未发生超期。"
    worst = sorted(rows, key=lambda r: -(r["finished_late"] + r["open_overdue"]))[:3]
    where = _join(
        [
            f"{report.kind_names.get(r['kind'], r['kind'])}“{report.stage_names.get(r['kind'] + '/' + r['stage'], r['stage'])}”环节"
            f"{r['finished_late'] + r['open_overdue']}件次"
            for r in worst
        ]
    )
    text = f"期内有{late}件次环节超期办结"
    if still:
        text += f"，期末仍有{still}件次超期未办结"
    return text + f"，主要在{where}，已纳入每日督办并逐级提醒，下一步将进一步压实办理时限。"
