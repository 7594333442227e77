"""Findings, rule metadata and the settings rules read (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from reviewkit.rules.catalog import LawCatalog
    from reviewkit.rules.document import ParsedDocument

Severity = Literal["error", "warning", "info"]
Category = Literal[
    "form", "citation", "permit", "penalty", "coercion", "fee", "rights", "power", "competition", "procedure"
]
Scope = Literal["clause", "document"]

CATEGORIES: tuple[Category, ...] = (
    "form", "citation", "permit", "penalty", "coercion", "fee", "rights", "power", "competition", "procedure",
)  # fmt: skip
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
CATEGORY_LABELS: dict[str, str] = {
    "form": "形式规范",
    "citation": "引用依据",
    "permit": "行政许可",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fee": "收费征收",
    "rights": "权利义务",
    "power": "职权职责",
    "competition": "公平竞争",
    "procedure": "制定程序",
}
SEVERITY_LABELS: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Finding:
    rule_id: str
    title: str
    category: Category
    severity: Severity
    paragraph: int | None  # 0-based body paragraph; None: the document as a whole
    text: str  # the matched text ("" for a document-level finding)
    message: str
    basis: str
    suggestion: str = ""
    start: int = -1  # offset of ``text`` in the paragraph, -1 when not applicable
    similar: str = ""  # statistical findings: the labelled case the clause most resembles
    cell: str = ""  # in a table cell or content control: its locator (表1第2行第3列); paragraph is
    # then the body paragraph before it

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for optional in ("similar", "cell"):  # optional in the JSON shape
            if not data[optional]:
                del data[optional]
        return data


@dataclass(frozen=True)
class RuleConfig:
    """Values that vary by province or county ("local" in DOMAIN.md): defaults given there."""

    validity_years: int = 5
    trial_validity_years: int = 2
    doc_number_pattern: str = r"^[\u4e00-\u9fa5A-Za-z]+〔\d{4}〕[1-9]\d*号$"
    registration_number_pattern: str = r"^[\u4e00-\u9fa5A-Za-z]+〔\d{4}〕\d+$"


@dataclass(frozen=True)
class Context:
    today: date
    catalog: LawCatalog
    config: RuleConfig = field(default_factory=RuleConfig)


@dataclass(frozen=True)
class RuleInfo:
    id: str
    title: str
    category: Category
    severity: Severity
    basis: str
    scope: Scope = "clause"
    description: str = ""


Check = Callable[["ParsedDocument", Context], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    info: RuleInfo
    check: Check

    def finding(
        self,
        paragraph: int | None,
        text: str,
        message: str,
        *,
        suggestion: str = "",
        start: int = -1,
        severity: Severity | None = None,
        basis: str | None = None,
    ) -> Finding:
        return Finding(
            rule_id=self.info.id,
            title=self.info.title,
            category=self.info.category,
            severity=severity or self.info.severity,
            paragraph=paragraph,
            text=text,
            message=message,
            basis=basis or self.info.basis,
            suggestion=suggestion,
            start=start,
        )
