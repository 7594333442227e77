"""The values each Word template is filled with, read from the case record (one read-only session).

Every key here is a placeholder a clerk may use in a template (``{{案件.标题}}``); ``reviewkit doc
fields KIND`` lists them. A decision not yet made can be previewed with ``Pending`` (the 审核意见书
counsel puts on file before deciding)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from reviewkit.documents.layout import official_date
from reviewkit.documents.parse import parse_bytes
from reviewkit.errors import ConfigError
from reviewkit.rules.document import ParsedDocument
from reviewkit.services.case_state import local_date
from reviewkit.services.kernel import current_version, definition_of, local_today
from reviewkit.services.paper_stages import paper_stages
from reviewkit.services.register import terms_of
from reviewkit.settings import get_settings
from reviewkit.store import blobs
from reviewkit.store.models import (
    Attachment,
    Case,
    ConsultationComment,
    Decision,
    DocumentVersion,
    Finding,
    StageEntry,
    User,
)

# The conclusions a paper ticks, by paper id (the stage that decides them is the one declaring the paper).
CONCLUSIONS = {
    "opinion": ("合法", "应当予以修改", "不合法"),
    "fair_competition": ("符合", "不符合"),
}
# Only 未经审核 or 经审核不合法 bars 集体审议 (国办发〔2018〕37号 三(六)); 115号 lets the drafter adopt an opinion in
# part, with reasons (legal review 2026-12, P6: the old 应当予以修改 note overstated it).
CONCLUSION_NOTES = {
    "合法": "该文件制定主体、权限、内容和程序合法，可以按程序提请集体审议。",
    "应当予以修改": "该文件存在下列问题，请你单位研究修改；对审核意见未予采纳的，应当书面说明理由，"
    "并将修改稿及采纳情况说明重新报送审核。",
    "不合法": "该文件经审核不合法，依照国办发〔2018〕37号的规定，不得提交集体审议。",
    "材料不全，退回补充": "报送材料不齐全，请补充后重新报送审核。",
}
# The findings of the pre-review grouped under the four review points of 115号 (制定主体、制定权限、内容、程序).
REVIEW_POINTS = (
    ("制定主体", lambda f: f.rule_id == "POWER-ISSUER"),
    (
        "制定权限",
        lambda f: (
            f.category in ("permit", "penalty", "coercion", "fee", "power") and f.rule_id != "POWER-ISSUER"
        ),
    ),
    ("内容", lambda f: f.category in ("rights", "competition", "citation", "form")),
    ("制定程序", lambda f: f.category == "procedure"),
)
# Materials the 审核机构 receives with the draft (送审材料: 国办发〔2018〕37号 三(六); 115号, secondary copies).
RECEIVED = ("起草说明", "评估论证报告", "风险评估报告", "征求意见采纳情况", "公平竞争审查结论", "法律意见书")
OPINION_LABELS = ("合法", "应当予以修改", "不合法")
CHAPTER = re.compile(r"^第[一二三四五六七八九十百]+[章节]\s")
# 风险评估 is the drafting unit's assessment, seen by the reviewer (国办发〔2018〕37号 三(三)); it does not itself
# clear the document for 审议.
RISK_NOTES = {
    "评估完成": "风险可控，评估报告随送审材料报送合法性审核。",
    "风险可控": "风险可控，评估报告随送审材料报送合法性审核。",
    "风险较高，调整草案": "风险较高，应当调整草案后重新评估。",
}
DISPOSITIONS = {"adopted": "采纳", "partly": "部分采纳", "not_adopted": "不予采纳", "pending": "待研究"}
STANDARDS = [
    ("市场准入和退出标准（第八条）", ("第八条", "第8条")),
    ("商品和要素自由流动标准（第九条）", ("第九条", "第9条")),
    ("影响生产经营成本标准（第十条）", ("第十条", "第10条")),
    ("影响生产经营行为标准（第十一条）", ("第十一条", "第11条")),
]


@dataclass(frozen=True)
class Pending:
    """A decision about to be made, to preview its paper before deciding."""

    decision: str
    opinion: str
    username: str
    facts: tuple[tuple[str, str], ...] = ()  # facts recorded with the decision (征求意见起止 …)


@dataclass(frozen=True)
class DecisionView:
    label: str
    opinion: str
    actor: str
    actor_name: str
    on: date
    version: DocumentVersion | None
    round: int


def office() -> dict[str, str]:
    path = get_settings().templates_dir / "docx" / "office.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(
            f'机关信息文件 {path} 有误：{err}（中文键名须加引号，如 "名称" = "某县财政局"）'
        ) from None
    values = {k: str(v) for k, v in data.items()}
    values.setdefault("名称", "（机关名称）")
    values["机关代字"] = get_settings().issuer_code
    return values


def names(session: Session) -> dict[str, User]:
    return {u.username: u for u in session.exec(select(User)).all()}


def base(session: Session, case: Case, pending: Pending | None = None) -> dict[str, Any]:
    version = current_version(session, case)
    return {
        "案件": {
            "标题": case.title,
            "编号": case.number,
            "起草单位": case.drafting_unit,
            "起草人": _name(session, case.drafter),
            "文号": case.doc_number or "（未编号）",
            "公布日期": official_date(case.published_on) or "（未公布）",
            "成文日期": official_date(case.published_on or local_today()),
            "类型": definition_of(case).name,
            "稿次": str(version.seq),
            "轮次": str(case.round),
        },
        "机关": office(),
        "日期": {"今天": official_date(local_today())},
        "征求意见": consultation_summary(session, case, pending),
    }


def _name(session: Session, username: str | None) -> str:
    user = session.exec(select(User).where(User.username == (username or ""))).first()
    return user.display_name if user else (username or "")


def decision_for(
    session: Session, case: Case, paper: str, pending: Pending | None = None, round_: int | None = None
) -> DecisionView | None:
    """The latest decision ``paper`` records: of the stage(s) whose definition declares it (the
    ``opinion``'s stage is the review stage), or the ``pending`` one being previewed."""
    if pending is not None:
        return DecisionView(
            pending.decision,
            pending.opinion,
            pending.username,
            _name(session, pending.username),
            local_today(),
            current_version(session, case),
            case.round,
        )
    stages = paper_stages(case, paper)
    if not stages:
        return None
    query = select(Decision).where(Decision.case_id == case.id, col(Decision.stage).in_(stages))
    if round_ is not None:
        query = query.where(Decision.round == round_)
    d = session.exec(query.order_by(col(Decision.id).desc())).first()
    if d is None:
        return None
    version = session.exec(
        select(DocumentVersion).where(
            DocumentVersion.case_id == case.id, DocumentVersion.sha256 == d.version_sha256
        )
    ).first()
    return DecisionView(
        d.decision, d.opinion, d.actor, _name(session, d.actor), local_date(d.created_at), version, d.round
    )


def _ticks(paper: str, label: str) -> str:
    return "　".join(("☑" if c == label else "☐") + c for c in CONCLUSIONS[paper])


def _seq(view: DecisionView | None) -> str:
    return str(view.version.seq) if view and view.version else ""


def _fingerprint(version: DocumentVersion | None) -> str:
    return version.sha256[:16] if version else ""


def parsed(version: DocumentVersion) -> ParsedDocument:
    data = blobs.read_bytes(get_settings().resolved_data_dir, version.sha256)
    return parse_bytes(data, version.filename)


def findings(session: Session, version: DocumentVersion | None) -> list[dict[str, str]]:
    if version is None:
        return []
    rows = session.exec(
        select(Finding)
        .where(Finding.version_id == version.id, col(Finding.severity).in_(["error", "warning"]))
        .order_by(col(Finding.paragraph), col(Finding.id))
    ).all()
    doc = parsed(version) if rows else None
    labels = {a.number: a.label for a in doc.articles} if doc else {}
    out = []
    for i, f in enumerate(rows, 1):
        article = ""
        if doc is not None and f.paragraph is not None and f.paragraph < len(doc.paragraphs):
            number = doc.paragraphs[f.paragraph].article
            article = (
                labels.get(number, "") if number else ("标题" if f.paragraph == doc.title_paragraph else "")
            )
        out.append(
            {
                "序号": str(i),
                "条款": article or "全文",
                "问题": f.message,
                "原文": f.text,
                "依据": f.basis,
                "建议": f.suggestion or "—",
                "类别": f.category,
            }
        )
    return out


def opinion(session: Session, case: Case, pending: Pending | None = None) -> dict[str, Any]:
    view = decision_for(session, case, "opinion", pending)
    label = view.label if view else "（尚未审核）"
    ctx = base(session, case, pending)
    round_ = view.round if view else case.round
    received = _review_entered(session, case, round_)
    ctx["意见"] = {
        "文号": _opinion_number(session, case, ctx["机关"], view, pending),
        "结论": label,
        "收文日期": official_date(received) if received else "（未记录）",
        "材料": _materials_received(session, case, view, received),
        "勾选": _ticks("opinion", label),
        "结论说明": CONCLUSION_NOTES.get(label, ""),
        "意见": view.opinion if view and view.opinion else "（无）",
        "审核人": view.actor_name if view else "",
        "日期": official_date(view.on) if view else "",
        "稿次": _seq(view),
        "审核依据": ctx["机关"].get("审核依据", ""),
        "轮次": str(round_),
    }
    ctx["发现"] = findings(session, view.version if view else None)
    ctx["审核"] = _review_points(session, case, view, pending)
    return ctx


def _review_entered(session: Session, case: Case, round_: int) -> date | None:
    """收文日期: the day the draft reached the 审核机构 in this round."""
    entry = session.exec(
        select(StageEntry)
        .where(
            StageEntry.case_id == case.id,
            col(StageEntry.stage).in_(paper_stages(case, "opinion")),
            StageEntry.round == round_,
        )
        .order_by(col(StageEntry.id).desc())
    ).first()
    return local_date(entry.entered_at) if entry else None


def _opinion_number(
    session: Session,
    case: Case,
    office_values: dict[str, str],
    view: DecisionView | None,
    pending: Pending | None,
) -> str:
    """The 审核机构's own 文号 (e.g. 某财法审〔2026〕3号): its opinions of the year numbered in the order given,
    counted from the decisions recorded (a voided one keeps its number; a 退回补充 issues no opinion)."""
    code = office_values.get("审核文号代字", "")
    if not code or view is None:
        return ""

    # Every case's opinions share the office's series; their stages are read from this case's definition
    # (the shipped processes all review at a stage of the same id).
    rows = session.exec(
        select(Decision.id, Decision.created_at, Decision.case_id, Decision.round)
        .where(
            col(Decision.stage).in_(paper_stages(case, "opinion")), col(Decision.decision).in_(OPINION_LABELS)
        )
        .order_by(col(Decision.id))
    ).all()
    year = view.on.year
    same_year = [r for r in rows if local_date(r[1]).year == year]
    if pending is not None:
        serial = len(same_year) + 1
    else:
        mine = [i for i, r in enumerate(same_year, 1) if r[2] == case.id and r[3] == view.round]
        serial = mine[-1] if mine else len(same_year) + 1
    return f"{code}〔{year}〕{serial}号"


def _materials_received(
    session: Session, case: Case, view: DecisionView | None, received: date | None
) -> str:
    names = [f"送审稿（第{_seq(view) or current_version(session, case).seq}稿）"]
    on_file = session.exec(
        select(Attachment.name).where(Attachment.case_id == case.id).order_by(col(Attachment.id))
    ).all()
    names += [n for n in RECEIVED if n in set(on_file)]
    basis = (case.facts or {}).get("legal_basis")
    if basis:
        names.append(f"制定依据（{basis}）")
    return "、".join(names)


def _review_points(
    session: Session, case: Case, view: DecisionView | None, pending: Pending | None
) -> list[dict[str, str]]:
    rows = []
    found = []
    if view is not None and view.version is not None:
        found = list(
            session.exec(
                select(Finding)
                .where(Finding.version_id == view.version.id, col(Finding.severity).in_(["error", "warning"]))
                .order_by(col(Finding.paragraph), col(Finding.id))
            ).all()
        )
    for point, belongs in REVIEW_POINTS:
        hits = [f.message for f in found if belongs(f)]
        if point == "制定程序":
            hits = _procedure_record(session, case, pending) + hits
            text = "；".join(hits) + "。"
        else:
            text = (
                ("存在以下问题：" + "；".join(dict.fromkeys(hits)) + "（详见第三部分）。")
                if hits
                else "未发现问题。"
            )
        rows.append({"事项": point, "情况": text})
    return rows


def _procedure_record(session: Session, case: Case, pending: Pending | None) -> list[str]:
    """The procedure as the case record shows it: 征求意见, 公平竞争审查, 风险评估 (37号 三(三)、(六))."""
    summary = consultation_summary(session, case, pending)
    out = [
        f"已公开征求意见，期间{summary['起止']}"
        if summary["起止"] != "（未记录）"
        else "未记录公开征求意见期间"
    ]
    if summary["紧急情况说明"]:
        out.append(f"缩短征求意见期限的理由：{summary['紧急情况说明']}")
    flags = set(case.flags)
    if "touches_business" in flags:
        fc = decision_for(session, case, "fair_competition")
        out.append(f"已进行公平竞争审查，结论为“{fc.label}”" if fc else "未见公平竞争审查结论")
    if "risk_flagged" in flags:
        ra = decision_for(session, case, "risk")
        out.append("起草单位已进行风险评估并报送评估报告" if ra else "未见风险评估报告")
    return out


def risk(session: Session, case: Case, pending: Pending | None = None) -> dict[str, Any]:
    view = decision_for(session, case, "risk", pending)
    ctx = base(session, case, pending)
    label = view.label if view else "（尚未评估）"
    ctx["评估"] = {
        "结论": label,
        "意见": view.opinion if view and view.opinion else "（无）",
        "结论说明": RISK_NOTES.get(label, ""),
        "评估人": view.actor_name if view else "",
        "日期": official_date(view.on) if view else "",
        "稿次": _seq(view) or ctx["案件"]["稿次"],
        "依据": ctx["机关"].get("风险评估依据", ""),
    }
    return ctx


def consultation_summary(session: Session, case: Case, pending: Pending | None = None) -> dict[str, str]:
    facts = {**(case.facts or {}), **dict(pending.facts if pending else ())}
    start, end = facts.get("consultation_start"), facts.get("consultation_end")
    span = "（未记录）"
    if start and end:
        s, e = date.fromisoformat(start), date.fromisoformat(end)
        span = f"{official_date(s)}至{official_date(e)}（{(e - s).days + 1}日）"
    comments = session.exec(
        select(ConsultationComment.disposition).where(ConsultationComment.case_id == case.id)
    ).all()
    count = {k: sum(1 for d in comments if d == k) for k in DISPOSITIONS}
    return {
        "起止": span,
        "市场主体": facts.get("market_players_consulted", "（未记录）"),
        "紧急情况说明": facts.get("urgency_reason", ""),
        "总数": str(len(comments)),
        "采纳": str(count["adopted"]),
        "部分采纳": str(count["partly"]),
        "不予采纳": str(count["not_adopted"]),
        "待研究": f"，待研究{count['pending']}条" if count["pending"] else "",
    }


def consultation(session: Session, case: Case, pending: Pending | None = None) -> dict[str, Any]:
    ctx = base(session, case, pending)
    rows = session.exec(
        select(ConsultationComment)
        .where(ConsultationComment.case_id == case.id)
        .order_by(col(ConsultationComment.id))
    ).all()
    ctx["意见"] = [
        {
            "序号": str(i),
            "条款": c.article or "总体",
            "提出人": c.commenter + (f"（{c.commenter_kind}）" if c.commenter_kind else ""),
            "内容": c.content,
            "采纳情况": DISPOSITIONS.get(c.disposition, c.disposition),
            "理由": c.reason or "—",
        }
        for i, c in enumerate(rows, 1)
    ]
    return ctx


def fair_competition(session: Session, case: Case, pending: Pending | None = None) -> dict[str, Any]:
    view = decision_for(session, case, "fair_competition", pending)
    ctx = base(session, case, pending)
    label = view.label if view else "（尚未审查）"
    found = [f for f in findings(session, view.version if view else None) if f["类别"] == "competition"]
    ctx["标准"] = []
    for name, marks in STANDARDS:
        hits = [f"{f['条款']}：{f['问题']}" for f in found if any(m in f["依据"] for m in marks)]
        ctx["标准"].append({"名称": name, "结果": "；".join(hits) if hits else "未发现违反本项标准的情形"})
    ctx["审查"] = {
        "结论": label,
        "勾选": _ticks("fair_competition", label),
        "意见": view.opinion if view and view.opinion else "（无）",
        "例外": "不适用",
        "审查人": view.actor_name if view else "",
        "日期": official_date(view.on) if view else "",
        "稿次": _seq(view),
        "文稿指纹": _fingerprint(view.version if view else None),
    }
    return ctx


def _conclusion(view: DecisionView | None, none: str) -> str:
    return f"{view.label}（{official_date(view.on)}，{view.actor_name}）" if view else none


def _meeting(opinion: str) -> str:
    m = re.search(r"经(.{2,20}?会议)", opinion)
    return m.group(1) if m else "集体审议会议"


def deliberation(session: Session, case: Case, pending: Pending | None = None) -> dict[str, Any]:
    view = decision_for(session, case, "deliberation", pending)
    ctx = base(session, case, pending)
    facts = {**(case.facts or {}), **dict(pending.facts if pending else ())}
    ctx["审议"] = {
        "会议": facts.get("meeting") or _meeting(view.opinion if view else ""),
        "出席人员": facts.get("attendees", "（未记录）"),
        "不同意见": facts.get("dissent", "（未记录）"),
        "日期": official_date(view.on) if view else "",
        "主持人": view.actor_name if view else "",
        "稿次": _seq(view) or ctx["案件"]["稿次"],
        "合法性审核": _conclusion(decision_for(session, case, "opinion"), "（未审核）"),
        "公平竞争审查": _conclusion(decision_for(session, case, "fair_competition"), "不涉及"),
        "风险评估": _conclusion(decision_for(session, case, "risk"), "不涉及"),
        "结论": view.label if view else "（尚未审议）",
        "意见": view.opinion if view else "",
        "摘录人": _name(session, pending.username) if pending else "reviewkit（依据案件记录）",
    }
    return ctx


def _effective(doc: ParsedDocument, published: date | None) -> tuple[str, str]:
    text = doc.text
    start = re.search(r"自(\d{4}年\d{1,2}月\d{1,2}日|印发之日|公布之日|发布之日)起施行", text)
    term = re.search(r"有效期(至\d{4}年\d{1,2}月\d{1,2}日|[0-9一二三四五]+年)", text)
    when = start.group(1) if start else (official_date(published + timedelta(days=30)) if published else "")
    if when in ("印发之日", "公布之日", "发布之日"):
        when = official_date(published) if published else when
    return when, term.group(1) if term else "（文件未规定）"


def register(session: Session, case: Case, pending: Pending | None = None) -> dict[str, Any]:
    ctx = base(session, case, pending)
    version = current_version(session, case)
    doc = parsed(version)
    when, term = _effective(doc, case.published_on)
    if case.published_on is not None and term.endswith("年"):
        expires = terms_of(doc.text, case.title, case.published_on).expires_on
        term = (
            f"{term}（至{official_date(expires)}）"  # D6: the day before the anniversary (民法典第二百零二条)
        )
    publication = decision_for(session, case, "register")
    due = official_date(case.published_on + timedelta(days=30)) if case.published_on else "（公布后30日内）"
    ctx["登记"] = {
        "成文日期": ctx["案件"]["成文日期"],
        "施行日期": when,
        "有效期": term,
        "公平竞争审查": _conclusion(decision_for(session, case, "fair_competition"), "不涉及"),
        "合法性审核": _conclusion(decision_for(session, case, "opinion"), "（未审核）"),
        "风险评估": _conclusion(decision_for(session, case, "risk"), "不涉及"),
        "集体审议": _conclusion(decision_for(session, case, "deliberation"), "（未审议）"),
        "备案期限": due,
        "稿次": str(version.seq),
        "文稿指纹": version.sha256,
        "登记人": publication.actor_name if publication else "",
    }
    return ctx


def official_text(session: Session, case: Case, pending: Pending | None = None) -> dict[str, Any]:
    ctx = base(session, case, pending)
    doc = parsed(current_version(session, case))
    skip = {doc.title_paragraph, doc.doc_number_paragraph}
    body = [
        p.text
        for p in doc.paragraphs
        if p.index not in skip
        and p.text.strip()
        and not re.fullmatch(r"[（(](送审稿|修改稿|征求意见稿|草案)[）)]", p.text)
    ]
    # 章 headings centred (GB/T 9704-2012 and common practice for 规范性文件 正文); articles keep their indent.
    ctx["正文"] = [{"段落": text, "对齐": "居中" if CHAPTER.match(text) else ""} for text in body]
    return ctx


# The 备案 materials (local practice; DOMAIN.md 8): the report itself is not one of its own attachments (D4).
MATERIALS = (
    "正式文本",
    "起草说明",
    "合法性审核意见书",
    "集体审议记录（摘录）",
    "征求意见采纳情况表",
    "公平竞争审查表",
    "风险评估报告",
    "全过程记录",
)


def filing_report(session: Session, case: Case, pending: Pending | None = None) -> dict[str, Any]:
    ctx = base(session, case, pending)
    when, _ = _effective(parsed(current_version(session, case)), case.published_on)
    deliberation_view = decision_for(session, case, "deliberation")
    publication = decision_for(session, case, "filing_report")
    flags = set(case.flags)
    materials = [
        m
        for m in MATERIALS
        if not (
            (m == "公平竞争审查表" and "touches_business" not in flags)
            or (m == "风险评估报告" and "risk_flagged" not in flags)
        )
    ]
    ctx["材料"] = [
        {"前缀": "附件：" if i == 1 else "　　　", "序号": str(i), "名称": m}
        for i, m in enumerate(materials, 1)
    ]
    office_values = ctx["机关"]
    ctx["备案"] = {
        "审议日期": official_date(deliberation_view.on) if deliberation_view else "（未审议）",
        "会议": _meeting(deliberation_view.opinion) if deliberation_view else "集体审议会议",
        "施行": f"自{when}起施行" if when else "自公布之日起施行",
        "联系人": publication.actor_name if publication else "",
        "日期": official_date(local_today()),
        "文号": _report_number(session, case, office_values),
        # 签发人: the 机关's head (office.toml), else the leader who chaired the 审议
        "签发人": office_values.get("签发人") or (deliberation_view.actor_name if deliberation_view else ""),
    }
    return ctx


def _report_number(session: Session, case: Case, office_values: dict[str, str]) -> str:
    """The 备案报告's own 发文字号 (an upward document, GB/T 9704-2012 7.2.4/7.2.6): 上行文代字〔year〕N号, N the
    place of this document among the normative documents published that year (one 备案报告 each)."""
    code = office_values.get("上行文代字", "")
    if not code or case.published_on is None:
        return "（未编号）"
    year = case.published_on.year
    rows = session.exec(
        select(col(Case.id), col(Case.published_on)).where(
            Case.kind == case.kind, col(Case.published_on).is_not(None)
        )
    ).all()
    ordered = sorted((r for r in rows if r[1] is not None and r[1].year == year), key=lambda r: (r[1], r[0]))
    serial = next(i for i, r in enumerate(ordered, 1) if r[0] == case.id)
    return f"{code}〔{year}〕{serial}号"
