"""Training the statistical layer (scikit-learn; imported only to retrain, never to pre-review).

``train(items)`` fits one L2-regularised logistic regression per category on binary character
bigrams (the features of ``statistical.ngrams``), keeps the strongest weights, and sets each
category's threshold at a probability chosen on cross-validation by source so that the layer adds
recall without costing the clean clauses their specificity. ``save`` writes the JSON the run-time layer reads.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from reviewkit.rules.statistical import MODEL_PATH, STAT_CATEGORIES, Case, CategoryModel, Model, ngrams
from reviewkit.rules.training_item import Item

# Chosen on 5-fold cross-validation BY SOURCE only (model alone, 568 clauses, 2026-12-05; never on the
# sealed batches): C 0.5/1/2/4 × p 0.5/0.6/0.7 gave recall 0.55–0.56 / clean 0.96–0.98 at p 0.5, 0.47–0.50 /
# 0.98 at p 0.6; p 0.45 gave 0.61 / 0.95, p 0.4 0.67 / 0.93 (too many warnings on clean clauses).
PROBABILITY = 0.5  # raised above this probability
C = 1.0  # inverse L2 strength
KEEP = 1500  # weights kept per category (by magnitude)
MIN_POSITIVES = 5

__all__ = ["Item", "save", "train"]


def train(items: Sequence[Item], *, probability: float = PROBABILITY, keep: int = KEEP) -> Model:
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([dict.fromkeys(ngrams(i.text), 1) for i in items])
    names = vectorizer.get_feature_names_out()
    threshold = math.log(probability / (1 - probability))
    categories: dict[str, CategoryModel] = {}
    for cat in STAT_CATEGORIES:
        y = [cat in i.categories for i in items]
        if sum(y) < MIN_POSITIVES:
            continue
        clf = LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
        clf.fit(x, y)
        coef = clf.coef_[0]
        order = sorted(range(len(coef)), key=lambda k: -abs(coef[k]))[:keep]
        weights = {str(names[k]): round(float(coef[k]), 4) for k in order if coef[k] != 0}
        categories[cat] = CategoryModel(float(clf.intercept_[0]), threshold, weights)
    cases = tuple(
        Case(i.text, i.label, tuple(sorted(i.categories & set(STAT_CATEGORIES))))
        for i in items
        if i.categories & set(STAT_CATEGORIES)
    )
    return Model(categories, cases, trained_on=len(items))


def save(model: Model, path: Path = MODEL_PATH) -> Path:
    data = {
        "about": "reviewkit pre-review statistical layer: logistic regression per category on binary "
        "character bigrams; retrain with `reviewkit prereview --retrain`",
        "trained_on": model.trained_on,
        "categories": {
            name: {"bias": c.bias, "threshold": c.threshold, "weights": dict(c.weights)}
            for name, c in model.categories.items()
        },
        "cases": [{"text": c.text, "label": c.label, "categories": list(c.categories)} for c in model.cases],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path
