"""Each rule: one positive and one negative example (DESIGN.md habits), plus registry invariants."""

from __future__ import annotations

from datetime import date

import pytest

from reviewkit.documents.parse import parse_text
from reviewkit.rules import CATEGORIES, RULES, RULES_BY_ID, run_rules

TODAY = date(2025, 6, 30)


def doc(body: str, title: str = "某县农贸市场管理办法") -> str:
    return f"{title}\n{body}"


GOOD_ARTICLES = (
    "第一条　为了规范农贸市场秩序，根据《集贸市场管理条例》，制定本办法。\n"
    "第二条　本办法适用于本县城区农贸市场。\n"
    "第三条　本办法自2024年8月1日起施行，有效期5年。"
)

# rule id → (positive text, negative text); clause rules get a single clause, document rules a document
EXAMPLES: dict[str, tuple[str, str]] = {
    "FORM-NO-BASIS": (
        doc("第一条　为了规范农贸市场秩序，制定本办法。\n第二条　本办法自2024年8月1日起施行，有效期5年。"),
        doc(GOOD_ARTICLES),
    ),
    "FORM-NO-EFFECTIVE-DATE": (
        doc("第一条　为了规范管理，根据《集贸市场管理条例》，制定本办法。\n第二条　本办法有效期5年。"),
        doc(GOOD_ARTICLES),
    ),
    "FORM-VALIDITY-MISSING": (
        doc(
            "第一条　为了规范管理，根据《集贸市场管理条例》，制定本办法。\n第二条　本办法自2024年8月1日起施行。"
        ),
        doc(GOOD_ARTICLES),
    ),
    "FORM-VALIDITY-EXCESSIVE": (
        doc(GOOD_ARTICLES.replace("有效期5年", "有效期8年")),
        doc(GOOD_ARTICLES),
    ),
    "FORM-DOC-NUMBER": (
        "某县财政局文件\n某财规〔2024〕第05号\n" + doc(GOOD_ARTICLES),
        "某县财政局文件\n某财规〔2024〕5号\n" + doc(GOOD_ARTICLES),
    ),
    "FORM-DATE": ("第五条　申报截止日期为2024年03月31日。", "第五条　申报截止日期为2024年3月31日。"),
    "FORM-TITLE-TYPE": (doc(GOOD_ARTICLES, "某县关于农贸市场的若干事项"), doc(GOOD_ARTICLES)),
    "FORM-LAW-NAME": (doc(GOOD_ARTICLES, "某县农贸市场管理条例"), doc(GOOD_ARTICLES, "某县农贸市场管理办法")),
    "CITE-REPEALED": (
        "第十条　抵押登记依照《中华人民共和国物权法》的有关规定办理。",
        "第十条　抵押登记依照《中华人民共和国民法典》的有关规定办理。",
    ),
    "CITE-REVISED": (
        "第十一条　处罚程序依照《中华人民共和国行政处罚法》（2017年修正）执行。",
        "第十一条　处罚程序依照《中华人民共和国行政处罚法》执行。",
    ),
    "CITE-DOC-NUMBER": (
        "第一条　根据《国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知》（国办发（2018）37号），制定本办法。",
        "第一条　根据《国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知》（国办发〔2018〕37号），制定本办法。",
    ),
    "SUB-PERMIT": (
        "第八条　在本县从事户外广告设置的，须经县城市管理局审批同意后方可设置。",
        "第八条　从事食品经营的，应当依照《中华人民共和国食品安全法》的规定取得食品经营许可。",
    ),
    "SUB-PENALTY": (
        "第二十条　对未按规定分类投放垃圾的单位，处1000元以上5000元以下罚款。",
        "第二十条　违反本办法规定的，由县城市管理局依照《城市市容和环境卫生管理条例》第三十四条的规定处罚。",
    ),
    "SUB-COERCION": (
        "第十九条　对拒不整改的占道经营者，可以扣押其经营工具。",
        "第十九条　行政机关依照《中华人民共和国行政强制法》的规定实施查封、扣押。",
    ),
    "SUB-FEE": (
        "第十四条　入驻农贸市场的经营户应当缴纳5000元履约押金。",
        "第十四条　不得向入驻经营户收取任何形式的押金。",
    ),
    "RIGHTS-UNRELATED-REFUSAL": (
        "第十四条　对拖欠物业服务费的业主，暂停为其办理不动产转移登记。",
        "第十四条　不得以拖欠物业服务费为由拒绝办理不动产登记。",
    ),
    "RIGHTS-BLACKLIST": (
        "第十六条　对违反本办法的经营者，列入黑名单，三年内不得参加政府采购。",
        "第十六条　信用主体纠正失信行为后，可以申请信用修复。",
    ),
    "RIGHTS-EXTRA-CERTIFICATE": (
        "第十八条　申请公租房的，应当提供社区居委会出具的家庭经济困难证明。",
        "第十八条　申请公租房的，通过部门间信息共享核验家庭经济状况，无需提供证明。",
    ),
    "RIGHTS-HUKOU": ("第七条　报名参加网格员招聘的，须具有本县户籍。", "第七条　随迁子女入学不受户籍限制。"),
    "RIGHTS-REMEDY": (
        "第十九条　对本决定不服的，不得申请行政复议或者提起行政诉讼。",
        "第十九条　对本决定不服的，可以依法申请行政复议或者提起行政诉讼。",
    ),
    "RIGHTS-COMPULSORY": (
        "第二十一条　辖区内餐饮经营者必须参加区餐饮行业协会组织的培训。",
        "第二十一条　鼓励餐饮经营者自愿参加食品安全培训。",
    ),
    "RIGHTS-PRESUMPTION": (
        "第十五条　未接种疫苗的从业人员，一律不允许上岗。",
        "第十五条　不得以未接种疫苗为由限制从业人员上岗。",
    ),
    "RIGHTS-NEW-DUTY": (
        "第七条　所有经营主体应当每月向街道报送员工花名册和经营数据。",
        "第七条　经营主体可以自愿向街道报送用工需求信息。",
    ),
    "POWER-EXPAND": (
        "第二十二条　执法人员可以随时进入经营者住所进行检查。",
        "第二十二条　执法人员应当出示执法证件。",
    ),
    "POWER-SHED-DUTY": (
        "第二十四条　因企业自身原因造成损失的，本局不承担任何责任。",
        "第二十四条　行政机关违法行使职权造成损害的，依照《中华人民共和国国家赔偿法》承担赔偿责任。",
    ),
    "POWER-MARKET": (
        "第二十六条　行业协会会费标准须报县民政局审批后执行。",
        "第二十六条　行业协会依照章程自主确定会费标准。",
    ),
    "POWER-ISSUER": (
        doc(GOOD_ARTICLES, "某县市场监督管理局综合执法科关于规范农贸市场经营秩序的规定"),
        doc(GOOD_ARTICLES, "某县市场监督管理局关于规范农贸市场经营秩序的规定"),
    ),
    "COMP-DESIGNATED": (
        "第十条　新建住宅小区的智能门禁系统须统一使用县住建局指定的平台。",
        "第十条　使用者可以自主选择符合国家标准的门禁产品。",
    ),
    "COMP-EXCLUSIVE": (
        "第十二条　全县液化石油气配送由县燃气有限公司独家经营。",
        "第十二条　液化石油气配送实行市场化经营。",
    ),
    "COMP-NAMELIST": (
        "第十三条　造价咨询业务须从县财政局中介服务机构名录库中的机构中选择。",
        "第十三条　造价咨询机构由项目单位依法自主选择。",
    ),
    "COMP-LOCAL-FIRST": (
        "第十四条　政府投资工程应当优先采购本地企业生产的建材。",
        "第十四条　鼓励企业采购节能环保产品。",
    ),
    "COMP-NONLOCAL-CONDITION": (
        "第十六条　外地施工企业参与本县投标的，须在本县设立分公司。",
        "第十六条　不得要求外地企业在本地设立分支机构。",
    ),
    "COMP-EXIT": (
        "第十八条　享受奖励的企业十年内不得迁出本县。",
        "第十八条　不得约定企业一定期限内不得迁出。",
    ),
    "COMP-TAX-SUBSIDY": (
        "第十九条　对新落户企业，按其缴纳的增值税地方留成部分的50%给予奖励。",
        "第十九条　严禁违规给予特定经营者税收返还。",
    ),
    "COMP-SELECTIVE-REWARD": (
        "第二十二条　重大招商项目实行一企一策，给予特殊优惠。",
        "第二十二条　对获得国家高新技术企业认定的企业给予奖励，条件向社会公开。",
    ),
    "COMP-PRICE": (
        "第二十五条　农贸市场内蔬菜零售价格不得高于批发价格的130%。",
        "第二十五条　居民用水价格实行政府定价，由县发展改革局依照法定程序核定。",
    ),
    "COMP-MONOPOLY": (
        "第二十四条　县餐饮行业协会组织会员企业统一价格。",
        "第二十四条　行业协会不得组织会员企业统一价格。",
    ),
    "PROC-RETROACTIVE": (
        doc(GOOD_ARTICLES.replace("2024年8月1日", "2024年1月1日")) + "\n某县市场监督管理局\n2024年3月15日",
        doc(GOOD_ARTICLES) + "\n某县市场监督管理局\n2024年7月1日",
    ),
}


def rule_ids(text: str) -> set[str]:
    return {f.rule_id for f in run_rules(parse_text(text, "t.txt"), today=TODAY)}


def test_every_rule_has_examples() -> None:
    # STAT-* findings come from the trained model: tests/unit/rules/test_statistical.py
    assert set(EXAMPLES) == {r for r in RULES_BY_ID if not r.startswith("STAT-")}


@pytest.mark.parametrize("rule_id", sorted(EXAMPLES))
def test_positive_example_is_found(rule_id: str) -> None:
    assert rule_id in rule_ids(EXAMPLES[rule_id][0])


@pytest.mark.parametrize("rule_id", sorted(EXAMPLES))
def test_negative_example_is_clean(rule_id: str) -> None:
    assert rule_id not in rule_ids(EXAMPLES[rule_id][1])


def test_registry_metadata() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for info in RULES:
        assert info.category in CATEGORIES
        assert info.severity in ("error", "warning", "info")
        assert info.title and not info.title.isascii()
        assert "《" in info.basis or "GB/T" in info.basis or "国办发" in info.basis, info.id
        assert "第" in info.basis or "号" in info.basis or "规定" in info.basis, info.id


def test_every_category_has_a_rule() -> None:
    assert {r.category for r in RULES} == set(CATEGORIES)


def test_finding_carries_position_and_message() -> None:
    text = "某县办法\n第一条　甲。\n第二条　对未分类投放垃圾的单位，处1000元罚款。"
    finding = next(f for f in run_rules(parse_text(text, "t.txt"), today=TODAY) if f.rule_id == "SUB-PENALTY")
    assert finding.paragraph == 2
    assert text.splitlines()[2][finding.start :].startswith(finding.text)
    assert finding.category == "penalty" and finding.severity == "error"
    assert "行政处罚法" in finding.basis and finding.suggestion
    assert finding.to_dict()["rule_id"] == "SUB-PENALTY"


def test_repeal_not_yet_in_force_is_not_flagged() -> None:
    text = "第十条　依照《中华人民共和国物权法》办理。"
    assert "CITE-REPEALED" not in {
        f.rule_id for f in run_rules(parse_text(text, "t.txt"), today=date(2020, 6, 1))
    }


def test_citation_message_states_catalog_date() -> None:
    text = "第十条　依照《合同法》办理。"
    (finding,) = [
        f for f in run_rules(parse_text(text, "t.txt"), today=TODAY) if f.rule_id == "CITE-REPEALED"
    ]
    assert "法律状态目录截至" in finding.message and "民法典" in finding.message


def test_list_item_inherits_authority_from_lead_in() -> None:
    text = (
        "第二十条　有下列行为之一的，依照《城市市容和环境卫生管理条例》第三十四条的规定处罚：\n"
        "（一）随地吐痰的，处以罚款；\n（二）乱扔纸屑的，处以罚款。"
    )
    assert "SUB-PENALTY" not in rule_ids(text)
    assert "SUB-PENALTY" in rule_ids("第二十条　有下列行为之一的，处以罚款：\n（一）随地吐痰的，处以罚款；")


def test_scopes_and_rule_ids_narrow_the_run() -> None:
    parsed = parse_text(EXAMPLES["FORM-NO-BASIS"][0], "t.txt")
    assert not run_rules(parsed, today=TODAY, scopes=("clause",))
    assert run_rules(parsed, today=TODAY, rule_ids=["FORM-NO-BASIS"])
