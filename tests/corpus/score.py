"""Score the rules against the labelled corpus: precision and recall per category.

Run directly to see every miss: ``python -m tests.corpus.score``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reviewkit.documents import parse_text
from reviewkit.rules import CATEGORIES, run_rules

CORPUS = Path(__file__).parent
TODAY = date(2025, 6, 30)
CLAUSE_FILES = tuple(sorted(p.name for p in CORPUS.glob("*.toml") if p.name != "documents.toml"))


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load(files: tuple[str, ...] | None = None) -> list[tuple[str, set[str], str]]:
    """(text, expected categories, scope) for clauses and whole documents."""
    items: list[tuple[str, set[str], str]] = []
    for name in files or CLAUSE_FILES:
        clauses = tomllib.loads((CORPUS / name).read_text(encoding="utf-8"))
        items += [(c["text"], set(c["expect"]), "clause") for c in clauses["clause"]]
    docs_file = CORPUS / "documents.toml"
    if files is None and docs_file.exists():
        docs = tomllib.loads(docs_file.read_text(encoding="utf-8"))
        items += [(d["text"], set(d["expect"]), "document") for d in docs["document"]]
    return items


def score(files: tuple[str, ...] | None = None) -> dict[str, Score]:
    scores = {c: Score() for c in CATEGORIES}
    for text, expected, scope in load(files):
        doc = parse_text(text, "corpus.txt")
        scopes = ("clause",) if scope == "clause" else ("clause", "document")
        # the signal rules alone: the statistical layer is evaluated by cross-validation by source
        # (bench/prereview.py --accuracy), never on the clauses it was trained on
        findings = run_rules(doc, today=TODAY, scopes=scopes, statistical=False)  # type: ignore[arg-type]
        got = {f.category for f in findings}
        for cat in CATEGORIES:
            s = scores[cat]
            if cat in got and cat in expected:
                s.tp += 1
            elif cat in got:
                s.fp += 1
                hit = next(f for f in findings if f.category == cat)
                s.misses.append(f"误报 {hit.rule_id}「{hit.text}」：{text[:70]}")
            elif cat in expected:
                s.fn += 1
                s.misses.append(f"漏报：{text[:70]}")
    return scores


def report(scores: dict[str, Score]) -> str:
    lines = [f"{'category':<12} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}"]
    for cat, s in scores.items():
        lines.append(f"{cat:<12} {s.tp:>4} {s.fp:>4} {s.fn:>4} {s.precision:>10.2f} {s.recall:>8.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    result = score(tuple(sys.argv[1:]) or None)
    print(report(result))
    for cat, s in result.items():
        for miss in s.misses:
            print(f"[{cat}] {miss}")
