"""The 修改对照稿 of a case: its current draft against the version counsel last returned for revision,
with counsel's opinion (split by the articles it names) and the pre-review findings kept as comments."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, col, select

from reviewkit.documents.layout import official_date
from reviewkit.documents.redline import Comparison, Remark, compare, paragraphs_of
from reviewkit.rules.document import ParsedDocument
from reviewkit.services import document_context as ctx
from reviewkit.services.case_state import local_date
from reviewkit.services.kernel import current_version
from reviewkit.services.paper_stages import paper_stages
from reviewkit.settings import get_settings
from reviewkit.store import blobs
from reviewkit.store.models import Case, Decision, DocumentVersion, Finding

ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇两]+条")


def returned_decision(session: Session, case: Case) -> Decision | None:
    """The latest 退回修改 (outcome ``revise``), preferring the review stage's (the stage that declares the
    审核意见书, ``opinion``: 合法性审核)."""
    rows = session.exec(
        select(Decision)
        .where(Decision.case_id == case.id, Decision.outcome == "revise")
        .order_by(col(Decision.id).desc())
    ).all()
    review = paper_stages(case, "opinion")
    return next((d for d in rows if d.stage in review), rows[0] if rows else None)


def compose(session: Session, case: Case, when: datetime) -> bytes | None:
    """The comparison document, or None when there is no returned version to compare against."""
    returned = returned_decision(session, case)
    new = current_version(session, case)
    if returned is None or returned.version_sha256 in (None, new.sha256):
        return None
    old = session.exec(
        select(DocumentVersion).where(
            DocumentVersion.case_id == case.id, DocumentVersion.sha256 == returned.version_sha256
        )
    ).first()
    if old is None:
        return None
    data_dir = get_settings().resolved_data_dir
    old_paragraphs = paragraphs_of(blobs.read_bytes(data_dir, old.sha256))
    new_paragraphs = paragraphs_of(blobs.read_bytes(data_dir, new.sha256))
    counsel = ctx.names(session).get(returned.actor)
    counsel_name = counsel.display_name if counsel else returned.actor
    submitter = ctx.names(session).get(new.submitted_by)
    remarks = opinion_remarks(returned.opinion, ctx.parsed(old), counsel_name, returned.decision)
    for f in session.exec(
        select(Finding)
        .where(Finding.version_id == old.id, col(Finding.severity).in_(["error", "warning"]))
        .order_by(col(Finding.id))
    ).all():
        text = f"【预审·{f.rule_id}】{f.message}" + (f" 依据：{f.basis}" if f.basis else "")
        remarks.append(Remark(f.paragraph, text, "reviewkit 预审", "RK"))
    info = Comparison(
        title=case.title,
        old_label=f"第{old.seq}稿（{counsel_name}于{official_date(local_date(returned.created_at))}"
        f"“{returned.decision}”所据，SHA-256 {old.sha256[:16]}…）",
        new_label=f"第{new.seq}稿（{submitter.display_name if submitter else new.submitted_by}提交，"
        f"SHA-256 {new.sha256[:16]}…）",
        author=submitter.display_name if submitter else new.submitted_by,
        when=when,
        remarks=remarks,
    )
    return compare(old_paragraphs, new_paragraphs, info)


def opinion_remarks(opinion: str, old: ParsedDocument, author: str, decision: str) -> list[Remark]:
    """Counsel's opinion as comments: each clause that names an article goes on that article's first
    paragraph in the old text; the whole opinion also goes on the title."""
    first = {a.label: a.first_paragraph for a in old.articles}
    remarks = [Remark(None, f"审核意见（{decision}）：{opinion or '（无）'}", author)]
    for part in re.split(r"[；;。]", opinion):
        labels = ARTICLE.findall(part)
        for label in labels[:1]:
            if label in first and part.strip():
                remarks.append(Remark(first[label], part.strip(), author))
    return remarks
