"""A gazetteer of China's administrative divisions (province, city and county names).

Real documents name the place instead of writing 本地: 在萧山区注册, 注册地在桐庐县, 设在X县内的得5分.
``localise`` rewrites every division name in a sentence as 本地 (padded to the same length, so
offsets stay valid), and the local-favour screens then read the sentence as they read 本地.

Data: ``data/divisions.tsv`` (≈3,150 names, 57 KB), taken from cpca 0.5.5's adcodes.csv (MIT),
itself built from the published division codes (about 2020; later renamings are not in it). A
shipped file beats depending on cpca or jionlp at run time: cpca imports pandas (~0.4 s) and
jionlp is far larger, while a set lookup over the names costs ~0.4 µs a character.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "divisions.tsv"
_SUFFIX = re.compile(
    r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|地区|省|市|县|区|盟|旗)$"
)
# short names (萧山 for 萧山区) only where a place is plainly meant: after 在/驻/注册地…, before 企业/境内…
_SHORT_BEFORE = re.compile(r"(?:在|驻|于|落户|迁入|迁至|注册地(?:在|为|位于)?|位于)$")
_SHORT_AFTER = re.compile(r"^(?:籍|境内|辖区|本地|企业|范围内|区域内)")
# short forms that are ordinary words
_COMMON = frozenset(
    {
        "和平",
        "平安",
        "通道",
        "长安",
        "新华",
        "城关",
        "东方",
        "南山",
        "北海",
        "永安",
        "安全",
        "中山",
        "开发",
        "高新",
        "新城",
        "城中",
        "市中",
        "中心",
        "大通",
        "青山",
        "白云",
        "西湖",
        "东湖",
        "金山",
        "安定",
        "太平",
        "永和",
        "和田",
        "河口",
        "龙江",
        "江南",
        "江北",
        "河东",
        "河西",
        "海南",
        "中原",
    }
)


@cache
def _tables() -> tuple[frozenset[str], frozenset[str], dict[str, tuple[int, ...]]]:
    full: set[str] = set()
    short: set[str] = set()
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name = line.split("\t", 1)[1].strip()
        full.add(name)
        stem = _SUFFIX.sub("", name)
        if len(stem) >= 2 and stem != name and stem not in _COMMON:
            short.add(stem)
    lengths: dict[str, set[int]] = {}
    for name in full | short:
        lengths.setdefault(name[0], set()).add(len(name))
    return frozenset(full), frozenset(short), {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}


def place_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every division name in ``text`` (short names only in a place context)."""
    full, short, lengths = _tables()
    out: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        for size in lengths.get(text[i], ()):
            word = text[i : i + size]
            if word in full or (
                word in short
                and (
                    _SHORT_BEFORE.search(text[max(0, i - 5) : i])
                    or _SHORT_AFTER.match(text[i + size : i + size + 4])
                )
            ):
                out.append((i, i + size))
                i += size
                break
        else:
            i += 1
    return out


@lru_cache(maxsize=4096)
def localise(text: str) -> str:
    """``text`` with each division name replaced by 本地 (padded with 地 to the same length)."""
    spans = place_spans(text)
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for start, end in spans:
        parts.append(text[last:start])
        parts.append(("本地" + "地" * (end - start))[: end - start] if end - start >= 2 else text[start:end])
        last = end
    parts.append(text[last:])
    return "".join(parts)
