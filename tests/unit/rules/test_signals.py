"""Signals that generalise (issue #17): places, exclusivity, stay-and-clawback, authority, citations."""

from __future__ import annotations

from datetime import date

import pytest

from reviewkit.documents import parse_text
from reviewkit.rules import RULES_BY_ID, default_catalog, run_rules
from reviewkit.rules.authority import cites_authority
from reviewkit.rules.places import localise, place_spans

TODAY = date(2026, 12, 5)


def found(text: str) -> set[str]:
    doc = parse_text(text, "t.txt")
    return {f.rule_id for f in run_rules(doc, today=TODAY, scopes=("clause",), statistical=False)}


def test_gazetteer_reads_named_places_as_local() -> None:
    assert localise("对在萧山区注册的企业") == "对在本地地注册的企业"
    assert localise("注册地在桐庐的企业") == "注册地在本地的企业"  # short name after 注册地在
    assert place_spans("消防通道应当保持畅通") == []  # 通道县's short form is an ordinary word
    assert place_spans("城区道路") == []  # generic names are not places


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("第六条　对在萧山区注册并纳税的企业，给予奖励。", "COMP-NONLOCAL-CONDITION"),
        ("第八条　设在桐庐县内的企业得5分。", "COMP-LOCAL-FIRST"),
        ("第九条　参与本次采购的供应商须在德清县内设有常驻服务机构。", "COMP-NONLOCAL-CONDITION"),
        ("第五条　全县农村生活污水处理设施的设计统一由县规划设计院承担。", "COMP-DESIGNATED"),
        ("第十二条　县燃气公司为我县管道燃气唯一合法经营主体。", "COMP-EXCLUSIVE"),
        ("第三条　今后不再引进其他品牌。", "COMP-DESIGNATED"),
        ("第十一条　禁止县供水公司以外的单位从事二次供水设施维护。", "COMP-DESIGNATED"),
        ("第六条　确保餐饮单位与县收运公司的收运合同签订率达100%。", "COMP-DESIGNATED"),
    ],
)
def test_competition_signals_without_the_old_keywords(text: str, rule: str) -> None:
    assert rule in found(text)


def test_stay_and_clawback_across_sentences_of_one_article() -> None:
    text = (
        "第十四条　对新引进的总部企业给予开办补助300万元。"
        "企业自享受补助之日起8年内不得通过迁址、分立等方式迁离本区。违反前款规定的，收回已拨付的补助资金。"
    )
    assert "COMP-EXIT" in found(text)
    # forbidding the stay condition is not an exit barrier; a clawback tied to performance is not either
    assert "COMP-EXIT" not in found("第三条　不得要求企业作出5年内不迁出本区的承诺。")
    assert "COMP-EXIT" not in found(
        "第八条　对获得奖励的项目，未按协议约定完成投资进度的，按照协议约定比例退还奖励资金。"
    )


def test_a_hedge_no_longer_clears_a_penalty() -> None:
    assert "SUB-PENALTY" in found("第二十条　未按规定佩戴头盔的，由交警部门按照有关规定处以20元罚款。")


def test_a_catalogued_law_that_covers_the_measure_clears_it() -> None:
    assert "SUB-PENALTY" not in found(
        "第十四条　构成违反治安管理行为的，由公安机关依照《中华人民共和国治安管理处罚法》予以处罚。"
    )


def test_an_unknown_law_cited_without_an_article_is_not_authority() -> None:
    catalog = default_catalog()
    assert not cites_authority("依照《某某市场秩序管理法》的规定处以罚款", "penalty", catalog)
    assert cites_authority("依照《某省城市管理综合行政执法条例》第二十条的规定处以罚款", "penalty", catalog)
    assert cites_authority("依照《中华人民共和国食品安全法》的规定处罚", "penalty", catalog)
    assert not cites_authority("依照《中华人民共和国食品安全法》的规定收取费用", "fee", catalog)


def test_the_preamble_basis_lets_a_hedge_restate_it() -> None:
    text = (
        "为了加强食品安全管理，根据《中华人民共和国食品安全法》，结合本县实际，制定本办法。\n"
        "第十条　违反本办法规定生产经营不符合标准的食品的，由县市场监督管理局依法没收违法所得。"
    )
    assert "SUB-PENALTY" not in found(text)
    assert "SUB-PENALTY" in found(text.split("\n")[1])


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("第十五条　对违规设置占道摊点的，由综合行政执法部门顶格处罚。", "SUB-PENALTY"),
        ("第八条　对疫区内所有生猪，由乡镇人民政府组织一律扑杀。", "SUB-COERCION"),
        ("第十条　办理渣土运输备案的，每车收取管理费300元。", "SUB-FEE"),
        ("第七条　将取得县住建局出具的评估意见作为办理施工许可的前置条件。", "SUB-PERMIT"),
        ("第九条　装修企业承接业务，须持有县装饰行业协会核发的备案合格证。", "SUB-PERMIT"),
        ("第八条　未按期签订协议的，一律视为自动放弃奖励。", "RIGHTS-PRESUMPTION"),
        ("第十二条　对拖欠农民工工资的企业，认定为失信行为。", "RIGHTS-BLACKLIST"),
        ("第十条　对违规经营的商户，记入其信用档案。", "RIGHTS-BLACKLIST"),
        ("第九条　授权各镇（街道）对辖区内违法建设行为实施行政处罚。", "POWER-EXPAND"),
    ],
)
def test_missing_verbs_and_nouns(text: str, rule: str) -> None:
    assert rule in found(text)


def test_repealed_planning_and_demolition_rules_are_cited_with_successor() -> None:
    doc = parse_text("第十条　房屋拆迁补偿按照《城市房屋拆迁管理条例》的规定执行。", "t.txt")
    (hit,) = [f for f in run_rules(doc, today=TODAY, statistical=False) if f.rule_id == "CITE-REPEALED"]
    assert "国有土地上房屋征收与补偿条例" in hit.message and "2011年1月21日" in hit.message


def test_catalog_c1_c2_entries() -> None:
    catalog = default_catalog()
    assert catalog.as_of >= date(2026, 12, 5)
    assert catalog.lookup("公平竞争审查制度实施细则").replaced_by == "公平竞争审查条例实施办法"  # type: ignore[union-attr]
    assert catalog.lookup("政府采购供应商投诉处理办法").date == date(2018, 3, 1)  # type: ignore[union-attr]
    assert catalog.lookup("中华人民共和国治安管理处罚法").date == date(2026, 1, 1)  # type: ignore[union-attr]
    assert catalog.lookup("中华人民共和国反不正当竞争法").date == date(2025, 10, 15)  # type: ignore[union-attr]


def test_corrected_bases_r1_to_r4() -> None:
    assert "第九条第（一）项" in RULES_BY_ID["COMP-EXIT"].basis
    assert "第九条第（七）项" in RULES_BY_ID["FORM-TITLE-TYPE"].basis
    assert "7.2.5" in RULES_BY_ID["CITE-DOC-NUMBER"].basis
    assert "宪法》第三十九条" in RULES_BY_ID["POWER-EXPAND"].basis
    assert "商业银行法》第二十九条" in RULES_BY_ID["POWER-EXPAND"].basis
    assert "内设机构" in RULES_BY_ID["POWER-ISSUER"].basis
