"""Citation rules: repealed or superseded laws (from the law-status catalog), old versions, 文号 form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

from reviewkit.rules.document import ParsedDocument
from reviewkit.rules.model import Context, Finding, Rule, RuleInfo

CITED = re.compile(r"《([^《》]{2,60})》")
_VERSION_YEAR = re.compile(r"[（(]\s*(\d{4})\s*年[^）)]{0,6}(?:修正|修订|版)?\s*[）)]")
_VERSION_BEFORE = re.compile(r"(\d{4})\s*年(?:修正|修订)的?$")
_HISTORIC = re.compile(r"^(?:已|已经|已被|同时|均|业已|现已)?(?:废止|失效|失去效力|停止施行|被废止|被取代)")
_HISTORIC_BEFORE = re.compile(r"(?:原(?:依据|依照|根据|按照)?|废止|取代|替代|代替|不再适用)$")
_CITED_NUMBER = re.compile(
    r"[\u4e00-\u9fa5A-Za-z]{1,12}\s*[\[（(【［]\s*\d{4}\s*[\]）)】］]\s*第?\s*\d+\s*号"
)
_CITED_PADDED = re.compile(
    r"[\u4e00-\u9fa5A-Za-z]{1,12}〔\d{4}〕(?:第\s*)?0\d*号|[\u4e00-\u9fa5A-Za-z]{1,12}〔\d{4}〕第\d+号"
)


def _date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def check_repealed(doc: ParsedDocument, ctx: Context) -> Iterator[Finding]:
    catalog = ctx.catalog
    for para in doc.all_paragraphs:
        if "《" not in para.text:
            continue
        text = para.text
        for m in CITED.finditer(text):
            law = catalog.lookup(m.group(1))
            if law is None:
                continue
            before, after = text[max(0, m.start() - 6) : m.start()], text[m.end() : m.end() + 10]
            if _HISTORIC.search(after) or _HISTORIC_BEFORE.search(before):
                continue  # the clause speaks of the repeal itself, or of the former law
            stamp = f"（法律状态目录截至{catalog.as_of_label}）"
            if law.status in ("repealed", "superseded") and law.date <= ctx.today:
                verb = "废止" if law.status == "repealed" else "被取代"
                instead = f"，由《{law.replaced_by}》取代" if law.replaced_by else ""
                yield replace(
                    REPEALED.finding(
                        para.index,
                        m.group(0),
                        f"引用的《{m.group(1)}》已于{_date(law.date)}{verb}{instead}{stamp}",
                        suggestion=f"改为引用《{law.replaced_by}》的相应条款。"
                        if law.replaced_by
                        else "删除或更换该依据。",
                        basis=law.source or REPEALED.info.basis,
                        start=m.start(),
                    ),
                    cell=para.locator,
                )
            elif law.status == "revised":
                version = _VERSION_YEAR.search(m.group(1)) or _VERSION_YEAR.match(after)
                year_before = _VERSION_BEFORE.search(text[max(0, m.start() - 10) : m.start()])
                year_m = version or year_before
                if year_m and int(year_m.group(1)) < law.date.year:
                    yield REVISED.finding(
                        para.index,
                        m.group(0),
                        f"引用的是《{law.name}》{year_m.group(1)}年文本，现行文本自{_date(law.date)}起施行{stamp}",
                        suggestion=f"引用现行《{law.name}》，并核对条文序号。",
                        start=m.start(),
                    )


def check_cited_numbers(doc: ParsedDocument, ctx: Context) -> Iterator[Finding]:
    for para in doc.paragraphs:
        if para.index == doc.doc_number_paragraph or "号" not in para.text:
            continue
        for regex in (_CITED_NUMBER, _CITED_PADDED):
            m = regex.search(para.text)
            if m:
                yield CITED_NUMBER.finding(
                    para.index,
                    m.group(0),
                    f"引用的发文字号“{m.group(0)}”不规范（年份用六角括号〔〕，序号不加“第”、不编虚位）",
                    suggestion="写作“《标题》（机关代字〔年份〕序号号）”，如《……的通知》（国办发〔2018〕37号）。",
                    start=m.start(),
                )
                break


REPEALED = Rule(
    RuleInfo("CITE-REPEALED", "引用已废止或被取代的法律法规", "citation", "error",
             "《中华人民共和国立法法》；国办发〔2018〕115号（审核要点：与现行法律法规一致）"),
    check_repealed,
)  # fmt: skip
REVISED = Rule(
    RuleInfo("CITE-REVISED", "引用已修订法律的旧文本", "citation", "info",
             "国办发〔2018〕115号（审核要点：与现行法律法规一致）"),
    lambda doc, ctx: (),  # reported by check_repealed
)  # fmt: skip
CITED_NUMBER = Rule(
    RuleInfo("CITE-DOC-NUMBER", "引用文件的发文字号不规范", "citation", "info",
             "GB/T 9704-2012《党政机关公文格式》第7.2.5条；《党政机关公文处理工作条例》第九条"),
    check_cited_numbers,
)  # fmt: skip

CITATION_RULES = [REPEALED, REVISED, CITED_NUMBER]
