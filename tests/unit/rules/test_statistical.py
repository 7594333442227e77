"""The statistical layer: trained from labelled items, explains by the nearest case, loads lazily."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from reviewkit.documents import parse_text
from reviewkit.rules import run_rules
from reviewkit.rules.corpus import load_corpus
from reviewkit.rules.statistical import MODEL_PATH, Model, load_model
from reviewkit.rules.training import Item, save, train

TODAY = date(2026, 12, 5)
DESIGNATING = [
    "全区学生校服统一由区教育服务中心下属的校服公司负责供应。",
    "全县中小学食堂食材统一交由县粮油集团配送。",
    "城区共享单车运营统一交由县城投公司一家经营。",
    "全市出租车计价器统一到市计量公司安装维修。",
    "各乡镇环卫保洁统一交由县环境集团负责。",
    "全县农村饮水工程统一交由县水务集团建设运营。",
]
CLEAN = [
    "本办法自2027年1月1日起施行。",
    "各部门应当加强协作，做好宣传引导工作。",
    "县财政局负责资金拨付，县审计局负责审计监督。",
    "鼓励企业自主选择服务机构，平等参与市场竞争。",
    "本办法所称农贸市场，是指以农产品零售为主的市场。",
    "各乡镇应当于每年年底前报送工作总结。",
]


@pytest.fixture(scope="module")
def model() -> Model:
    items = [Item(t, frozenset({"competition"}), f"案例{k}", f"s{k}") for k, t in enumerate(DESIGNATING)]
    items += [Item(t, frozenset(), "干净", f"c{k}") for k, t in enumerate(CLEAN)]
    return train(items, probability=0.6)


def test_model_raises_an_unseen_paraphrase_and_explains_it(model: Model) -> None:
    doc = parse_text("第五条　全县殡葬车辆统一交由县殡葬服务集团一家运营。", "t.txt")
    # the signal rules now find this one too (COMP-DESIGNATED: 交由…集团一家运营); run the model alone
    stat = run_rules(doc, today=TODAY, model=model, rule_ids=[f"STAT-{c.upper()}" for c in model.categories])
    assert [f.rule_id for f in stat] == ["STAT-COMPETITION"]
    assert stat[0].similar.startswith("类似：案例")
    assert stat[0].to_dict()["similar"] == stat[0].similar


def test_model_leaves_clean_text_alone(model: Model) -> None:
    doc = parse_text("第五条　各部门应当按照职责分工做好宣传工作。", "t.txt")
    assert not [f for f in run_rules(doc, today=TODAY, model=model) if f.rule_id.startswith("STAT-")]


def test_no_statistical_finding_where_a_signal_rule_found_the_category(model: Model) -> None:
    doc = parse_text("第五条　全区学生校服统一由区教育服务中心下属的校服公司负责供应。", "t.txt")
    ids = [f.rule_id for f in run_rules(doc, today=TODAY, model=model)]
    assert "COMP-DESIGNATED" in ids and "STAT-COMPETITION" not in ids


def test_signal_findings_carry_no_similar_field() -> None:
    doc = parse_text("第十三条　对不按规定时间投放生活垃圾的，处200元罚款。", "t.txt")
    (hit,) = [f for f in run_rules(doc, today=TODAY, statistical=False) if f.rule_id == "SUB-PENALTY"]
    assert "similar" not in hit.to_dict()


def test_model_round_trips_through_json(model: Model, tmp_path: Path) -> None:
    path = save(model, tmp_path / "m.json")
    again = load_model(path)
    assert again is not None
    text = "全县殡葬车辆统一交由县殡葬服务集团一家运营。"
    before, after = model.predict(text), again.predict(text)
    assert [c for c, _ in after] == [c for c, _ in before] == ["competition"]
    assert [m for _, m in after] == pytest.approx([m for _, m in before], abs=1e-3)


def test_shipped_model_is_small_trained_on_the_corpus_and_lazy() -> None:
    assert MODEL_PATH.stat().st_size < 1_000_000
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["trained_on"] == len(load_corpus())  # retrain after changing tests/corpus
    assert set(data["categories"]) >= {"competition", "permit", "penalty", "rights"}


def test_corpus_items_have_sources_and_real_ones_have_dates() -> None:
    items = load_corpus()
    assert all(i.source for i in items)
    real = [i for i in items if not i.source.startswith("constructed:")]
    assert real and all("（" in i.label for i in real)  # label carries the date
