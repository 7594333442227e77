"""Power: adding powers to administrative organs, handing enforcement to bodies that have none,
shedding statutory duties, regulating what belongs to the market or to self-regulation, and an issuer
that may not issue (国办发〔2018〕37号（一））."""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewkit.rules.context import DEFAULT_NEGATION, Pattern, as_rules, compile_all
from reviewkit.rules.document import ParsedDocument
from reviewkit.rules.model import Context, Finding, Rule, RuleInfo

GB37_1 = "国办发〔2018〕37号（一）"
BIZ64 = "《优化营商环境条例》第六十四条"

POWER_EXPAND = Pattern(
    RuleInfo(
        "POWER-EXPAND",
        "增设行政机关权力",
        "power",
        "error",
        f"{GB37_1}；《中华人民共和国宪法》第三十九条、第四十条；《中华人民共和国商业银行法》第二十九条、第三十条；"
        "《中华人民共和国行政处罚法》第二十条（委托）",
    ),
    message="该条款在法律、法规之外为行政机关增设了检查、调查或处置权力，或把执法权交给无权主体",
    suggestion="删除增设的权力；确有依据的，写明法律、法规条款，并限定在法定范围内。",
    patterns=compile_all(
        r"(?:进入|搜查|检查)[^。；，]{0,10}?(?:住宅|住所|居所|民宅|私人)",
        r"(?:查阅|检查|调取|查看)[^。；，]{0,6}?(?:通讯|通信|聊天记录|手机|私人信件)",
        r"(?:调取|查询|查看|获取)[^。；，]{0,8}?(?:银行账户|存款|银行流水|交易记录|支付记录|微信|支付宝|通话记录|聊天记录|行踪轨迹|位置信息)",
        r"(?:授权|委托)(?:企业|协会|个人|中介|第三方|物业|保安|志愿者)[^。；，]{0,10}?(?:行使|实施|开展)[^。；，]{0,6}?(?:执法|处罚|检查|强制)",
        r"由(?:各)?(?:村(?:民)?委(?:员)?会|居(?:民)?委(?:员)?会|社区|[\u4e00-\u9fa5]{0,10}?(?:协会|商会)|物业(?:服务企业|公司)?)[^。；，]{0,8}?"
        r"(?:组织)?(?:捕捉|扑杀|没收|查处|罚款|强制|拆除|扣押|执法)",
        r"(?:授权|委托|交由)[^。；，]{0,12}?(?:公司|企业|协会|商会|个人|中介|第三方|物业|保安|志愿者|网格员)[^。；，]{0,16}?(?:查处|处罚|罚款|执法|强制|扣押|没收)",
        r"(?:村民委员会|村委会|居民委员会|居委会|社区|网格员|协会|商会|物业服务企业|物业公司)[^。；，]{0,16}?"
        r"(?:处以|给予|予以|开展|进行|可以)?(?:罚款|没收|责令停|行政检查|行政处罚|查处|执法检查)",
        # subject + act: whoever is not an administrative organ (物业、村/居委会、社区、网格员、协会、商会、保安)
        # may not inspect, order, seize or sanction (行政处罚法第十七至二十一条; 行政强制法第十七条 — articles
        # cited from memory, not checked against the text)
        # (no leading wildcard: the subject starts at its head noun, which keeps this cheap on every paragraph)
        r"(?:物业服务企业|物业公司|物业|村(?:（居）)?(?:民)?委(?:员)?会|居(?:民)?委(?:员)?会|社区|网格员|协会|商会|"
        r"保安(?:公司|人员)?|志愿者|业主委员会|协管员|协管人员|辅警|市场开办方|市场开办者|开办方|公司[\u4e00-\u9fa5]{0,4}人员)"
        r"[^。；]{0,30}?(?:可以|有权|负责|予以|实施|进行|可)[^。；]{0,16}?"
        r"(?:责令|扣押|暂扣|没收|罚款|罚单|处以|查处|查验|检查|审验|评定|通报|劝离|清退|扣减|锁车|拖移|强制|处罚|违约金|停业|停工|查封|"
        r"停止其经营|停止经营)",
        # an internal unit, an office or a coordinating body that decides sanctions in its own name
        r"(?:文明办|创建办|办公室|领导小组|指挥部|联席会议|执法中队|执法大队|中队)[^。；]{0,20}?"
        r"(?:有权|可以|直接|负责)[^。；]{0,16}?(?:作出|给予|实施)?[^。；，]{0,6}?(?:处罚决定|处理决定|吊销|罚款|监督检查)",
        r"(?:授权|委托|交由|下放给?)(?:各)?(?:镇街|镇(?:人民政府)?|街道(?:办事处)?|乡镇(?:人民政府)?|村(?:民)?委(?:员)?会|居(?:民)?委(?:员)?会|社区|[\u4e00-\u9fa5]{0,10}?(?:协会|商会))"
        r"[^。；，]{0,12}?(?:实施|负责|开展|进行|作出|行使)?[^。；，]{0,6}?(?:行政处罚|罚款|处罚|执法|查处|强制拆除|没收|扣押|暂扣|吊销|收缴)",
    ),
    keywords=(
        "住宅",
        "住所",
        "居所",
        "民宅",
        "私人",
        "通讯",
        "通信",
        "聊天",
        "手机",
        "银行",
        "存款",
        "授权",
        "委托",
        "交由",
        "下放",
        "镇",
        "街道",
        "村",
        "居委会",
        "社区",
        "协会",
        "商会",
        "物业",
        "网格员",
        "保安",
        "志愿者",
        "业主委员会",
        "协管",
        "辅警",
        "开办",
        "公司",
        "文明办",
        "创建办",
        "办公室",
        "领导小组",
        "指挥部",
        "联席会议",
        "中队",
        "大队",
        "交易记录",
        "支付",
        "微信",
        "通话",
        "行踪",
        "位置信息",
    ),
    negation=re.compile(DEFAULT_NEGATION.pattern + r"|经[^。；，]{0,8}同意"),
    exclude=re.compile(r"协助|配合|报告|移交|依照章程|依据章程|自律管理|自律检查|劝阻|以自己的名义"),
)

POWER_SHED = Pattern(
    RuleInfo("POWER-SHED-DUTY", "减少法定职责或推卸责任", "power", "warning", GB37_1),
    message="该条款免除或转移了行政机关的法定职责或责任",
    suggestion="删除免责或转移职责的表述，明确本机关依法承担的职责。",
    patterns=compile_all(
        r"(?:本局|本机关|行政机关|政府|主管部门|管理部门|本单位|我局|我委|本部门)[^。；，]{0,10}?(?:不承担|不负|概不负责|免除|不再承担|不予承担)[^。；，]{0,8}?(?:任何)?(?:责任|义务|赔偿)",
        r"后果自负|概不负责|一切后果由[^。；，]{0,8}?(?:自行)?承担",
        r"由(?:企业|申请人|社会组织|第三方|物业|村委会|居委会|行业协会)[^。；，]{0,6}?(?:负责|承担)[^。；，]{0,8}?(?:监管|执法|审批|监督检查)(?:职责|工作)",
        r"(?:物业服务企业|物业公司|物业|村民委员会|居民委员会|村委会|居委会|行业协会|第三方|社会组织|保安公司)[^。；，]{0,6}?(?:负责|承担|实施)[^。；，]{0,16}?(?:执法|查处|行政处罚|行政检查)(?:职责|工作)?",
    ),
    keywords=("不承担", "不负", "负责", "免除", "自负", "承担"),
    negation=re.compile(DEFAULT_NEGATION.pattern + r"|依法承担"),
)

POWER_MARKET = Pattern(
    RuleInfo("POWER-MARKET", "干预市场主体自主经营或社会自治事项", "power", "error", f"{GB37_1}；{BIZ64}"),
    message="该条款规定了应由市场调节、企业和社会自律或公民自我管理的事项（如经营时间、内部管理、协会会费、自治组织决定）",
    suggestion="删除对企业经营自主权和社会自治事项的干预，改为引导、服务性表述。",
    patterns=compile_all(
        r"(?:营业时间|经营时间|经营范围|经营方式|内部管理|用工|薪酬|工资标准|人事|招聘|股权|利润分配)[^。；，]{0,12}?"
        r"(?:须|应当|必须)?(?:由|经|报经|报)[^。；，]{0,10}?(?:批准|确定|审定|核定|同意|决定)",
        r"(?:行业协会|商会|业主大会|业主委员会|村民委员会|居民委员会)[^。；，]{0,10}?(?:会费|章程|负责人|换届|选举|决议|决定|候选人|成员|人选|主任)[^。；，]{0,10}?"
        r"(?:须|应当|必须)?(?:报|经|由)[^。；，]{0,8}?(?:批准|审批|同意|审定|任命|确定|指定)",
        r"统一(?:规定|确定)[^。；，]{0,6}?(?:营业时间|经营时间|薪酬标准|工资标准)|(?:营业时间|经营时间)[^。；，]{0,4}?(?:统一|一律)(?:规定|确定|调整)?为",
    ),
    keywords=(
        "营业时间",
        "经营时间",
        "经营范围",
        "经营方式",
        "内部管理",
        "用工",
        "薪酬",
        "工资",
        "人事",
        "招聘",
        "股权",
        "利润",
        "协会",
        "商会",
        "业主",
        "村民委员会",
        "居民委员会",
    ),
    negation=re.compile(DEFAULT_NEGATION.pattern + r"|自主|依法"),
    exclude=re.compile(r"自主|指导|引导|备案"),
)

_INTERNAL_ISSUER = re.compile(
    r"(?:领导小组|指挥部|工作组|联席会议|专班|小组办公室|委员会办公室)$|"
    r"(?:局|厅|委|部|中心|院)[\u4e00-\u9fa5]{1,8}(?:科|股|处|室|办公室)$"
)


def check_issuer(doc: ParsedDocument, ctx: Context) -> Iterator[Finding]:
    issuer = doc.issuing_body
    if issuer and _INTERNAL_ISSUER.search(issuer):
        where = doc.title_paragraph
        yield ISSUER.finding(
            where,
            issuer,
            f"发文主体“{issuer}”为内设机构、临时机构或议事协调机构，不得制发行政规范性文件",
            suggestion="改以本机关名义制发，或提请本级人民政府（部门）制发。",
            start=doc.paragraphs[where].text.find(issuer) if where is not None else -1,
        )


ISSUER = Rule(
    RuleInfo("POWER-ISSUER", "发文主体不适格", "power", "error",
             "国办发〔2018〕37号（一）（严禁以部门内设机构名义制发行政规范性文件）；"
             "议事协调机构、临时机构：各省行政规范性文件管理规定（37号本身只列内设机构）", "document"),
    check_issuer,
)  # fmt: skip

POWER_RULES = [*as_rules([POWER_EXPAND, POWER_SHED, POWER_MARKET]), ISSUER]
