"""Form rules: purpose-and-basis clause, 施行日期, 有效期, 文号, dates, title (GB/T 9704-2012 and 37号)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from reviewkit.rules.document import DateMention, ParsedDocument
from reviewkit.rules.model import Context, Finding, Rule, RuleInfo
from reviewkit.rules.numerals import cn_to_int
from reviewkit.rules.structure import DOC_TYPE_SUFFIXES, find_dates

GBT9704_NUMBER = "GB/T 9704-2012《党政机关公文格式》第7.2.5条（发文字号）"
GBT9704_DATE = (
    "GB/T 9704-2012《党政机关公文格式》第7.3.5条（成文日期用阿拉伯数字标全年、月、日，月、日不编虚位）"
)
GB37 = "《国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知》（国办发〔2018〕37号）"
GB115 = "《国务院办公厅关于全面推行行政规范性文件合法性审核机制的指导意见》（国办发〔2018〕115号）"
LOCAL_VALIDITY = "国办发〔2018〕37号（定期清理、动态管理）；地方行政规范性文件管理规定（有效期一般不超过5年，暂行、试行不超过2年；地方规定，可配置）"

INSTRUMENT_TYPES = (
    "规定",
    "办法",
    "细则",
    "规则",
    "决定",
    "意见",
    "通告",
    "公告",
    "通知",
    "方案",
    "措施",
    "规范",
)
BASIS_RE = re.compile(
    r"(?:根据|依据|依照|按照|遵照|贯彻|落实|贯彻落实)[^。]{0,120}?(?:《|法律|法规|规章|规定|精神|要求|部署|决策)"
)
EFFECTIVE_RE = re.compile(
    r"自[^。；]{0,30}?(?:起|之日起|以后)[^。；]{0,4}?(?:施行|实施|执行|生效)|施行日期|实施日期"
)
EFFECTIVE_DATE_RE = re.compile(r"自([^。；]{4,20}?)起[^。；]{0,4}?(?:施行|实施|执行|生效)")
VALIDITY_RE = re.compile(r"有效期|试行期|施行期限|长期有效|有效至|至[^。；]{6,14}(?:止|失效|废止)")
YEARS_RE = re.compile(r"有效期(?:为|是|暂定为|定为)?\s*([0-9]+|[一二三四五六七八九十两]+)\s*年")
UNTIL_RE = re.compile(
    r"(?:有效期至|有效期到|有效至|执行至|施行至|实施至|至)([^。；，]{6,16}?)(?:止|失效|废止|届满)?(?:[。；，]|$)"
)
TRIAL_RE = re.compile(r"暂行|试行")
LAW_NAME_RE = re.compile(r"(?:条例|(?<![办方做算执司用立])法)$")


def is_instrument(doc: ParsedDocument) -> bool:
    """Whole-document form rules apply only to something that looks like a normative document."""
    if len(doc.articles) >= 2:
        return True
    name = _bare_name(doc.instrument_name)
    return bool(doc.title) and name.endswith(INSTRUMENT_TYPES) and len(doc.paragraphs) >= 4


def _bare_name(name: str) -> str:
    return re.sub(
        r"[（(](?:暂行|试行|修订|修正|征求意见稿|送审稿|草案)[^）)]*[）)]$", "", name.strip()
    ).strip()


def _anchor(doc: ParsedDocument) -> int | None:
    return doc.title_paragraph


def _opening(doc: ParsedDocument) -> str:
    """The preamble and first article: where a purpose-and-basis clause belongs."""
    start = (doc.title_paragraph or -1) + 1
    if doc.articles:
        end = doc.articles[0].last_paragraph
        first = doc.articles[0].first_paragraph
        start = min(start, first)
        return "\n".join(p.text for p in doc.paragraphs[start : end + 1])
    texts = [p.text for p in doc.paragraphs[start:] if p.text][:6]
    return "\n".join(texts)


def check_basis(doc: ParsedDocument, ctx: Context) -> Iterator[Finding]:
    if is_instrument(doc) and not BASIS_RE.search(_opening(doc)):
        yield NO_BASIS.finding(
            _anchor(doc),
            "",
            "未见制定目的和依据条款（如“为了……，根据《……》……，制定本办法”），无法判断制定依据",
            suggestion="在第一条写明制定目的和所依据的法律、法规、规章或上级文件，如“为了……，根据《……》，制定本办法。”",
        )


def check_effective(doc: ParsedDocument, ctx: Context) -> Iterator[Finding]:
    if is_instrument(doc) and not EFFECTIVE_RE.search(doc.text):
        yield NO_EFFECTIVE.finding(
            _anchor(doc),
            "",
            "未写明施行日期",
            suggestion="在附则中写明“本办法自×年×月×日起施行”；涉及公民、法人权利义务的，一般自公布之日起30日后施行。",
        )


def effective_date(doc: ParsedDocument) -> date | None:
    for para in doc.paragraphs:
        m = EFFECTIVE_DATE_RE.search(para.text)
        if m:
            for mention in find_dates(para.index, m.group(1)):
                if mention.value:
                    return mention.value
    return None


def signing_date(doc: ParsedDocument) -> date | None:
    """成文日期: the last date standing on a line of its own."""
    for mention in reversed(doc.dates):
        text = doc.paragraphs[mention.paragraph].text
        if mention.value and len(text) <= len(mention.text) + 4:
            return mention.value
    return None


def check_validity(doc: ParsedDocument, ctx: Context) -> Iterator[Finding]:
    if not is_instrument(doc):
        return
    trial = bool(TRIAL_RE.search(doc.instrument_name))
    limit = ctx.config.trial_validity_years if trial else ctx.config.validity_years
    kind = "暂行、试行文件" if trial else "行政规范性文件"
    if not VALIDITY_RE.search(doc.text):
        yield VALIDITY_MISSING.finding(
            _anchor(doc),
            "",
            f"未写明有效期（{kind}有效期一般不超过{limit}年）",
            suggestion=f"在附则中写明“有效期{limit}年”或“有效期至×年×月×日”。",
        )
        return
    for para in doc.paragraphs:
        if "长期有效" in para.text:
            yield VALIDITY_EXCESSIVE.finding(
                para.index, "长期有效", f"规定“长期有效”，超过{kind}有效期上限（{limit}年）",
                suggestion=f"改为“有效期{limit}年”。", start=para.text.find("长期有效"),
            )  # fmt: skip
            return
        m = YEARS_RE.search(para.text)
        years: float | None = None
        if m:
            years = cn_to_int(m.group(1))
        else:
            until = UNTIL_RE.search(para.text) if ("有效" in para.text or "施行" in para.text) else None
            dates = find_dates(para.index, until.group(1)) if until else []
            if until and dates and dates[0].value:
                begin = effective_date(doc) or signing_date(doc) or ctx.today
                years = (dates[0].value - begin).days / 365.25
                m = until
        if m is not None and years is not None and years > limit + 0.01:
            shown = f"{years:.0f}" if float(years).is_integer() else f"约{years:.1f}"
            yield VALIDITY_EXCESSIVE.finding(
                para.index,
                m.group(0).rstrip("。；，"),
                f"有效期{shown}年，超过{kind}有效期上限（{limit}年）",
                suggestion=f"将有效期缩短至不超过{limit}年。",
                start=m.start(),
            )
            return


def check_doc_number(doc: ParsedDocument, ctx: Context) -> Iterator[Finding]:
    number = doc.doc_number
    if not number:
        return
    compact = re.sub(r"\s", "", number)
    if re.match(ctx.config.doc_number_pattern, compact) or re.match(
        ctx.config.registration_number_pattern, compact
    ):
        return
    problems = []
    if not re.search(r"〔\d{4}〕", compact):
        problems.append("年份应使用六角括号〔〕")
    if "第" in compact:
        problems.append("不加“第”字")
    if re.search(r"[〕\]）)】］〗]第?0\d*号", compact):
        problems.append("序号不编虚位（不加前导0）")
    if re.search(r"\s", number):
        problems.append("不留空格")
    detail = "；".join(problems) or "格式应为“机关代字〔年份〕序号号”"
    fixed = re.sub(r"[\[（(【［〖]", "〔", re.sub(r"[\]）)】］〗]", "〕", compact))
    fixed = re.sub(r"〕第?0*(\d+)号", r"〕\1号", fixed.replace("第", ""))
    yield DOC_NUMBER.finding(
        doc.doc_number_paragraph, number, f"发文字号“{number}”不规范：{detail}",
        suggestion=f"改为“{fixed}”。", start=doc.paragraphs[doc.doc_number_paragraph or 0].text.find(number),
    )  # fmt: skip


_FORM_HINT = {
    "padded": "月、日不编虚位",
    "chinese": "应使用阿拉伯数字",
    "numeric": "应写作“×年×月×日”",
    "fullwidth": "应使用半角阿拉伯数字",
}


def _fix_date(mention: DateMention) -> str:
    v = mention.value
    return f"{v.year}年{v.month}月{v.day}日" if v else ""


def check_dates(doc: ParsedDocument, ctx: Context) -> Iterator[Finding]:
    for mention in doc.dates:
        text = doc.paragraphs[mention.paragraph].text
        if text.rfind("《", 0, mention.start) > text.rfind("》", 0, mention.start):
            continue  # inside a cited title: quoted as the source wrote it
        if mention.value is None:
            yield DATE_FORMAT.finding(
                mention.paragraph, mention.text, f"日期“{mention.text}”不存在", severity="error", start=mention.start,
                suggestion="核对日期。",
            )  # fmt: skip
        elif mention.form != "standard":
            yield DATE_FORMAT.finding(
                mention.paragraph, mention.text,
                f"日期“{mention.text}”不符合公文日期写法（{_FORM_HINT[mention.form]}）",
                suggestion=f"改为“{_fix_date(mention)}”。", start=mention.start,
            )  # fmt: skip


def check_title(doc: ParsedDocument, ctx: Context) -> Iterator[Finding]:
    if not doc.title or not is_instrument(doc):
        return
    name = _bare_name(doc.instrument_name)
    if LAW_NAME_RE.search(name):
        yield LAW_NAME.finding(
            doc.title_paragraph, name,
            f"文件名称“{name}”以“法”或“条例”结尾，行政规范性文件不得使用法律、法规的名称",
            suggestion="改称“规定”“办法”“细则”等。", start=doc.title.find(name),
        )  # fmt: skip
    elif not name.endswith(DOC_TYPE_SUFFIXES):
        yield TITLE_TYPE.finding(
            doc.title_paragraph, doc.title, "标题未标明文种（如“办法”“规定”“意见”“通知”）",
            suggestion="标题由发文机关名称、事由和文种组成，在末尾标明文种。", start=0,
        )  # fmt: skip


NO_BASIS = Rule(
    RuleInfo("FORM-NO-BASIS", "缺少制定目的和依据条款", "form", "warning",
             f"{GB37}；{GB115}（审核要点：制定依据）", "document"),
    check_basis,
)  # fmt: skip
NO_EFFECTIVE = Rule(
    RuleInfo("FORM-NO-EFFECTIVE-DATE", "未写明施行日期", "form", "warning",
             f"{GB37}（公布后施行；施行日期由地方规定）", "document"),
    check_effective,
)  # fmt: skip
VALIDITY_MISSING = Rule(
    RuleInfo("FORM-VALIDITY-MISSING", "未写明有效期", "form", "warning", LOCAL_VALIDITY, "document"),
    check_validity,
)
VALIDITY_EXCESSIVE = Rule(
    RuleInfo("FORM-VALIDITY-EXCESSIVE", "有效期超过上限", "form", "error", LOCAL_VALIDITY, "document"),
    lambda doc, ctx: (),  # reported by check_validity, which owns both validity findings
)
DOC_NUMBER = Rule(
    RuleInfo("FORM-DOC-NUMBER", "发文字号格式不规范", "form", "warning", GBT9704_NUMBER, "document"),
    check_doc_number,
)
DATE_FORMAT = Rule(RuleInfo("FORM-DATE", "日期写法不规范", "form", "info", GBT9704_DATE), check_dates)
TITLE_TYPE = Rule(
    RuleInfo("FORM-TITLE-TYPE", "标题缺少文种", "form", "warning",
             "《党政机关公文处理工作条例》第九条第（七）项（标题由发文机关名称、事由和文种组成）", "document"),
    check_title,
)  # fmt: skip
LAW_NAME = Rule(
    RuleInfo("FORM-LAW-NAME", "文件名称使用“法”或“条例”", "form", "error",
             "《中华人民共和国立法法》；《规章制定程序条例》第七条（规章不得称“条例”）；地方行政规范性文件管理规定",
             "document"),
    lambda doc, ctx: (),  # reported by check_title
)  # fmt: skip

FORM_RULES = [
    NO_BASIS,
    NO_EFFECTIVE,
    VALIDITY_MISSING,
    VALIDITY_EXCESSIVE,
    DOC_NUMBER,
    DATE_FORMAT,
    TITLE_TYPE,
    LAW_NAME,
]
