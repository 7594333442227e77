"""Pre-review rules (pure): stable IDs, Chinese titles, one category, a severity and a legal basis.

Public API::

    from reviewkit.rules import run_rules, RULES, Finding
    findings = run_rules(parsed_document, today=date(2025, 1, 1))
"""

from __future__ import annotations

from reviewkit.rules.catalog import LawCatalog, LawStatus, default_catalog, load_catalog
from reviewkit.rules.document import ParsedDocument
from reviewkit.rules.engine import RULES, RULES_BY_ID, run_rules
from reviewkit.rules.model import (
    CATEGORIES,
    CATEGORY_LABELS,
    SEVERITY_LABELS,
    SEVERITY_RANK,
    Finding,
    RuleConfig,
    RuleInfo,
)

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "RULES",
    "RULES_BY_ID",
    "SEVERITY_LABELS",
    "SEVERITY_RANK",
    "Finding",
    "LawCatalog",
    "LawStatus",
    "ParsedDocument",
    "RuleConfig",
    "RuleInfo",
    "default_catalog",
    "load_catalog",
    "run_rules",
]
