"""Signals generalised in the third round of issue #17 (dev set tests/corpus/constructed_issue17c.toml):
each with a clause it must find and a look-alike it must leave alone."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest

from reviewkit.documents import parse_text
from reviewkit.rules import run_rules
from reviewkit.rules.catalog import bundled_catalog_dir

TODAY = date(2026, 12, 5)


def found(text: str) -> set[str]:
    doc = parse_text(text, "t.txt")
    return {f.rule_id for f in run_rules(doc, today=TODAY, scopes=("clause",), statistical=False)}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        # permit: a time adverbial or an object between the modal and 报; 验收/审定 as approvals
        ("第八条　举办展销会的，主办单位应当在开幕五日前报县商务局核准。", "SUB-PERMIT"),
        ("第九条　招生前，民办学校须将招生简章报县教育局审定。", "SUB-PERMIT"),
        ("第七条　充电桩经营网点须经县住建局验收合格并挂牌后方可营业。", "SUB-PERMIT"),
        # penalty: a suspension for a stated time, 责令其停业, 注销经营资格
        ("第十五条　违反本办法的，暂停营运十五日。", "SUB-PENALTY"),
        ("第十六条　拒不整改的，责令其停业整顿。", "SUB-PENALTY"),
        ("第十七条　连续两次考核不合格的，注销其经营资格。", "SUB-PENALTY"),
        # coercion: the authority removes, clears or seals by itself
        ("第十二条　对违法搭建的棚屋，街道可以组织人员直接拆除。", "SUB-COERCION"),
        ("第十一条　对非法加工点，执法部门可以采取加贴封条、切断电源等措施。", "SUB-COERCION"),
        ("第十三条　违规设置的广告牌，由城管部门直接清运。", "SUB-COERCION"),
        # fee implied by a receipt
        ("第十四条　被拖移的车辆，车主凭缴费凭证领回。", "SUB-FEE"),
        # rights
        ("第十条　逾期未提出异议的，视同放弃异议权利。", "RIGHTS-PRESUMPTION"),
        ("第九条　拒不参加义务植树的村民，取消其当年的各项补贴。", "RIGHTS-PRESUMPTION"),
        ("第十一条　受过行政处罚的人员，五年内不得报考本县事业单位。", "RIGHTS-BLACKLIST"),
        ("第十四条　欠缴罚款的，其法定代表人被限制高消费。", "RIGHTS-BLACKLIST"),
        ("第十三条　网约车平台企业应当每日向市交通运输局推送驾驶员身份信息。", "RIGHTS-NEW-DUTY"),
        # power: a body that is not an administrative organ inspects, orders or sanctions
        ("第十三条　县餐饮行业协会负责对会员单位进行检查，对不合格的予以通报。", "POWER-EXPAND"),
        ("第十二条　物业公司对违规搭建的业主，可以责令停工。", "POWER-EXPAND"),
        ("第十五条　村（居）民委员会可以对乱堆乱放的村民处以罚款。", "POWER-EXPAND"),
        # competition
        ("第五条　小区的二次供水设施移交县供水公司统一管理，业主不得另行委托。", "COMP-DESIGNATED"),
        ("第四条　县级政府投资项目的施工图审查，委托县建筑设计院承担。", "COMP-DESIGNATED"),
        ("第六条　城区共享单车运营企业限定为一家。", "COMP-EXCLUSIVE"),
        ("第十二条　给予入驻企业的场地补贴，按照企业对本级财政的贡献确定。", "COMP-TAX-SUBSIDY"),
        ("第十一条　投标人在上虞区有同类业绩的，每项加2分。", "COMP-NONLOCAL-CONDITION"),
        # second development round (constructed_issue17d)
        ("第七条　参加本县政府采购的供应商，须在县内拥有固定办公场所。", "COMP-NONLOCAL-CONDITION"),
        ("第九条　对总部设在鄞州区的企业，按其营业收入给予奖励。", "COMP-NONLOCAL-CONDITION"),
        ("第十条　非本市注册的施工企业进入本市，须另行备案。", "COMP-NONLOCAL-CONDITION"),
        ("第十二条　外地水果进入本县市场，须经本县检测机构复检。", "COMP-NONLOCAL-CONDITION"),
        ("第十三条　优先选用本区企业的产品。", "COMP-LOCAL-FIRST"),
        ("第八条　各学校的校车服务只能交由县公交公司承担。", "COMP-DESIGNATED"),
        ("第十四条　全县公共自行车系统由县城投集团一家运营。", "COMP-DESIGNATED"),
        ("第十五条　职工体检由县卫健局与一家体检机构签订协议后统一组织。", "COMP-EXCLUSIVE"),
        ("第十六条　全市停车泊位经营权整体出让给市停车管理公司。", "COMP-EXCLUSIVE"),
        ("第十七条　入驻企业须承诺十年内税收关系保留在本县。", "COMP-EXIT"),
        ("第十八条　企业搬离本县的，由县财政局追缴已拨付的奖补资金。", "COMP-EXIT"),
        ("第十九条　扶持资金按照企业上一年度实缴税收的5%核定。", "COMP-TAX-SUBSIDY"),
        ("第十条　经营者应当将经营情况每月向市场管理办公室书面报告。", "RIGHTS-NEW-DUTY"),
        ("第十二条　拒绝签订搬迁协议的住户，停止为其办理户籍迁移手续。", "RIGHTS-UNRELATED-REFUSAL"),
        ("第十一条　未缴清物业费的业主，其子女不得在本镇学校就读。", "RIGHTS-UNRELATED-REFUSAL"),
        ("第九条　从事洗车经营的，应当经县城管局考核评定后方可营业。", "SUB-PERMIT"),
        ("第八条　开办民宿的，由所在村委会签署意见后，方可申请登记。", "SUB-PERMIT"),
        ("第十五条　业主委员会对违反管理规约的业主，可以处以罚款。", "POWER-EXPAND"),
        # third development round (constructed_issue17e): power, coercion, rights
        ("第十八条　交通协管员可以对违停车辆开具罚单。", "POWER-EXPAND"),
        ("第十九条　市场开办方可以没收经营户的过期商品。", "POWER-EXPAND"),
        ("第二十条　税务部门可以调取纳税人的支付宝交易记录。", "POWER-EXPAND"),
        ("第二十四条　对违反本办法的行为，由县创建办公室直接作出处罚决定。", "POWER-EXPAND"),
        ("第二十七条　对拒不整改的商户，可以采取停止其水、电供应等措施。", "SUB-COERCION"),
        ("第二十八条　对疫点，动物卫生监督机构可以实施封锁。", "SUB-COERCION"),
        ("第二十九条　对违停的货车，执法人员可以将车辆拖至停车场。", "SUB-COERCION"),
        ("第三十条　对改装的电动三轮车，予以收缴。", "SUB-COERCION"),
        ("第十七条　匿名举报的，一律不予受理。", "RIGHTS-UNRELATED-REFUSAL"),
        ("第十二条　未报名的，不得在听证会上发言。", "RIGHTS-UNRELATED-REFUSAL"),
        ("第十六条　企业招聘员工，应当优先招用本市户籍人员。", "RIGHTS-HUKOU"),
        ("第八条　外来务工人员租房的，须缴纳治安押金。", "RIGHTS-HUKOU"),
        ("第九条　城区居民每户限养一只犬。", "RIGHTS-PRESUMPTION"),
        ("第十四条　未签署承诺书的商户，不予续租摊位。", "RIGHTS-PRESUMPTION"),
        ("第十条　网吧经营者对顾客在店内的打架斗殴行为承担连带管理责任。", "RIGHTS-NEW-DUTY"),
        ("第十一条　房东应当向社区报告租客的婚育情况。", "RIGHTS-NEW-DUTY"),
        ("第十五条　企业负责人出境须事先报县公安局备案。", "RIGHTS-NEW-DUTY"),
        ("第十三条　不参加村集体义务劳动的，按天折算收取误工费。", "RIGHTS-COMPULSORY"),
    ],
)
def test_generalised_signals_find(text: str, rule: str) -> None:
    assert rule in found(text)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("第八条　申请人应当在开业前完成消防安全自查。", "SUB-PERMIT"),
        ("第二十七条　业主委员会的换届选举结果须报街道办事处审定。", "SUB-PERMIT"),  # POWER-MARKET's
        (
            "第二十二条　违反本办法，应当给予行政处罚的，由有关部门依照相关法律、法规的规定处理。",
            "SUB-PENALTY",
        ),
        ("第七条　供水企业因管网维修需要停止供水的，应当提前24小时通知用户。", "SUB-COERCION"),
        ("第十条　经营者应当及时清除门前积雪。", "SUB-COERCION"),
        ("第十一条　对取得奖补资金后不履行投资协议的企业，按照协议约定追回资金。", "RIGHTS-PRESUMPTION"),
        ("第十五条　网格员发现安全隐患的，应当及时向镇街报告。", "POWER-EXPAND"),
        ("第十三条　物业服务企业发现违规装修的，应当予以劝阻，并报告有关部门。", "POWER-EXPAND"),
        ("第八条　行业协会可以依照章程对会员进行自律检查。", "POWER-EXPAND"),
        ("第十八条　政府投资的公共停车场，通过公开招标方式选择运营单位。", "COMP-DESIGNATED"),
        (
            "第二十三条　鼓励企业在本县设立研发中心，对经认定的省级研发中心给予一次性奖励。",
            "COMP-NONLOCAL-CONDITION",
        ),
        ("第二十条　政府采购项目的采购需求不得指定特定品牌或者供应商。", "COMP-DESIGNATED"),
        ("第二十三条　医疗机构应当将医疗废物交由取得经营许可证的集中处置单位处置。", "SUB-PERMIT"),
        ("第十条　未办理居住登记的外来人员，其子女不得在本镇学校就读。", "SUB-PERMIT"),  # a rights matter
        (
            "第二十二条　按照统一标准给予奖励，不区分企业注册地，对总部设在本县的企业同等适用。",
            "COMP-NONLOCAL-CONDITION",
        ),
        ("第二十四条　企业应当每年向登记机关报送年度报告。", "RIGHTS-NEW-DUTY"),
        ("第二十五条　企业迁出本县的，有关部门应当依法为其办理相关手续，不得设置障碍。", "COMP-EXIT"),
        ("第二十一条　可以选择一家或者多家银行开立账户。", "COMP-EXCLUSIVE"),
        ("第三十四条　城管协管员协助执法人员开展巡查，发现违法行为的，应当及时报告。", "POWER-EXPAND"),
        ("第三十六条　镇人民政府依照省人民政府的决定，以自己的名义行使相关行政处罚权。", "POWER-EXPAND"),
        ("第四十一条　行业协会可以制定自律公约，引导会员诚信经营。", "POWER-EXPAND"),
        ("第三十八条　县人民政府依照《中华人民共和国动物防疫法》的规定划定疫区，实施封锁。", "SUB-COERCION"),
        ("第三十三条　举报人可以实名举报，也可以匿名举报。", "RIGHTS-UNRELATED-REFUSAL"),
        ("第三十九条　外来人员应当依法办理居住登记。", "RIGHTS-HUKOU"),
        ("第四十条　企业依法自主招用员工，不得设置户籍、性别等歧视性条件。", "RIGHTS-HUKOU"),
        ("第四十三条　经营者对经营场所内发生的损害依法承担责任。", "RIGHTS-NEW-DUTY"),
        ("第十二条　工作人员出国须事先报组织人事部门审批。", "RIGHTS-NEW-DUTY"),
        ("第十三条　低保申请人应当如实提供家庭收入情况。", "RIGHTS-NEW-DUTY"),
    ],
)
def test_look_alikes_stay_clean(text: str, rule: str) -> None:
    assert rule not in found(text)


def test_second_repeal_list_flags_old_citations_with_successor() -> None:
    doc = parse_text("第九条　扰乱市场秩序的，依照《中华人民共和国治安管理处罚条例》处理。", "t.txt")
    hits = [
        f
        for f in run_rules(doc, today=TODAY, scopes=("clause",), statistical=False)
        if f.category == "citation"
    ]
    assert hits and "治安管理处罚法" in hits[0].message


def test_every_catalog_entry_says_whether_it_was_checked() -> None:
    data = tomllib.loads((bundled_catalog_dir() / "repealed_2.toml").read_text(encoding="utf-8"))
    assert data["as_of"] and len(data["law"]) >= 30
    assert all(str(law["note"]).startswith(("checked", "memory")) for law in data["law"])
