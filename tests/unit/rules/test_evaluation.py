"""Honest evaluation: folds by source, the sealed batches kept out of training."""

from __future__ import annotations

from pathlib import Path

from reviewkit.documents import parse_text
from reviewkit.rules.corpus import CORPUS_DIR, load_corpus
from reviewkit.rules.document import ParsedDocument
from reviewkit.rules.evaluation import (
    SEALED_DIR,
    Tally,
    cross_validate,
    evaluate_sealed,
    load_sealed,
    render,
    source_folds,
)
from reviewkit.rules.training_item import Item


def _doc(text: str) -> ParsedDocument:
    return parse_text(text, "clause.txt")


def test_no_source_in_two_folds_and_every_clause_in_one() -> None:
    items = [Item(f"条款{k}", frozenset(), "", f"s{k % 7}") for k in range(40)]
    folds = source_folds(items, 3)
    assert sorted(k for fold in folds for k in fold) == list(range(40))
    sources = [{items[k].source for k in fold} for fold in folds]
    assert all(not (a & b) for i, a in enumerate(sources) for b in sources[i + 1 :])
    assert max(map(len, folds)) - min(map(len, folds)) <= 6  # balanced by clause count


def test_sealed_batches_are_never_in_the_training_corpus() -> None:
    assert SEALED_DIR.parent == CORPUS_DIR
    sealed = [item for _, _, items in load_sealed() for item in items]
    assert sealed, "tests/corpus/sealed holds at least one batch"
    assert not {item.source for item in sealed} & {item.source for item in load_corpus()}
    # boilerplate (本办法由…负责解释) may occur in both; a substantive sealed clause may not
    overlap = {item.text for item in sealed} & {item.text for item in load_corpus()}
    assert all("负责解释" in text for text in overlap)
    assert all(first_run.get("commit") for _, first_run, _ in load_sealed())


def test_tally_counts_recall_and_clean_specificity() -> None:
    tally = Tally("t")
    tally.add(frozenset({"fee"}), frozenset({"fee"}))
    tally.add(frozenset({"fee", "rights"}), frozenset({"rights"}))
    tally.add(frozenset(), frozenset({"power"}))
    tally.add(frozenset(), frozenset({"form"}))  # not substantive: ignored
    assert tally.recall("fee") == (1, 2)
    assert tally.flagged() == (2, 2)
    assert tally.clean() == (1, 2)
    assert "clean spec." in render(tally) and _doc("第一条　甲。").paragraphs


def test_cross_validation_keeps_every_held_out_source_out_of_its_model(tmp_path: Path) -> None:
    flagged = [
        "全县校服统一由县服装公司供应。",
        "全市出租车计价器统一到市计量公司安装。",
        "各乡镇保洁统一交由县环境集团负责。",
    ]
    clean = ["本办法自2027年1月1日起施行。", "各部门应当加强协作。", "县财政局负责资金拨付。"]
    items = [Item(t, frozenset({"competition"}), "案例", f"f{k}") for k, t in enumerate(flagged * 2)]
    items += [Item(t, frozenset(), "干净", f"c{k}") for k, t in enumerate(clean * 2)]
    result = cross_validate(_doc, items, folds=3)
    assert sum(size for size, _ in result.folds) == len(items)
    held = [set(sources) for _, sources in result.folds]
    assert all(not (a & b) for i, a in enumerate(held) for b in held[i + 1 :])
    assert len(result.model_alone.rows) == len(result.training.rows) == len(items)

    (tmp_path / "batch.toml").write_text(
        'default_source = "constructed:t"\n[first_run]\ncommit = "abc"\n'
        '[[clause]]\ntext = "第五条　对拒不整改的，处5000元罚款。"\nexpect = ["penalty"]\n',
        encoding="utf-8",
    )
    (batch,) = evaluate_sealed(_doc, None, tmp_path)
    assert batch.first_run == {"commit": "abc"} and batch.signals.flagged() == (1, 1)
