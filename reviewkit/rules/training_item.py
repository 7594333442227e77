"""One labelled clause for training and evaluation (no scikit-learn here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    text: str
    categories: frozenset[str]
    label: str  # source and date, shown after 类似：
    source: str  # the grouping key for cross-validation by source
