"""The rule registry and :func:`run_rules`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from reviewkit.rules.catalog import LawCatalog, default_catalog
from reviewkit.rules.citation import CITATION_RULES
from reviewkit.rules.competition import COMPETITION_RULES
from reviewkit.rules.document import ParsedDocument
from reviewkit.rules.form import FORM_RULES
from reviewkit.rules.model import CATEGORIES, Context, Finding, Rule, RuleConfig, RuleInfo, Scope
from reviewkit.rules.power import POWER_RULES
from reviewkit.rules.procedure import PROCEDURE_RULES
from reviewkit.rules.rights import RIGHTS_RULES
from reviewkit.rules.statistical import STAT_RULES, Model, statistical_findings
from reviewkit.rules.substantive import SUBSTANTIVE_RULES

ALL_RULES: tuple[Rule, ...] = (
    *FORM_RULES,
    *CITATION_RULES,
    *SUBSTANTIVE_RULES,
    *RIGHTS_RULES,
    *POWER_RULES,
    *COMPETITION_RULES,
    *PROCEDURE_RULES,
)
RULES: tuple[RuleInfo, ...] = tuple(rule.info for rule in (*ALL_RULES, *STAT_RULES.values()))
RULES_BY_ID: dict[str, RuleInfo] = {info.id: info for info in RULES}


def _order(f: Finding) -> tuple[int, int, int]:
    return (-1 if f.paragraph is None else f.paragraph, f.start, CATEGORIES.index(f.category))


def run_rules(
    doc: ParsedDocument,
    *,
    today: date | None = None,
    catalog: LawCatalog | None = None,
    config: RuleConfig | None = None,
    scopes: Iterable[Scope] = ("clause", "document"),
    rule_ids: Iterable[str] | None = None,
    statistical: bool = True,
    model: Model | None = None,
) -> list[Finding]:
    """Every finding for ``doc``, in document order (document-level findings first).

    ``today`` decides whether a repeal has taken effect (default: the real date); ``catalog`` the
    law-status data (default: the bundled ``templates/laws``); ``scopes``/``rule_ids`` narrow the run.
    ``statistical`` adds the n-gram layer's findings (``model``: default the shipped one, read lazily).
    """
    ctx = Context(
        today=today or date.today(),
        catalog=catalog or default_catalog(),
        config=config or RuleConfig(),
    )
    wanted_scopes = set(scopes)
    wanted_ids = set(rule_ids) if rule_ids is not None else None
    findings: list[Finding] = []
    for rule in ALL_RULES:
        if rule.info.scope not in wanted_scopes:
            continue
        findings.extend(f for f in rule.check(doc, ctx) if wanted_ids is None or f.rule_id in wanted_ids)
    if statistical and "clause" in wanted_scopes:
        extra = statistical_findings(doc, ctx, findings, model)
        findings.extend(f for f in extra if wanted_ids is None or f.rule_id in wanted_ids)
    # one finding per rule and place: overlapping patterns of one rule report once
    unique: dict[tuple[str, int | None, str, int], Finding] = {}
    for f in findings:
        unique.setdefault((f.rule_id, f.paragraph, f.cell, f.start), f)
    return sorted(unique.values(), key=_order)
