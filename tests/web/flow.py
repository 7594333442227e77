"""The demo case's path through the workbench, shared by the HTTP test and the browser test: who acts
at each gate, what they upload, what they decide (after ``services.demo.SCRIPT``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from reviewkit.settings import get_settings

PIN = "246813"
SAMPLE_USERS = ("zhangwei", "lihua", "wangfang", "sunli", "zhaomin", "chenjun", "liuyang", "admin")


@dataclass(frozen=True)
class Step:
    stage: str
    user: str
    decision: str
    opinion: str
    facts: str = ""
    upload_version: str | None = None  # a sample draft submitted before deciding
    attach: str | None = None  # a material uploaded before deciding
    comments_csv: bool = False


def samples() -> Path:
    return get_settings().templates_dir / "samples"


def consultation_facts() -> str:
    from reviewkit.services.kernel import local_today

    today = local_today()
    return "\n".join(
        [
            f"consultation_start={(today - timedelta(days=42)).isoformat()}",
            f"consultation_end={(today - timedelta(days=10)).isoformat()}",
            "market_players_consulted=书面征求县政府采购协会及5家采购代理机构意见，召开座谈会1次",
        ]
    )


COMMENTS_CSV = """条款,意见提出人,类别,意见内容,采纳情况,理由,收到日期
第四条,县政府采购协会,行业协会,要求优先选择本县注册纳税的代理机构，限制外地机构平等参与，建议删除。,采纳,,
第九条,县档案馆,部门,采购文件保存期限建议延长至二十年。,不予采纳,政府采购法第四十二条规定保存期限为从采购结束之日起至少十五年，本办法与上位法一致。,
"""


def steps() -> list[Step]:
    """The demo script's path (``services.demo.SCRIPT``, issue #16 order: 风险评估 by the drafting unit before
    consultation; the 审核机构's sunli reviews)."""
    return [
        Step(
            "drafting",
            "zhangwei",
            "提交",
            "送审稿及起草说明已齐备，提请审核。",
            attach="起草说明",
            facts="legal_basis=《中华人民共和国政府采购法》第十三条、第十九条",
        ),
        Step("risk_assessment", "lihua", "评估完成", "实施风险低，已制定舆情应对预案。"),
        Step(
            "consultation",
            "lihua",
            "征求意见完成",
            "已公开征求意见30日以上，并书面征求市场主体和行业协会意见。",
            facts=consultation_facts(),
            comments_csv=True,
        ),
        Step(
            "fair_competition",
            "zhaomin",
            "符合",
            "经对照公平竞争审查条例第八条至第十一条逐项审查，未发现排除、限制竞争的情形。",
        ),
        Step(
            "legality_review",
            "sunli",
            "应当予以修改",
            "第四条限定本地注册纳税的代理机构，违反公平竞争审查条例第八条、第九条；第十二条设定罚款，"
            "规范性文件无权设定行政处罚（行政处罚法第十六条）。",
        ),
        Step("revision", "zhangwei", "提交修改稿", "已按审核意见逐条修改。", upload_version="draft-v2.docx"),
        Step("fair_competition", "zhaomin", "符合", "修改稿删除了限定本地代理机构的条款。"),
        Step("legality_review", "sunli", "合法", "修改稿制定主体、权限、内容和程序合法，同意提交审议。"),
        Step(
            "deliberation",
            "chenjun",
            "通过",
            "经局务会议集体审议通过。",
            facts="meeting=局务会议\nattendees=陈军（局长，主持）、副局长二人、法规股孙丽\ndissent=无",
        ),
        Step(
            "publication",
            "liuyang",
            "印发",
            "统一登记、统一编号、统一印发，并在县政府门户网站公布。",
            attach="政策解读材料",
            facts="effective_date=2027-01-01\nimmediate_effect_reason=与2027年度政府采购预算执行同步，公布后不立即施行将有碍施行",
        ),
        Step("filing", "liuyang", "已报备", "已按规定报县司法局备案。"),
    ]


EXPECTED_STAGES = [
    "drafting",
    "risk_assessment",
    "consultation",
    "fair_competition",
    "legality_review",
    "revision",
    "fair_competition",
    "legality_review",
    "deliberation",
    "publication",
    "filing",
]


def prepare_roster() -> None:
    from reviewkit.services.roster import import_roster, set_pin

    import_roster(samples() / "roster.toml")
    for user in SAMPLE_USERS:
        set_pin(user, PIN)


def material_docx(folder: Path, name: str) -> Path:
    from docx import Document

    folder.mkdir(parents=True, exist_ok=True)
    doc = Document()
    doc.add_heading(f"某县政府采购代理机构监督管理暂行办法——{name}", level=1)
    doc.add_paragraph("为加强政府采购代理机构监督管理，依据政府采购法及其实施条例起草本办法。")
    path = folder / f"{name}.docx"
    doc.save(str(path))
    return path


def run_automatic_stages(number: str) -> None:
    """What the worker does between gates (pre-review): the test stands in for it."""
    from reviewkit.services.queries import case_detail
    from reviewkit.services.workflow import run_auto_stage, stage_kind

    case_id = case_detail(number).case.id
    while stage_kind(case_id) == "auto":
        run_auto_stage(case_id)
