"""The statistical layer: a character n-gram model trained on the labelled corpus (pure, lazy).

It raises findings the signal rules miss, one per clause and category, and explains each by the
labelled case it most resembles ("类似：…", nearest by rapidfuzz similarity). The model is a
linear classifier per category over binary character bigrams, trained by scikit-learn
(``reviewkit.rules.training``, run by ``reviewkit prereview --retrain``) and shipped as
``data/prereview_model.json``: weights, bias, threshold and the labelled cases. At run time only
the JSON and rapidfuzz are needed (no scikit-learn import: ~1 s saved); the file is read on first
use, so a command that never pre-reviews pays nothing.

A statistical finding is a warning that asks the counsel to look; it never outranks a signal rule
and is not raised where a signal rule already found the same category in the clause.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from reviewkit.rules.document import ParsedDocument
from reviewkit.rules.model import CATEGORY_LABELS, Context, Finding, Rule, RuleInfo

MODEL_PATH = Path(__file__).with_name("data") / "prereview_model.json"
STAT_CATEGORIES = ("permit", "penalty", "coercion", "fee", "rights", "power", "competition")
# character bigrams: on 5-fold CV by source (model alone, p > 0.5) recall 0.46 / clean 0.99 against
# 0.48 / 0.98 for 1–3-grams, at less than half the cost per paragraph (bench/README-prereview.md)
NGRAMS = (2, 2)
_CLAUSE_HEAD = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇\d]+条|（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、|\d+[.．、])\s*"
)
BASES: dict[str, str] = {
    "permit": "《中华人民共和国行政许可法》第十四条至第十七条",
    "penalty": "《中华人民共和国行政处罚法》第九条至第十六条",
    "coercion": "《中华人民共和国行政强制法》第十条、第十三条",
    "fee": "国办发〔2018〕37号（一）",
    "rights": "国办发〔2018〕37号（一）；《优化营商环境条例》第六十四条",
    "power": "国办发〔2018〕37号（一）",
    "competition": "《公平竞争审查条例》第八条至第十一条；《公平竞争审查条例实施办法》",
}


def ngrams(text: str) -> set[str]:
    """Binary character n-gram features (the same function trains and scores)."""
    text = _CLAUSE_HEAD.sub("", text)
    lo, hi = NGRAMS
    grams: set[str] = set(text) if lo == 1 else set()
    if lo <= 2 <= hi:
        grams.update(map(str.__add__, text, text[1:]))  # C-level slicing: this runs on every paragraph
    if hi >= 3:
        grams.update(map("".join, zip(text, text[1:], text[2:], strict=False)))
    return grams


@dataclass(frozen=True)
class Case:
    text: str
    label: str  # where the case comes from (source and date), shown after 类似：
    categories: tuple[str, ...]


@dataclass(frozen=True)
class CategoryModel:
    bias: float
    threshold: float
    weights: Mapping[str, float]

    def score(self, features: set[str]) -> float:
        w = self.weights
        return self.bias + sum(w.get(f, 0.0) for f in features)


@dataclass(frozen=True)
class Model:  # noqa: PLW1641 (cached_property needs __dict__, frozen dataclasses keep it)
    categories: Mapping[str, CategoryModel]
    cases: tuple[Case, ...]
    trained_on: int = 0

    @cached_property
    def _index(self) -> dict[str, tuple[tuple[int, float], ...]]:
        """n-gram → (category number, weight): one dictionary look-up per n-gram for all categories."""
        index: dict[str, list[tuple[int, float]]] = {}
        for k, cat in enumerate(self.categories.values()):
            for gram, weight in cat.weights.items():
                index.setdefault(gram, []).append((k, weight))
        return {gram: tuple(entries) for gram, entries in index.items()}

    @cached_property
    def _known(self) -> frozenset[str]:
        return frozenset(self._index)

    @cached_property
    def _vectors(self) -> dict[str, tuple[float, ...]]:
        """n-gram → its weight in every category (0.0 where absent), for C-level summing."""
        width = len(self.categories)
        out: dict[str, tuple[float, ...]] = {}
        for gram, entries in self._index.items():
            row = [0.0] * width
            for k, weight in entries:
                row[k] = weight
            out[gram] = tuple(row)
        return out

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Model:
        cats = {
            name: CategoryModel(float(c["bias"]), float(c["threshold"]), dict(c["weights"]))
            for name, c in data["categories"].items()
        }
        cases = tuple(Case(c["text"], c["label"], tuple(c["categories"])) for c in data["cases"])
        return Model(cats, cases, int(data.get("trained_on", 0)))

    def predict(self, text: str) -> list[tuple[str, float]]:
        """(category, margin over threshold) for every category the model raises on ``text``."""
        vectors = self._vectors
        rows = [vectors[gram] for gram in ngrams(text) & self._known]  # ∩ walks the smaller set
        sums = map(sum, zip(*rows, strict=True)) if rows else (0.0 for _ in self.categories)
        return [
            (name, total + cat.bias - cat.threshold)
            for (name, cat), total in zip(self.categories.items(), sums, strict=True)
            if total + cat.bias - cat.threshold > 0
        ]

    @cached_property
    def _pools(self) -> dict[str, tuple[tuple[Case, ...], tuple[str, ...]]]:
        """category → its cases and their texts without the article head (built once, not per finding)."""
        pools: dict[str, tuple[tuple[Case, ...], tuple[str, ...]]] = {}
        for category in self.categories:
            cases = tuple(c for c in self.cases if category in c.categories)
            pools[category] = (cases, tuple(_CLAUSE_HEAD.sub("", c.text) for c in cases))
        return pools

    def nearest(self, text: str, category: str) -> Case | None:
        cases, texts = self._pools.get(category, ((), ()))
        if not cases:
            return None
        best = process.extractOne(_CLAUSE_HEAD.sub("", text), texts, scorer=fuzz.ratio)
        return cases[best[2]] if best else None


@cache
def load_model(path: Path = MODEL_PATH) -> Model | None:
    """The shipped model, read on first use; None when no model file is there (then no findings)."""
    try:
        return Model.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None


def explain(case: Case) -> str:
    excerpt = _CLAUSE_HEAD.sub("", case.text)
    excerpt = excerpt if len(excerpt) <= 40 else excerpt[:40] + "…"
    return f"类似：{case.label}，“{excerpt}”"


def statistical_findings(
    doc: ParsedDocument, ctx: Context, found: Sequence[Finding], model: Model | None = None
) -> Iterator[Finding]:
    """Findings the model raises on clauses where no signal rule found the same category."""
    model = model or load_model()
    if model is None:
        return
    seen = {(f.paragraph, f.cell, f.category) for f in found}
    for para in doc.all_paragraphs:
        text = para.text
        if len(text) < 12 or (para.index == doc.title_paragraph and not para.locator):
            continue
        for category, _margin in model.predict(text):
            if (para.index, para.locator, category) in seen:
                continue
            case = model.nearest(text, category)
            finding = STAT_RULES[category].finding(
                para.index,
                text[:60],
                f"统计模型认为该条款与已标注的{CATEGORY_LABELS[category]}问题案例相似，请人工核查",
                suggestion="对照所列类似案例核查该条款；确无问题的，可忽略本提示。",
                start=0,
            )
            yield replace(finding, similar=explain(case) if case else "", cell=para.locator)


STAT_RULES: dict[str, Rule] = {
    cat: Rule(
        RuleInfo(
            f"STAT-{cat.upper()}",
            f"疑似{CATEGORY_LABELS[cat]}问题（统计模型）",
            cat,  # type: ignore[arg-type]
            "warning",
            BASES[cat],
            description="字符 n-gram 模型根据已标注案例提示，需人工核查",
        ),
        lambda doc, ctx: (),  # raised by run_rules after the signal rules (it needs their findings)
    )
    for cat in STAT_CATEGORIES
}
