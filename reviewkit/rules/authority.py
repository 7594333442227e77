"""When does a clause rest on authority? Only when it cites a law that exists and could cover it.

A hedge (依法、按有关规定、依照相关规定) or a citation of any 《…法》 used to clear a finding. Now:

- a citation clears a finding of category C when the law-status catalog knows the law as current
  and lists C in its ``covers`` (templates/laws/in_force.toml);
- a citation the catalog does not know clears only when it is pinpointed to an article
  (《某省城市管理综合行政执法条例》第二十条): local regulations are not in the catalog, and a
  pinpointed article is what a reviewer can check; an unknown law cited without an article does not;
- a hedge clears only when the document's own basis (the laws its preamble or 第一条 cites) covers
  C — the clause then restates the 条例 named in the preamble.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reviewkit.rules.catalog import LawCatalog
from reviewkit.rules.document import ParsedDocument

_NUM = r"[一二三四五六七八九十百零〇\d]+"
CITED_LAW = re.compile(r"《([^《》]{2,60})》(?:（[^）]{0,30}）)?(第" + _NUM + r"条)?")
_INSTRUMENT = re.compile(r"(?:法|条例|规定|办法|决定|细则|规则)$")
HEDGE = re.compile(
    r"(?<![未不非])(?:依法(?!律)|依规|依照规定|按规定|按照规定|按国家规定|按有关规定|依照有关规定|依据有关规定|"
    r"依据相关规定|按照有关规定|按照相关规定|根据有关规定|根据相关规定|依照相关规定|法律、法规另有规定|"
    r"(?:依照|依据|根据|按照)[^。；，《]{0,8}?(?:法律|法规|规章|国家规定|上级规定))"
)
_BASIS_ARTICLE = re.compile(r"^第[一1]条")
_PROVISO = re.compile(r"^[^。；，]{0,4}另有规定")
# referrals that name another law's regime without its title
IMPLIED = (
    (re.compile(r"构成违反治安管理行为|违反治安管理"), "中华人民共和国治安管理处罚法"),
    (re.compile(r"违反[^。；，]{0,6}食品安全"), "中华人民共和国食品安全法"),
)


def cites_authority(text: str, category: str, catalog: LawCatalog) -> bool:
    """Whether ``text`` cites a law that could cover a measure of ``category``."""
    for regex, law in IMPLIED:
        if regex.search(text) and catalog.covers(law, category):
            return True
    for m in CITED_LAW.finditer(text):
        name = m.group(1)
        if _PROVISO.match(text[m.end() :]):
            continue  # 但《…》另有规定的除外: a proviso, not the clause's basis
        if catalog.covers(name, category):
            return True
        if catalog.lookup(name) is None and m.group(2) and _INSTRUMENT.search(name):
            return True
    return False


def has_hedge(text: str) -> bool:
    return bool(HEDGE.search(text))


@lru_cache(maxsize=256)
def _basis_names(doc: ParsedDocument) -> tuple[str, ...]:
    first_article = next((p.index for p in doc.paragraphs if p.article is not None), len(doc.paragraphs))
    names: list[str] = []
    for para in doc.paragraphs:
        if para.index < first_article or (para.article == 1 and _BASIS_ARTICLE.match(para.text)):
            if "根据" in para.text or "依据" in para.text or "依照" in para.text or "按照" in para.text:
                names.extend(m.group(1) for m in CITED_LAW.finditer(para.text))
        elif para.index > first_article + 3:
            break
    return tuple(names)


def basis_covers(doc: ParsedDocument, category: str, catalog: LawCatalog) -> bool:
    """Whether the document's own legal basis (preamble / 第一条) covers measures of ``category``."""
    return any(catalog.covers(name, category) for name in _basis_names(doc))
