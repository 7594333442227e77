"""Honest evaluation of the pre-review (issue #17): quality is measured on text it has never seen.

- :func:`cross_validate`: k-fold cross-validation BY SOURCE over the labelled corpus (no source's
  clauses in both training and test). Per fold the statistical layer is trained on the other folds
  only; the held-out clauses are screened by the signal rules alone, by the signal rules + that
  fold's model, and by the model alone. Figures per category come from held-out folds only.
- :func:`evaluate_sealed`: the sealed batches (``tests/corpus/sealed/*.toml``), written before a
  round of rule changes, scored once then, never tuned or trained on; their first run is stored in
  the file beside the clauses, so the figure now can be read against it.

What the figures mean. The model's held-out figures are held-out figures. The signal rules are
written by hand by people who read every clause of ``tests/corpus``: their "held-out" figure under
cross-validation is a TRAINING figure, and so, partly, is the combined one. Only the sealed batches
(and the issue's blind sets, kept outside the project) measure the signal rules on unseen phrasing.

Parsing is injected (``parse``: text → ParsedDocument) because ``reviewkit.rules`` does not import
``reviewkit.documents`` (DESIGN.md); scikit-learn comes in through ``training``, so this module is
for the bench and the tests, never for a pre-review.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from reviewkit.errors import ConfigError
from reviewkit.rules.corpus import CORPUS_DIR, load_corpus
from reviewkit.rules.document import ParsedDocument
from reviewkit.rules.engine import run_rules
from reviewkit.rules.statistical import Model
from reviewkit.rules.training import train
from reviewkit.rules.training_item import Item

SUBSTANTIVE = ("citation", "permit", "penalty", "coercion", "fee", "rights", "power", "competition")
SEALED_DIR = CORPUS_DIR / "sealed"
TODAY = date(2026, 12, 5)  # fixed so that a repeal's effective date does not move the figures

Parse = Callable[[str], ParsedDocument]
Row = tuple[frozenset[str], frozenset[str]]  # (expected categories, categories found)


@dataclass
class Tally:
    """Expected and found substantive categories, one row per clause."""

    title: str
    note: str = ""
    rows: list[Row] = field(default_factory=list)

    def add(self, expected: frozenset[str], found: frozenset[str]) -> None:
        keep = frozenset(SUBSTANTIVE)
        self.rows.append((expected & keep, found & keep))

    def recall(self, category: str) -> tuple[int, int]:
        """(found, items) over the clauses labelled ``category``."""
        items = [got for exp, got in self.rows if category in exp]
        return sum(1 for got in items if category in got), len(items)

    def clean_false(self, category: str) -> int:
        """Clean clauses on which ``category`` was raised."""
        return sum(1 for exp, got in self.rows if not exp and category in got)

    def flagged(self) -> tuple[int, int]:
        """(found, items): a flagged clause counts when one of its categories is found."""
        items = [(exp, got) for exp, got in self.rows if exp]
        return sum(1 for exp, got in items if exp & got), len(items)

    def clean(self) -> tuple[int, int]:
        """(clean clauses without any substantive finding, clean clauses)."""
        items = [got for exp, got in self.rows if not exp]
        return sum(1 for got in items if not got), len(items)


@dataclass
class CrossValidation:
    folds: list[tuple[int, list[str]]]  # (held-out clauses, held-out sources) per fold
    signals: Tally
    combined: Tally
    model_alone: Tally
    training: Tally


def source_folds(items: Sequence[Item], folds: int) -> list[list[int]]:
    """Indices of ``items`` per fold; every source lies in exactly one fold (largest sources first,
    each to the fold with the fewest clauses so far: deterministic and balanced like GroupKFold)."""
    by_source: dict[str, list[int]] = {}
    for k, item in enumerate(items):
        by_source.setdefault(item.source, []).append(k)
    if len(by_source) < folds:
        raise ConfigError(f"语料只有 {len(by_source)} 个来源，不足以做 {folds} 折按来源交叉验证")
    out: list[list[int]] = [[] for _ in range(folds)]
    for source in sorted(by_source, key=lambda s: (-len(by_source[s]), s)):
        min(out, key=len).extend(by_source[source])
    return [sorted(fold) for fold in out]


def screen(
    parse: Parse, text: str, *, model: Model | None, statistical: bool, today: date = TODAY
) -> frozenset[str]:
    """Substantive categories the pre-review finds in one clause (clause scope, as in the corpus)."""
    found = run_rules(parse(text), today=today, scopes=("clause",), statistical=statistical, model=model)
    return frozenset(f.category for f in found) & frozenset(SUBSTANTIVE)


def cross_validate(parse: Parse, items: Sequence[Item] | None = None, folds: int = 5) -> CrossValidation:
    items = list(items if items is not None else load_corpus())
    result = CrossValidation(
        [],
        Tally(
            "held-out folds, signal rules only", "TRAINING figure: the rules were hand-tuned on this corpus"
        ),
        Tally(
            "held-out folds, signal rules + statistical layer trained without the held-out sources",
            "partly a training figure (its signal half is)",
        ),
        Tally(
            "held-out folds, statistical layer alone",
            "held out: what the model generalises to (no citation model)",
        ),
        Tally("TRAINING figure: model trained on every clause it is scored on", "not a quality figure"),
    )
    for fold in source_folds(items, folds):
        held = set(fold)
        model = train([item for k, item in enumerate(items) if k not in held])
        result.folds.append((len(fold), sorted({items[k].source for k in fold})))
        for k in fold:
            item = items[k]
            result.signals.add(item.categories, screen(parse, item.text, model=None, statistical=False))
            result.combined.add(item.categories, screen(parse, item.text, model=model, statistical=True))
            result.model_alone.add(item.categories, frozenset(c for c, _ in model.predict(item.text)))
    full = train(items)
    for item in items:
        result.training.add(item.categories, screen(parse, item.text, model=full, statistical=True))
    return result


@dataclass
class SealedBatch:
    name: str
    first_run: dict[str, Any]  # as written in the file when it was sealed
    signals: Tally
    combined: Tally


def load_sealed(directory: Path = SEALED_DIR) -> list[tuple[str, dict[str, Any], list[Item]]]:
    batches: list[tuple[str, dict[str, Any], list[Item]]] = []
    for file in sorted(directory.glob("*.toml")):
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        source = str(data.get("default_source", f"sealed:{file.stem}"))
        label = str(data.get("default_label", file.stem))
        items = [
            Item(str(raw["text"]), frozenset(raw.get("expect", [])), label, str(raw.get("source", source)))
            for raw in data.get("clause", [])
        ]
        batches.append((file.stem, dict(data.get("first_run", {})), items))
    return batches


def evaluate_sealed(parse: Parse, model: Model | None, directory: Path = SEALED_DIR) -> list[SealedBatch]:
    """Every sealed batch screened by the signal rules, and by signals + ``model`` (trained on the
    corpus, which never contains a sealed clause)."""
    out: list[SealedBatch] = []
    for name, first_run, items in load_sealed(directory):
        batch = SealedBatch(
            name,
            first_run,
            Tally(f"sealed {name}, signal rules only", "held out: the rules were not tuned on it"),
            Tally(f"sealed {name}, signal rules + statistical layer", "held out: never trained on"),
        )
        for item in items:
            batch.signals.add(item.categories, screen(parse, item.text, model=None, statistical=False))
            batch.combined.add(item.categories, screen(parse, item.text, model=model, statistical=True))
        out.append(batch)
    return out


def render(tally: Tally) -> str:
    """A plain-text table: recall per category on flagged clauses, false alarms on clean ones."""
    clean_ok, clean_n = tally.clean()
    lines = [
        f"{tally.title}" + (f"  [{tally.note}]" if tally.note else ""),
        f"{'category':<12} {'found':>6} {'items':>6} {'recall':>7} {'clean hit':>10} {'clean spec':>11}",
    ]
    for cat in SUBSTANTIVE:
        hit, n = tally.recall(cat)
        if n:
            false = tally.clean_false(cat)
            spec = 1 - false / clean_n if clean_n else 1.0
            lines.append(f"{cat:<12} {hit:>6} {n:>6} {hit / n:>7.2f} {false:>10} {spec:>11.2f}")
    hit, n = tally.flagged()
    lines.append(
        f"{'ALL flagged':<12} {hit:>6} {n:>6} {hit / n if n else 1:>7.2f}   (a clause counts when one of its categories is found)"
    )
    lines.append(
        f"{'clean spec.':<12} {clean_ok:>6} {clean_n:>6} {clean_ok / clean_n if clean_n else 1:>7.2f}   (clean clauses without any substantive finding)"
    )
    return "\n".join(lines)
