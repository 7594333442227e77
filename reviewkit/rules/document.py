"""The parsed document as plain frozen dataclasses (pure: no python-docx here).

``reviewkit.documents.parse`` builds these from a .docx/.txt/.md file; rules read them. Paragraph
indices are 0-based in document order over the body paragraphs (for .docx: exactly the order of
python-docx ``Document.paragraphs``, empty paragraphs included), so a finding's index maps straight
back to the Word paragraph it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Paragraph:
    index: int
    text: str
    style: str = ""
    article: int | None = None  # number of the 第X条 this paragraph belongs to
    chapter: int | None = None  # number of the 第X章 this paragraph belongs to
    # for a paragraph in a table cell or a content control (ParsedDocument.extra): where it is, as
    # a reader says it (表1第2行第3列, 内容控件1, 第5段内容控件); ``index`` is then the body paragraph
    # it follows, so findings keep pointing at a body paragraph every consumer can show
    locator: str = ""


@dataclass(frozen=True)
class Chapter:
    number: int
    label: str  # 第一章
    title: str  # 总则
    paragraph: int


@dataclass(frozen=True)
class Article:
    number: int
    label: str  # 第十二条
    chapter: int | None
    first_paragraph: int
    last_paragraph: int
    text: str  # the whole article, its paragraphs joined by newlines


@dataclass(frozen=True)
class Table:
    index: int
    after_paragraph: int  # index of the last body paragraph before the table (-1: none)
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Attachment:
    label: str  # 附件1 / 附件
    title: str
    paragraph: int


@dataclass(frozen=True)
class DateMention:
    paragraph: int
    text: str  # as written
    value: date | None  # None when the date does not exist (2023年2月30日)
    form: str  # "standard" | "padded" | "chinese" | "numeric"
    start: int = 0  # offset in the paragraph text


@dataclass(frozen=True)
class ParsedDocument:
    name: str
    sha256: str
    source_format: str  # "docx" | "txt" | "md"
    title: str = ""
    title_paragraph: int | None = None
    doc_number: str | None = None  # 文号 as written (may be malformed: rules check it)
    doc_number_paragraph: int | None = None
    issuing_body: str | None = None
    paragraphs: tuple[Paragraph, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    articles: tuple[Article, ...] = ()
    tables: tuple[Table, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    dates: tuple[DateMention, ...] = field(default=())
    # paragraphs of table cells and content controls (w:sdt), in document order, each with a locator
    extra: tuple[Paragraph, ...] = ()

    @property
    def all_paragraphs(self) -> tuple[Paragraph, ...]:
        """Body paragraphs, then the table-cell and content-control paragraphs (``extra``)."""
        return self.paragraphs + self.extra if self.extra else self.paragraphs

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def instrument_name(self) -> str:
        """The name of the normative document itself: ``关于印发《X》的通知`` → ``X``."""
        title = self.title
        start, end = title.find("《"), title.rfind("》")
        if "印发" in title and 0 <= start < end:
            return title[start + 1 : end]
        return title
