"""Procedure rules readable from the text itself: retroactive entry into force."""

from __future__ import annotations

from collections.abc import Iterator

from reviewkit.rules.document import ParsedDocument
from reviewkit.rules.form import EFFECTIVE_DATE_RE, effective_date, signing_date
from reviewkit.rules.model import Context, Finding, Rule, RuleInfo


def check_retroactive(doc: ParsedDocument, ctx: Context) -> Iterator[Finding]:
    begins, signed = effective_date(doc), signing_date(doc)
    if begins is None or signed is None or begins >= signed:
        return
    para = next((p for p in doc.paragraphs if EFFECTIVE_DATE_RE.search(p.text)), None)
    m = EFFECTIVE_DATE_RE.search(para.text) if para else None
    yield RETROACTIVE.finding(
        para.index if para else None,
        m.group(0) if m else "",
        f"施行日期（{begins.year}年{begins.month}月{begins.day}日）早于成文日期"
        f"（{signed.year}年{signed.month}月{signed.day}日），文件溯及既往",
        suggestion="施行日期不得早于公布日期；确为更好保护当事人权益而溯及的，在起草说明中说明理由。",
        start=m.start() if m else -1,
    )


RETROACTIVE = Rule(
    RuleInfo(
        "PROC-RETROACTIVE",
        "施行日期早于成文日期（溯及既往）",
        "procedure",
        "warning",
        "《中华人民共和国立法法》第一百零四条（参照）；国办发〔2018〕37号（未经公布不得作为管理依据）",
        "document",
    ),
    check_retroactive,
)

PROCEDURE_RULES = [RETROACTIVE]
