"""Fill a Word template (``templates/docx/*.docx``) with values from the case record.

The rules a clerk editing a template in Word needs (also in the README):

- A placeholder is ``{{组.名}}``, e.g. ``{{案件.标题}}``; full-width braces ``｛｛…｝｝`` and spaces inside
  are accepted. Word may split a placeholder over several runs (after a spelling check, a font
  change in the middle, tracked changes accepted …): the whole paragraph's text is matched, so that
  does no harm. The replacement takes the formatting of the placeholder's first character.
- A table row that uses a list (``{{发现.条款}}``, ``{{意见.内容}}`` …) is repeated once per item; a
  paragraph outside a table that uses a list is repeated the same way. An empty list leaves one row
  reading “（无）”. An item carrying ``"对齐": "居中"`` is centred without first-line indent (the 章
  headings of a 正式文本).
- An unknown placeholder stops the rendering with a message naming it and the template, so a typo
  is found at once instead of being printed.
- Everything else (fonts, margins, the 文号 line, headers, footers, logos) is the template's own.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from reviewkit.errors import ConfigError

PLACEHOLDER = re.compile(r"[{｛]\s*[{｛]\s*([^{}｛｝]+?)\s*[}｝]\s*[}｝]")
EMPTY_ROW = "（无）"
W_P, W_T, W_TBL, W_TR, W_BR = qn("w:p"), qn("w:t"), qn("w:tbl"), qn("w:tr"), qn("w:br")


class TemplateError(ConfigError):
    """A template cannot be used (missing, not a .docx, unknown placeholder)."""


@dataclass(frozen=True)
class Properties:
    """Core properties of the rendered file (File ▸ Info in Word)."""

    title: str
    author: str
    created: datetime
    subject: str = ""
    keywords: str = ""


def placeholders(template: Path | bytes) -> list[str]:
    """Every placeholder name the template uses, in order of first appearance."""
    doc = _open(template)
    seen: list[str] = []
    for p in _all_paragraphs(doc):
        for m in PLACEHOLDER.finditer(_text(p)):
            if m.group(1) not in seen:
                seen.append(m.group(1))
    return seen


def render(template: Path | bytes, context: Mapping[str, Any], props: Properties, *, name: str = "") -> bytes:
    """Fill ``template`` with ``context`` (nested mappings; a list value repeats rows) and return the
    .docx bytes with the core properties set."""
    name = name or (template.name if isinstance(template, Path) else "模板")
    doc = _open(template)
    body = doc.element.body
    for tbl in list(body.iter(W_TBL)):
        for tr in list(tbl.iterchildren(W_TR)):
            _repeat(tr, context, name)
    for p in list(body.iterchildren(W_P)):
        _repeat(p, context, name)
    for p in _all_paragraphs(doc):
        _fill(p, context, name)
    core = doc.core_properties
    core.title, core.author, core.subject, core.keywords = (
        props.title,
        props.author,
        props.subject,
        props.keywords,
    )
    core.created = core.modified = props.created
    core.last_modified_by = props.author
    core.revision = 1
    core.comments = "由 reviewkit 依据案件记录生成"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _open(template: Path | bytes) -> Any:
    if isinstance(template, Path) and not template.is_file():
        raise TemplateError(f"找不到文书模板 {template}")
    try:
        return Document(io.BytesIO(template) if isinstance(template, bytes) else str(template))
    except Exception as err:  # noqa: BLE001 - python-docx raises several types for a bad package
        label = template.name if isinstance(template, Path) else "模板"
        raise TemplateError(f"文书模板《{label}》不是有效的 .docx 文件：{err}") from err


def _all_paragraphs(doc: Any) -> Iterator[Any]:
    yield from doc.element.body.iter(W_P)
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            if part.is_linked_to_previous:  # no definition of its own (reading _element would add one)
                continue
            yield from part._element.iter(W_P)


def _text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(W_T))


def _lookup(context: Mapping[str, Any], key: str, template: str) -> Any:
    value: Any = context
    for part in key.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            known = "、".join(_known(context))
            raise TemplateError(f"文书模板《{template}》中的占位符 {{{{{key}}}}} 无法识别；可用的有：{known}")
    return value


def _known(context: Mapping[str, Any], prefix: str = "") -> list[str]:
    names: list[str] = []
    for k, v in context.items():
        if isinstance(v, Mapping):
            names += _known(v, f"{prefix}{k}.")
        elif isinstance(v, list):
            fields = v[0].keys() if v and isinstance(v[0], Mapping) else []
            names += [f"{prefix}{k}.{f}" for f in fields] or [f"{prefix}{k}.…"]
        else:
            names.append(prefix + k)
    return names


def _list_head(element: Any, context: Mapping[str, Any]) -> str | None:
    for m in PLACEHOLDER.finditer(_text(element)):
        head = m.group(1).split(".")[0]
        if isinstance(context.get(head), list):
            return head
    return None


def _repeat(element: Any, context: Mapping[str, Any], template: str) -> None:
    head = _list_head(element, context)
    if head is None:
        return
    items = context[head]
    anchor = element
    for item in items or [None]:
        clone = copy.deepcopy(element)
        scope = {**context, head: item if item is not None else {}}
        for p in clone.iter(W_P):
            _fill(p, scope, template, empty_head=head if item is None else None)
        first = next(clone.iter(W_T), None)
        if item is None and first is not None and not _text(clone).strip():
            first.text = EMPTY_ROW
        if isinstance(item, Mapping) and item.get("对齐") == "居中":
            for p in clone.iter(W_P):
                _centre(p)
        anchor.addnext(clone)
        anchor = clone
    element.getparent().remove(element)


def _centre(p: Any) -> None:
    """Centre a paragraph and drop its first-line indent."""
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        p.insert(0, ppr)
    for tag in ("w:jc", "w:ind"):
        for old in ppr.findall(qn(tag)):
            ppr.remove(old)
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), "center")
    ppr.append(jc)


def _fill(p: Any, context: Mapping[str, Any], template: str, *, empty_head: str | None = None) -> None:
    nodes = list(p.iter(W_T))
    text = "".join(t.text or "" for t in nodes)
    matches = list(PLACEHOLDER.finditer(text))
    if not matches:
        return
    for m in reversed(matches):
        key = m.group(1)
        if empty_head and key.split(".")[0] == empty_head:
            value = ""
        else:
            value = _lookup(context, key, template)
            if isinstance(value, list | Mapping):
                raise TemplateError(
                    f"文书模板《{template}》中的 {{{{{key}}}}} 是一组内容，请改用 {{{{{key}.…}}}}"
                )
        _splice(nodes, m.start(), m.end(), "" if value is None else str(value))
    for t in nodes:
        if t.text and "\n" in t.text:
            _break_lines(t)


def _splice(nodes: list[Any], start: int, end: int, value: str) -> None:
    """Replace characters ``start:end`` of the concatenated ``w:t`` texts by ``value``, written into
    the node where the placeholder begins; the rest of the placeholder is removed from later nodes."""
    offset = 0
    placed = False
    for t in nodes:
        s = t.text or ""
        lo, hi = offset, offset + len(s)
        offset = hi
        if hi <= start or lo >= end:
            continue
        a, b = max(start - lo, 0), min(end - lo, len(s))
        t.text = s[:a] + (value if not placed else "") + s[b:]
        t.set(qn("xml:space"), "preserve")
        placed = True


def _break_lines(t: Any) -> None:
    """A value with newlines becomes line breaks inside the same run."""
    parts = (t.text or "").split("\n")
    t.text = parts[0]
    anchor = t
    for part in parts[1:]:
        br = OxmlElement("w:br")
        anchor.addnext(br)
        nt = OxmlElement("w:t")
        nt.set(qn("xml:space"), "preserve")
        nt.text = part
        br.addnext(nt)
        anchor = nt
