"""Pre-review throughput against bare python-docx, measured side by side in the same run.

    python bench/prereview.py [--docs 50] [--paragraphs 200] [--rounds 5]

Generates N realistic drafts (.docx: 文号, title, chapters, 第X条 articles drawn from the labelled
corpus — flagged and clean clauses alike —, a table, 附件 and a signature) into a temporary
directory, then times, over the same files and interleaved round by round:

- baseline: ``docx.Document(path)`` and extraction of every paragraph's and table cell's text;
- reviewkit: ``parse_file`` (safety checks + parse + structure) and ``run_rules`` (all rules).

Prints the best round of each and the ratio reviewkit / baseline (target ≤ 1.5).

    python bench/prereview.py --accuracy [--folds 5]

Accuracy instead of speed (reviewkit/rules/evaluation.py): k-fold cross-validation BY SOURCE over
the labelled corpus (tests/corpus/*.toml; no source's clauses in both training and test). For each
fold the statistical layer is retrained on the training folds only; the held-out clauses are
pre-reviewed by the signal rules alone, by signals + the fold's model and by the model alone.
Prints per-category recall and clean specificity on held-out folds, then, labelled as such, the
training figure (model trained on all), then the sealed batches (tests/corpus/sealed/*.toml) beside
their first run. The signal rules are hand-tuned on the corpus: their cross-validated figure is a
training figure; the sealed batches are the held-out figure for them.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import tomllib
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from docx import Document  # noqa: E402

from reviewkit.documents import parse_file, parse_text  # noqa: E402
from reviewkit.rules import ParsedDocument, default_catalog, run_rules  # noqa: E402
from reviewkit.rules.corpus import load_corpus  # noqa: E402
from reviewkit.rules.evaluation import cross_validate, evaluate_sealed, render  # noqa: E402
from reviewkit.rules.numerals import cn_to_int  # noqa: E402, F401  (warm import)
from reviewkit.rules.statistical import load_model  # noqa: E402

CN = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    if n < 10:
        return CN[n]
    if n < 20:
        return "十" + (CN[n % 10] if n % 10 else "")
    if n < 100:
        return CN[n // 10] + "十" + (CN[n % 10] if n % 10 else "")
    rest = n % 100
    tail = (
        ""
        if rest == 0
        else ("零" + CN[rest] if rest < 10 else cn_number(rest) if rest >= 20 else "一" + cn_number(rest))
    )
    return CN[n // 100] + "百" + tail


def clause_bodies() -> list[str]:
    items = []
    for name in ("clauses.toml", "holdout.toml"):
        data = tomllib.loads((REPO / "tests" / "corpus" / name).read_text(encoding="utf-8"))
        for clause in data["clause"]:
            text = clause["text"]
            items.append(text.split("\u3000", 1)[1] if "\u3000" in text else text)
    return items


def generate(folder: Path, docs: int, paragraphs: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    bodies = clause_bodies()
    files = []
    for k in range(docs):
        doc = Document()
        doc.add_paragraph("某县市场监督管理局文件")
        doc.add_paragraph(f"某市监规〔2024〕{k + 1}号")
        doc.add_paragraph(f"某县农贸市场管理办法（第{k + 1}稿）", style="Title")
        doc.add_paragraph("第一章\u3000总则")
        doc.add_paragraph(
            "第一条\u3000为了规范农贸市场秩序，根据《集贸市场管理条例》等规定，结合本县实际，制定本办法。"
        )
        article, chapter, used, table_done = 2, 1, 5, False
        while used < paragraphs - 6:
            if rng.random() < 0.05:
                chapter += 1
                doc.add_paragraph(f"第{cn_number(chapter)}章\u3000分则")
                used += 1
                continue
            doc.add_paragraph(f"第{cn_number(article)}条\u3000{rng.choice(bodies)}")
            article += 1
            used += 1
            if rng.random() < 0.2:
                for item in range(1, rng.randint(2, 4)):
                    doc.add_paragraph(f"（{cn_number(item)}）{rng.choice(bodies)}")
                    used += 1
            if not table_done and used >= paragraphs // 2:
                table_done = True
                table = doc.add_table(rows=4, cols=3)
                for r, row in enumerate(table.rows):
                    for c, cell in enumerate(row.cells):
                        cell.text = ("项目", "标准", "依据")[c] if r == 0 else f"第{r}项收费标准{c}"
        doc.add_paragraph(f"第{cn_number(article)}条\u3000本办法自2024年8月1日起施行，有效期5年。")
        doc.add_paragraph("附件：1.农贸市场经营户登记表")
        doc.add_paragraph("2.农贸市场摊位分布图")
        doc.add_paragraph("某县市场监督管理局")
        doc.add_paragraph("2024年7月1日")
        path = folder / f"draft-{k:03d}.docx"
        doc.save(str(path))
        files.append(path)
    return files


def baseline(path: Path) -> int:
    document = Document(str(path))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return len(texts)


def reviewkit(path: Path) -> int:
    parsed = parse_file(path)
    return len(run_rules(parsed, today=date(2025, 6, 30)))


def interleaved(files: list[Path]) -> tuple[float, float, int]:
    """One round: baseline and reviewkit alternate file by file (CPU time of this process), so load
    from other processes and clock drift hit both sides alike."""
    base = rk = 0.0
    findings = 0
    for path in files:
        started = time.process_time()
        baseline(path)
        middle = time.process_time()
        findings += reviewkit(path)
        rk += time.process_time() - middle
        base += middle - started
    return base, rk, findings


def accuracy(folds: int) -> None:
    items = load_corpus()
    sources = sorted({i.source for i in items})
    print(
        f"{len(items)} labelled clauses from {len(sources)} sources; {folds}-fold cross-validation by source"
    )
    result = cross_validate(clause_document, items, folds)
    for k, (size, held) in enumerate(result.folds, 1):
        print(f"fold {k}: {size} held-out clauses from {', '.join(held)}")
    for tally in (result.signals, result.combined, result.model_alone, result.training):
        print("\n" + render(tally))
    print(
        "\nSEALED BATCHES (tests/corpus/sealed: written before a round of rule changes, never tuned or trained on)"
    )
    for batch in evaluate_sealed(clause_document, load_model()):
        for tally, key in ((batch.signals, "signals"), (batch.combined, "combined")):
            print("\n" + render(tally))
            first = batch.first_run.get(key)
            if first:
                print(
                    f"first run at {batch.first_run.get('commit', '?')}: flagged {first['flagged']}/{first['flagged_items']}"
                    f" = {first['flagged'] / first['flagged_items']:.2f}, clean {first['clean']}/{first['clean_items']}"
                    f" = {first['clean'] / first['clean_items']:.2f}"
                )


def clause_document(text: str) -> ParsedDocument:
    return parse_text(text, "clause.txt")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--paragraphs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--accuracy", action="store_true", help="cross-validated accuracy instead of speed")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    if args.accuracy:
        accuracy(args.folds)
        return
    default_catalog()  # load the law-status catalog once, outside the timings
    with tempfile.TemporaryDirectory(prefix="rk-bench-") as tmp:
        files = generate(Path(tmp), args.docs, args.paragraphs)
        size = sum(p.stat().st_size for p in files) / len(files) / 1024
        print(f"{len(files)} documents, {args.paragraphs} paragraphs each, {size:.0f} KB on average")
        interleaved(files[:3])  # warm-up
        rounds = [interleaved(files) for _ in range(args.rounds)]
    base_runs = [b for b, _, _ in rounds]
    rk_runs = [r for _, r, _ in rounds]
    ratios = [r / b for b, r, _ in rounds]
    findings = rounds[-1][2]
    b, r = min(base_runs), min(rk_runs)
    per = 1000 / len(files)
    print(f"baseline  python-docx open + extract : best {b:.3f} s CPU ({b * per:.1f} ms/doc)")
    print(f"reviewkit parse_file + run_rules     : best {r:.3f} s CPU ({r * per:.1f} ms/doc)")
    print(f"findings per document: {findings / len(files):.1f}")
    print(
        f"ratio reviewkit / baseline: best-of-rounds {r / b:.2f}, median per round {statistics.median(ratios):.2f} (target ≤ 1.5)"
    )


if __name__ == "__main__":
    main()
