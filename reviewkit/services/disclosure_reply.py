"""The values of the 政府信息公开申请答复书 (``templates/docx/政府信息公开申请答复书.docx``), read from an
information-disclosure case: who applied for what, when it was received, the answer chosen at 承办答复,
its reasons and legal basis (政府信息公开条例第36、37条) and the remedy the law gives that answer type
(``reviewkit.domain.remedies``: 不予公开 is 复议前置, 行政复议法 第二十三条)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from reviewkit.documents.layout import official_date
from reviewkit.domain.remedies import remedy_for
from reviewkit.services import document_context as ctx
from reviewkit.services.case_state import local_date
from reviewkit.services.deadlines import work_calendar
from reviewkit.services.kernel import local_today
from reviewkit.store.models import Case, Decision

ANSWER_STAGES = ("answering", "answering_ext")
LIMIT_DAYS = 20  # 政府信息公开条例第33条第2款
TEXTS = {
    "予以公开": "经审查，您申请公开的政府信息属于公开范围，本机关决定予以公开，现将该政府信息随本答复书一并提供"
    "（见附件）。（政府信息公开条例第三十六条第二项）",
    "已主动公开，告知获取途径": "您申请公开的政府信息已经主动公开，可以通过以下方式、途径获取：{route}。"
    "（政府信息公开条例第三十六条第一项）",
    "部分公开": "您申请公开的政府信息中含有不应当公开的内容，但能够作区分处理，本机关对可以公开的部分予以提供"
    "（见附件）；对不予公开的部分，理由及依据如下：{exemption}。（政府信息公开条例第三十六条第三项、第三十七条）",
    "不予公开": "经审查，您申请公开的政府信息依法不予公开，理由及依据如下：{exemption}。"
    "（政府信息公开条例第三十六条第三项）",
    "信息不存在": "经检索查找，本机关未制作、获取您申请公开的政府信息，该政府信息不存在。"
    "（政府信息公开条例第三十六条第四项）",
    "非本机关负责公开": "您申请公开的政府信息不属于本机关负责公开。（政府信息公开条例第三十六条第五项）",
}


def answer_of(session: Session, case: Case) -> Decision | None:
    """The latest answer chosen at 承办答复 (an extension request is not an answer)."""
    rows = session.exec(
        select(Decision)
        .where(
            Decision.case_id == case.id,
            col(Decision.stage).in_(ANSWER_STAGES),
            col(Decision.voided_at).is_(None),
        )
        .order_by(col(Decision.id).desc())
    ).all()
    return next((d for d in rows if d.decision in TEXTS), None)


def values(session: Session, case: Case, pending: ctx.Pending | None = None) -> dict[str, Any]:
    out = ctx.base(session, case, pending)
    facts = case.facts or {}
    received = local_date(case.created_at)
    extended = any(
        d.decision == "同意延期"
        for d in session.exec(
            select(Decision).where(Decision.case_id == case.id, Decision.stage == "extension_approval")
        ).all()
    )
    # 补正: the time to answer runs from the day the corrected request was received (条例第30条)
    corrected = session.exec(
        select(Decision)
        .where(
            Decision.case_id == case.id,
            Decision.stage == "awaiting_correction",
            Decision.decision == "已补正",
            col(Decision.voided_at).is_(None),
        )
        .order_by(col(Decision.id).desc())
    ).first()
    counted_from = local_date(corrected.created_at) if corrected else received
    due = work_calendar().add(counted_from, LIMIT_DAYS * (2 if extended else 1), "working").due
    answer = answer_of(session, case)
    label = answer.decision if answer else "（尚未答复）"
    text = TEXTS.get(label, "").format(
        route=facts.get("access_route", "（未写明）"), exemption=facts.get("exemption", "（未写明）")
    )
    office = ctx.office()
    out["申请"] = {
        "申请人": facts.get("applicant", "申请人"),
        "内容": facts.get("requested_info", case.title),
        "收到日期": official_date(received)
        + (f"（{official_date(counted_from)}收到补正后的申请）" if corrected else ""),
        "答复期限": official_date(due),
        "延期": f"经本机关政府信息公开工作机构负责人同意，答复期限延长20个工作日（理由：{facts.get('extension_reason', '')}）。"
        if extended
        else "未延长答复期限。",
    }
    review_body = office.get("行政复议机关", office.get("备案机关", "（行政复议机关）"))
    out["答复"] = {
        "类型": label,
        "正文": text,
        "日期": official_date(local_today()),
        "复议机关": review_body,
        "救济": remedy_for(label, review_body).text if answer else "",
    }
    return out
