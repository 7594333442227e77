"""Rights and power: reducing rights or adding duties without basis; adding powers, shedding duties,
regulating what belongs to the market or to self-regulation; an issuer that may not issue."""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewkit.rules.context import DEFAULT_NEGATION, Pattern, as_rules, compile_all
from reviewkit.rules.document import ParsedDocument
from reviewkit.rules.model import Context, Finding, Rule, RuleInfo

GB37_1 = "国办发〔2018〕37号（一）"
BIZ64 = "《优化营商环境条例》第六十四条"

UNRELATED_REFUSAL = Pattern(
    RuleInfo("RIGHTS-UNRELATED-REFUSAL", "以无关事项限制办理", "rights", "error", f"{GB37_1}；{BIZ64}"),
    message="该条款把办理事项与无关的欠费、家属或其他事项挂钩（不予办理/暂停办理），减损了当事人的合法权益",
    suggestion="删除与办理事项无关的限制条件；确有法律依据的，写明依据。",
    patterns=compile_all(
        r"(?:拖欠|欠缴|未缴清|未交清|未缴纳|欠费|未结清|子女|配偶|父母|家属|亲属|直系|未参加|未签订|未完成|未捐|超生|"
        r"违反计划生育|未接种|信访|上访|未履行[^。；，]{0,6}义务)[^。；]{0,40}?"
        r"(?:不予|暂停|停止|不得|暂缓|限制|拒绝)(?:为其)?(?:办理|受理|审批|批准|登记|发放|核发|办证|落户|入学|评定|颁发|享受|提供)",
    ),
    keywords=("不予", "暂停", "停止", "不得", "暂缓", "限制", "拒绝"),
    negation=re.compile(r"不得以|不得将|不得因|严禁以|禁止以|不以"),
    exclude=re.compile(r"不得以|不得将|不得因|严禁以|禁止以|不以|不作为"),
)

BLACKLIST = Pattern(
    RuleInfo(
        "RIGHTS-BLACKLIST",
        "无依据设定黑名单或失信惩戒",
        "rights",
        "error",
        "《国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见》（国办发〔2020〕49号）；"
        + GB37_1,
    ),
    message="该条款设定了黑名单、失信惩戒或联合惩戒措施，失信惩戒须有法律、法规或党中央、国务院政策文件依据",
    suggestion="删除该惩戒措施，或写明所依据的法律、法规条款，并严格限定在依据范围内。",
    patterns=compile_all(
        r"(?:列入|纳入|记入|列为)[^。；，]{0,10}?(?:黑名单|失信(?:名单|主体|被执行人名单|企业名单)|不良(?:信用)?记录名单|严重失信)",
        r"(?:实施|实行|开展|予以|进行)?(?:联合惩戒|失信惩戒|信用惩戒)",
        r"(?:[一二三四五六七八九十\d]+年内)(?:不得|禁止|限制)[^。；，]{0,10}?(?:参加|参与|申报|享受|申请|承揽|承接|投标|进入|从事)",
        r"(?:认定为|视为|作为)[^。；，]{0,4}?失信(?:行为|主体|企业|单位|人员|记录)",
        r"(?:记入|纳入|录入|列入)[^。；，]{0,8}?(?:信用档案|诚信档案|信用记录|不良(?:信用)?记录|失信记录)",
    ),
    keywords=("黑名单", "失信", "不良", "惩戒", "年内", "信用档案", "诚信档案", "信用记录"),
    negation=re.compile(DEFAULT_NEGATION.pattern + r"|移出|修复|退出"),
    exclude=re.compile(r"信用修复|移出名单|不得擅自|规范失信"),
)

EXTRA_CERTIFICATE = Pattern(
    RuleInfo("RIGHTS-EXTRA-CERTIFICATE", "要求提供循环、重复或无谓证明", "rights", "warning", GB37_1),
    message="该条款要求申请人提供由社区、单位或其他机关出具的证明，可能属于循环证明、重复证明或无谓证明",
    suggestion="删除该证明要求，改为部门间信息共享核验或申请人书面承诺（告知承诺）。",
    patterns=compile_all(
        r"(?:须|需|需要|应当|必须|还应|另需|并|要求)[^。；，]{0,8}?(?:提供|提交|出具|开具|附)[^。；，]{0,24}?"
        r"(?:社区|居委会|居民委员会|村委会|村民委员会|街道|乡镇|派出所|原籍|户籍所在地|无犯罪|无违法|无欠|未婚|婚姻状况|"
        r"亲属关系|健在|生存|无房|无纠纷|经济困难|收入|工作单位|所在单位|原单位|无违纪|离职)[^。；，]{0,12}?证明",
    ),
    keywords=("证明",),
    negation=re.compile(DEFAULT_NEGATION.pattern + r"|免提交|不需"),
    exclude=re.compile(r"告知承诺|承诺制|信息共享|自行核验|通过[^。；，]{0,10}核验"),
)

HUKOU = Pattern(
    RuleInfo(
        "RIGHTS-HUKOU", "设置户籍限制条件", "rights", "error", f"{GB37_1}；《中华人民共和国就业促进法》第三条"
    ),
    message="该条款以本地户籍作为办理、享受或参加的条件，无法律依据地减损了非本地户籍人员的权利",
    suggestion="删除户籍限制，改为以居住证、实际居住或社保缴纳等与事项相关的条件。",
    patterns=compile_all(
        r"(?:具有|具备|持有|须为|须是|须有|限于|仅限|限|应当具有|应为|必须为|必须具有)[^。；，]{0,8}?(?:户籍|户口)",
        r"(?:本地|本市|本县|本区|本省|当地|城镇|农业|非农业)(?:常住)?(?:户籍|户口)[^。；，]{0,8}?(?:方可|才能|优先|为限|者)",
    ),
    keywords=("户籍", "户口"),
    negation=re.compile(DEFAULT_NEGATION.pattern + r"|不受|不设|放宽|不限|不以|不论|不分"),
    exclude=re.compile(
        r"居住证|非(?:本[县市区省]|本地)?户籍|不受户籍|不设户籍|不以户籍|取消户籍|放开户籍|户籍制度改革|不限户籍|不论户籍|户籍所在地证明"
    ),
)

REMEDY = Pattern(
    RuleInfo(
        "RIGHTS-REMEDY",
        "限制申请复议、提起诉讼或申诉的权利",
        "rights",
        "error",
        "《中华人民共和国行政复议法》第二条；《中华人民共和国行政诉讼法》第二条",
    ),
    message="该条款限制或排除了当事人申请行政复议、提起行政诉讼或申诉的权利",
    suggestion="删除该限制，并告知当事人依法申请行政复议或者提起行政诉讼的途径和期限。",
    patterns=compile_all(
        r"(?:不得|不能|不允许|不予受理|不再受理)(?:申请|提起|提出)?(?:行政复议|行政诉讼|复议|诉讼|申诉)",
        r"放弃[^。；，]{0,6}?(?:复议|诉讼|申诉)(?:权)?",
        r"(?:为|是)(?:最终|终局)(?:裁决|决定|处理)",
    ),
    keywords=("复议", "诉讼", "申诉", "最终", "终局"),
    negation=None,
    exclude=re.compile(r"打击报复|阻挠|不得因[^。；]{0,10}(?:复议|诉讼)|法律规定|法律另有规定|依法"),
    authority="none",
)

PRESUMPTION = Pattern(
    RuleInfo(
        "RIGHTS-PRESUMPTION", "以推定或无关条件剥夺权利、增加义务", "rights", "error", f"{GB37_1}；{BIZ64}"
    ),
    message="该条款以“一律视为”等推定方式剥夺当事人权利，或以接种、签约等条件限制上岗、入学、居住等权利，缺乏法律依据",
    suggestion="删除推定失权和附加条件；确有法律依据的，写明依据并保留当事人陈述、申辩和救济的途径。",
    patterns=compile_all(
        r"(?:一律|均|即)?视为(?:自动)?(?:放弃|同意|认可|默认|违约|自愿|撤回|退出|弃权)",
        r"未(?:接种|参加|完成|签订|缴纳|办理|提供|签署)[^。；]{0,24}?(?:不允许|不得|不准|一律不|禁止|不予)(?:其)?(?:上岗|入校|入学|入园|返岗|复工|入住|就业|务工|参加|出行|返乡|办理)",
    ),
    keywords=("视为", "未接种", "未参加", "未完成", "未签订", "未缴纳", "未办理", "未提供", "未签署"),
    negation=re.compile(r"不得以|不得将|不得因|严禁以|禁止以|不以|不视为"),
    exclude=re.compile(r"不得以|不得将|不得因|严禁以|禁止以|不以|法律另有规定|逾期未[^。；]{0,10}?视为撤回(?:申请)?"),
)

COMPULSORY = Pattern(
    RuleInfo(
        "RIGHTS-COMPULSORY", "强制参加培训、投保、入会或认购", "rights", "warning", f"{GB37_1}；{BIZ64}"
    ),
    message="该条款无依据地给当事人增加了参加培训、购买保险、加入协会或订阅报刊等义务",
    suggestion="删除强制性要求，改为自愿；确有法律依据的，写明依据。",
    patterns=compile_all(
        r"(?:必须|须|应当|一律|统一)(?:参加|购买|投保|加入|订阅|认购)[^。；，]{0,12}?(?:培训|保险|协会|商会|报刊|会员|杂志)",
    ),
    keywords=("参加", "购买", "投保", "加入", "订阅", "认购"),
    exclude=re.compile(r"工作人员|公职人员|干部|职工|自愿|交通事故责任强制保险|工伤保险|社会保险"),
)

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
        r"(?:调取|查询)[^。；，]{0,8}?(?:银行账户|存款|银行流水)",
        r"(?:授权|委托)(?:企业|协会|个人|中介|第三方|物业|保安|志愿者)[^。；，]{0,10}?(?:行使|实施|开展)[^。；，]{0,6}?(?:执法|处罚|检查|强制)",
        r"(?:授权|委托|交由|下放给?)(?:各)?(?:镇街|镇(?:人民政府)?|街道(?:办事处)?|乡镇(?:人民政府)?|村(?:民)?委(?:员)?会|居(?:民)?委(?:员)?会|社区|行业协会|协会|商会)"
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
    ),
    negation=re.compile(DEFAULT_NEGATION.pattern + r"|经[^。；，]{0,8}同意"),
)

POWER_SHED = Pattern(
    RuleInfo("POWER-SHED-DUTY", "减少法定职责或推卸责任", "power", "warning", GB37_1),
    message="该条款免除或转移了行政机关的法定职责或责任",
    suggestion="删除免责或转移职责的表述，明确本机关依法承担的职责。",
    patterns=compile_all(
        r"(?:本局|本机关|行政机关|政府|主管部门|管理部门|本单位|我局|我委|本部门)[^。；，]{0,10}?(?:不承担|不负|概不负责|免除|不再承担|不予承担)[^。；，]{0,8}?(?:任何)?(?:责任|义务|赔偿)",
        r"后果自负|概不负责|一切后果由[^。；，]{0,8}?(?:自行)?承担",
        r"由(?:企业|申请人|社会组织|第三方|物业|村委会|居委会|行业协会)[^。；，]{0,6}?(?:负责|承担)[^。；，]{0,8}?(?:监管|执法|审批|监督检查)(?:职责|工作)",
        r"(?:物业服务企业|物业公司|物业|村民委员会|居民委员会|村委会|居委会|行业协会|第三方|社会组织|保安公司)[^。；，]{0,6}?(?:负责|承担|实施)[^。；，]{0,12}?(?:执法|查处|行政处罚|行政检查)(?:职责|工作)?",
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

RIGHTS_RULES = as_rules([UNRELATED_REFUSAL, BLACKLIST, EXTRA_CERTIFICATE, HUKOU, REMEDY, COMPULSORY, PRESUMPTION])
POWER_RULES = [*as_rules([POWER_EXPAND, POWER_SHED, POWER_MARKET]), ISSUER]
