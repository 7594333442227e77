"""Reading a clause in context: sentences, cited authority, negation, and the pattern-rule engine.

Context decides whether a match is a finding. A sentence that cites its authority (依照《……》、
根据有关法律法规规定、依法) restates a higher-level rule rather than creating one; a match preceded in
its clause by 不得/严禁/免收… forbids what it names; 鼓励/支持 is not 限定.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import NamedTuple

from reviewkit.rules.authority import basis_covers, cites_authority, has_hedge
from reviewkit.rules.document import Paragraph, ParsedDocument
from reviewkit.rules.model import Context, Finding, Rule, RuleInfo
from reviewkit.rules.places import localise

_SENTENCE_END = re.compile(r"[。；;！？!?]")
_CLAUSE_BREAK = re.compile(r"[，,：:]")
_SELF = r"本(?:办法|规定|细则|意见|通知|方案|决定|规则|措施|实施办法|实施细则|文件|条例|章|条)"
_INSTRUMENT_SUFFIX = r"(?:法|条例|规定|办法|决定|细则|规则|通知|意见|解释|准则|目录|清单|命令|批复)"

STRONG_AUTHORITY = re.compile(
    r"(?:依照|依据|根据|按照|遵照|依|按|参照|适用)[^。；，]{0,12}?《[^》]{2,60}" + _INSTRUMENT_SUFFIX + r"》"
    r"|《[^》]{2,60}"
    + _INSTRUMENT_SUFFIX
    + r"》(?:第[一二三四五六七八九十百零〇\d]+条|等?(?:有关|相关)?(?:的)?规定)"
    r"|(?:依照|依据|根据|按照|遵照)(?!" + _SELF + r")[^。；，《]{0,12}?"
    r"(?:法律|法规|规章|行政法规|地方性法规|国家规定|国家有关规定|上级规定|有关规定|相关规定)"
    r"|[\u4e00-\u9fa5]{1,8}〔\d{4}〕\d+号"
)
WEAK_AUTHORITY = re.compile(
    r"(?<![未不非])(?:依法(?!律)|依规|依照规定|按规定|按照规定|按国家规定|按有关规定)|法律、法规另有规定|法定(?:程序|条件|标准)"
)
_PLACE_TRIGGER = re.compile(
    r"注册|纳税|驻|设在|设立|落户|企业|优先|得分|加分|分支|办公|生产|供应商|经营者|施工|业绩|[加得计][0-9０-９.]+分"
)
_AMOUNT = re.compile(r"[\d０-９一二三四五六七八九十百千万]+(?:元|万元)")
_LIST_ITEM = re.compile(r"^(?:（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、|\d+[.．、]|\(\d+\))")

DEFAULT_NEGATION = re.compile(
    r"不得|不准|不应|不能|不宜|严禁|禁止|杜绝|防止|避免|取消|不再|无需|无须|免于|免予|免征|免收|减免|清理|纠正|"
    r"坚决制止|不允许|反对"
)
ENCOURAGE = re.compile(
    r"鼓励|支持|引导|倡导|提倡|(?<!优先)推荐(?!名录|目录|名单)|欢迎|自愿|自主选择|自行选择|可自主"
)


class Sentence(NamedTuple):
    text: str
    start: int  # offset in the paragraph


@lru_cache(maxsize=8192)
def sentences(text: str) -> tuple[Sentence, ...]:
    """Sentences (split at 。；！？) with their offsets; cached: every rule reads the same paragraphs."""
    out: list[Sentence] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() - start > 1:
            out.append(Sentence(text[start : m.end()], start))
        start = m.end()
    if start < len(text) and text[start:].strip():
        out.append(Sentence(text[start:], start))
    return tuple(out)


def clause_before(sentence: str, pos: int) -> str:
    """The text from the start of the clause (after the last comma or colon) up to ``pos``."""
    head = sentence[:pos]
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(head)]
    return head[breaks[-1] :] if breaks else head


def has_authority(sentence: str, *, allow_weak: bool = True) -> bool:
    if STRONG_AUTHORITY.search(sentence):
        return True
    return allow_weak and bool(WEAK_AUTHORITY.search(sentence))


def lead_in(doc: ParsedDocument, para: Paragraph) -> str:
    """For a list item (（一）…), the article text before it: its lead-in may cite the authority."""
    if para.locator or not _LIST_ITEM.match(para.text):
        return ""
    parts: list[str] = []
    for k in range(para.index - 1, max(-1, para.index - 12), -1):
        prev = doc.paragraphs[k]
        if not prev.text:
            continue
        if prev.article != para.article:
            break
        if not _LIST_ITEM.match(prev.text):
            parts.append(prev.text)
            break
    return "".join(parts)


@dataclass(frozen=True)
class Pattern:
    """A clause-level rule written as regular expressions plus the context that clears a match."""

    info: RuleInfo
    message: str
    suggestion: str
    patterns: tuple[re.Pattern[str], ...]
    keywords: tuple[str, ...]  # cheap prefilter: at least one must occur in the paragraph
    negation: re.Pattern[str] | None = DEFAULT_NEGATION  # in the clause before the match → clear
    exclude: re.Pattern[str] | None = None  # anywhere in the sentence → clear
    after_exclude: re.Pattern[str] | None = None  # right after the match (12 chars) → clear
    require: re.Pattern[str] | None = None  # the sentence must also match this…
    require_only: frozenset[int] | None = None  # …only for these pattern indices (None: all)
    authority: str = "weak"  # "weak": 依法 etc. clears; "strong": only a cited law clears; "none"
    amount_defeats_weak: bool = False  # a weak 依法 does not clear a clause that fixes an amount
    encourage_clears: bool = False  # 鼓励/支持… in the clause clears unless a hard obligation is there
    localise: bool = False  # read named places (萧山区, 桐庐县) as 本地 (reviewkit/rules/places.py)
    _prefilter: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_prefilter", re.compile("|".join(map(re.escape, self.keywords))))

    def check(self, doc: ParsedDocument, ctx: Context) -> Iterator[Finding]:
        rule = Rule(self.info, self.check)
        for para in doc.all_paragraphs:
            original = para.text
            text = (
                localise(original)
                if self.localise and original and _PLACE_TRIGGER.search(original)
                else original
            )
            if not text or not self._prefilter.search(text):
                continue
            for sent in sentences(text):
                hit = self.first_hit(sent.text, doc, para, ctx)
                if hit is None:
                    continue
                m_start, m_text = hit
                start = sent.start + m_start
                finding = rule.finding(
                    para.index,
                    original[start : start + len(m_text)],
                    self.message,
                    suggestion=self.suggestion,
                    start=start,
                )
                yield replace(finding, cell=para.locator) if para.locator else finding

    def first_hit(
        self, sentence: str, doc: ParsedDocument, para: Paragraph, ctx: Context
    ) -> tuple[int, str] | None:
        if self.exclude is not None and self.exclude.search(sentence):
            return None
        required = self.require is None or bool(self.require.search(sentence))
        for k, regex in enumerate(self.patterns):
            if not required and (self.require_only is None or k in self.require_only):
                continue
            for m in regex.finditer(sentence):
                if self.cleared(sentence, m, doc, para, ctx):
                    continue
                return m.start(), m.group(0)
        return None

    def cleared(
        self, sentence: str, m: re.Match[str], doc: ParsedDocument, para: Paragraph, ctx: Context
    ) -> bool:
        before = clause_before(sentence, m.start())
        if self.negation is not None and self.negation.search(before):
            return True
        if self.after_exclude is not None and self.after_exclude.search(sentence[m.end() : m.end() + 12]):
            return True
        if self.encourage_clears and ENCOURAGE.search(before + m.group(0)):
            if not re.search(
                r"须|必须|只能|一律|应当|仅限|方可|统一(?:销售|出售|交售|卖)给", before + m.group(0)
            ):
                return True
        if self.authority == "none":
            return False
        scope = sentence + lead_in(doc, para)
        category = self.info.category
        if cites_authority(scope, category, ctx.catalog):
            return True
        weak = self.authority == "weak" and not (self.amount_defeats_weak and _AMOUNT.search(sentence))
        return weak and has_hedge(scope) and basis_covers(doc, category, ctx.catalog)


def compile_all(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def as_rules(patterns: Iterable[Pattern]) -> list[Rule]:
    return [Rule(p.info, p.check) for p in patterns]
