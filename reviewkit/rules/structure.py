"""Recognise the structure of a document from its paragraphs (pure; shared by .docx and text input).

Title, 文号, issuing body, 第X章 / 第X条 (Chinese numerals), 附件 and dates are found by the
conventions of GB/T 9704-2012 and of normative-document drafting; anything not found stays empty.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from reviewkit.rules.document import (
    Article,
    Attachment,
    Chapter,
    DateMention,
    Paragraph,
    ParsedDocument,
    Table,
)
from reviewkit.rules.numerals import DIGITS, NUMERAL_CHARS, cn_to_int


class RawParagraph(NamedTuple):
    text: str
    style: str = ""


_NUM = f"[{NUMERAL_CHARS}0-9]+"
CHAPTER_RE = re.compile(rf"^第({_NUM})章[\s\u3000]*(.*)$")
ARTICLE_RE = re.compile(rf"^第({_NUM})条(?:[\s\u3000]+|(?=[^\s\u3000的规所中]))")
# A loose 文号: brackets of any kind, optional 第, optional padding — the form rule judges it.
DOC_NUMBER_RE = re.compile(
    r"([\u4e00-\u9fa5A-Za-z]{1,15})\s*[〔\[（(【［〖]\s*((?:19|20)\d{2})\s*[〕\]）)】］〗]\s*(第?\s*\d+\s*号)"
)
ATTACHMENT_RE = re.compile(r"^附\s*件\s*([0-9]+|[一二三四五六七八九十]+)?\s*(?:[:：.．、\s\u3000]\s*(.*))?$")
LIST_ITEM_RE = re.compile(r"^([0-9]+)[.．、]\s*(\S.*)$")
DATE_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "arabic",
        re.compile(r"(?<![0-9０-９])([0-9０-９]{4})\s*年\s*([0-9０-９]{1,2})\s*月\s*([0-9０-９]{1,2})\s*日"),
    ),
    (
        "chinese",
        re.compile(
            r"([〇零○一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
        ),
    ),
    ("numeric", re.compile(r"(?<![0-9.])((?:19|20)[0-9]{2})[-./]([0-9]{1,2})[-./]([0-9]{1,2})(?![0-9.])")),
)
DOC_TYPE_SUFFIXES = (
    "规定",
    "办法",
    "细则",
    "规则",
    "决定",
    "意见",
    "通知",
    "通告",
    "公告",
    "方案",
    "规范",
    "标准",
    "目录",
    "清单",
    "指引",
    "准则",
    "规程",
    "措施",
    "命令",
    "决议",
    "批复",
    "函",
    "纪要",
    "报告",
)
ORGAN_SUFFIXES = (
    "人民政府",
    "办公室",
    "委员会",
    "局",
    "厅",
    "部",
    "委",
    "署",
    "院",
    "中心",
    "所",
    "站",
    "办",
    "政府",
)


def _fullwidth_to_ascii(text: str) -> str:
    return text.translate({ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９"})


_DATE_HINT = re.compile(r"年|[0-9][-./][0-9]")


def find_dates(paragraph: int, text: str) -> list[DateMention]:
    found: list[DateMention] = []
    if not _DATE_HINT.search(text):
        return found
    taken: list[tuple[int, int]] = []
    for kind, regex in DATE_RES:
        for m in regex.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            y, mo, d = m.group(1), m.group(2), m.group(3)
            if kind == "chinese":
                values = (int("".join(str(DIGITS[c]) for c in y)), cn_to_int(mo), cn_to_int(d))
                form = "chinese"
            else:
                raw = (y, mo, d)
                ascii_parts = tuple(_fullwidth_to_ascii(p) for p in raw)
                values = (int(ascii_parts[0]), int(ascii_parts[1]), int(ascii_parts[2]))
                if kind == "numeric":
                    form = "numeric"
                elif ascii_parts != raw:
                    form = "fullwidth"
                elif mo.startswith("0") or d.startswith("0") or re.search(r"\s", m.group(0)):
                    form = "padded"
                else:
                    form = "standard"
            value: date | None
            try:
                value = date(values[0], values[1] or 0, values[2] or 0)
            except ValueError:
                value = None
            found.append(DateMention(paragraph, m.group(0), value, form, m.start()))
    found.sort(key=lambda d: d.start)
    return found


def _is_heading(text: str) -> bool:
    return bool(CHAPTER_RE.match(text) or ARTICLE_RE.match(text))


def _is_standalone_date(text: str) -> bool:
    if len(text) > 24:
        return False
    dates = find_dates(0, text)
    return len(dates) == 1 and len(text) <= len(dates[0].text) + 4


def _looks_like_organ(text: str) -> bool:
    return 2 <= len(text) <= 30 and text.endswith(ORGAN_SUFFIXES) and "，" not in text and "。" not in text


def _header(raws: Sequence[RawParagraph]) -> tuple[str, int | None, str | None, int | None, str | None]:
    """Title, its index, 文号, its index, issuer (from a ``XX文件`` masthead) in the opening lines."""
    title, title_at, number, number_at, issuer = "", None, None, None, None
    seen = 0
    for i, raw in enumerate(raws):
        text = raw.text
        if not text:
            continue
        if _is_heading(text) or seen >= 8:
            break
        seen += 1
        m = DOC_NUMBER_RE.search(text)
        if number is None and m and len(text) <= len(m.group(0)) + 12 and not text.startswith("《"):
            number, number_at = m.group(0), i
            continue
        if text.endswith("文件") and len(text) <= 30 and not title:
            issuer = text[:-2].strip()
            continue
        if title:
            # a title broken over two lines: the first line does not end with a document type
            if title_at == i - 1 and not _title_like(title) and _title_like(title + text) and len(text) < 40:
                title += text
            elif raw.style.lower() in ("title", "标题") and title_at is not None and not raws[title_at].style:
                title, title_at = text, i
            continue
        if text.endswith(("：", ":")) or len(text) > 80 or _is_standalone_date(text):
            continue
        title, title_at = text, i
    return title, title_at, number, number_at, issuer


def _title_like(text: str) -> bool:
    return "，" not in text and "。" not in text and text.rstrip("）)").endswith(DOC_TYPE_SUFFIXES)


def _issuer(title: str, raws: Sequence[RawParagraph], masthead: str | None) -> str | None:
    if masthead:
        return masthead
    for i in range(len(raws) - 1, -1, -1):
        if raws[i].text and _is_standalone_date(raws[i].text):
            for j in range(i - 1, max(-1, i - 4), -1):
                if raws[j].text:
                    candidate = raws[j].text.replace("\u3000", " ").split()[-1]
                    if _looks_like_organ(candidate):
                        return candidate
                    break
            break
    prefix = title.split("关于", 1)[0].strip() if "关于" in title else ""
    return prefix or None


def assemble(
    name: str,
    sha256: str,
    source_format: str,
    raws: Sequence[RawParagraph],
    tables: Sequence[tuple[int, tuple[tuple[str, ...], ...]]],
) -> ParsedDocument:
    title, title_at, number, number_at, masthead = _header(raws)
    issuer = _issuer(title, raws, masthead)
    paragraphs: list[Paragraph] = []
    chapters: list[Chapter] = []
    articles: list[Article] = []
    attachments: list[Attachment] = []
    dates: list[DateMention] = []
    chapter: int | None = None
    open_article: tuple[int, str, int | None, int] | None = None  # number, label, chapter, first
    in_attachments = False

    def close(last: int) -> None:
        nonlocal open_article
        if open_article is None:
            return
        number_, label, chap, first = open_article
        while last > first and not raws[last].text:
            last -= 1
        text = "\n".join(raws[k].text for k in range(first, last + 1) if raws[k].text)
        articles.append(Article(number_, label, chap, first, last, text))
        open_article = None

    previous_attachment_list = False
    for i, raw in enumerate(raws):
        text = raw.text
        dates.extend(find_dates(i, text))
        m_ch = CHAPTER_RE.match(text) if not in_attachments else None
        m_art = ARTICLE_RE.match(text) if not in_attachments else None
        m_att = ATTACHMENT_RE.match(text)
        if m_ch and len(text) <= 40:
            close(i - 1)
            chapter = cn_to_int(m_ch.group(1))
            if chapter is not None:
                chapters.append(Chapter(chapter, f"第{m_ch.group(1)}章", m_ch.group(2).strip(), i))
        elif m_art:
            close(i - 1)
            number_ = cn_to_int(m_art.group(1))
            if number_ is not None:
                open_article = (number_, f"第{m_art.group(1)}条", chapter, i)
        elif m_att and i != title_at:
            close(i - 1)
            label = "附件" + (m_att.group(1) or "")
            rest = (m_att.group(2) or "").strip()
            item = LIST_ITEM_RE.match(rest)
            if item:
                label, rest = f"附件{item.group(1)}", item.group(2)
            if not rest:
                rest = next((r.text for r in raws[i + 1 : i + 4] if r.text), "")
            attachments.append(Attachment(label, rest, i))
            in_attachments = True
            previous_attachment_list = bool(item)
        elif previous_attachment_list and (item := LIST_ITEM_RE.match(text)):
            attachments.append(Attachment(f"附件{item.group(1)}", item.group(2), i))
        else:
            previous_attachment_list = previous_attachment_list and not text
            if open_article is not None and text and _is_standalone_date(text):
                close(i - 1)
        current = open_article[0] if open_article is not None else None
        paragraphs.append(Paragraph(i, text, raw.style, current, chapter))
    close(len(raws) - 1)
    table_objs = tuple(Table(k, after, rows) for k, (after, rows) in enumerate(tables))
    return ParsedDocument(
        name=name,
        sha256=sha256,
        source_format=source_format,
        title=title,
        title_paragraph=title_at,
        doc_number=number,
        doc_number_paragraph=number_at,
        issuing_body=issuer,
        paragraphs=tuple(paragraphs),
        chapters=tuple(chapters),
        articles=tuple(articles),
        tables=table_objs,
        attachments=tuple(attachments),
        dates=tuple(dates),
    )
