"""The demo case: a sample roster, a sample draft, scripted decisions through the real services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from reviewkit.domain.papers import papers_of_stage
from reviewkit.errors import InvalidInput
from reviewkit.services import attachments, cases, identity, kernel, workflow
from reviewkit.services.actors import Actor
from reviewkit.services.consultation import NewComment, add
from reviewkit.services.document_context import Pending
from reviewkit.services.documents import file_document, kind_of
from reviewkit.services.paper_stages import paper_definition
from reviewkit.services.roster import import_roster
from reviewkit.settings import get_settings
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import User


@dataclass(frozen=True)
class ScriptedStep:
    username: str
    decision: str
    opinion: str
    new_version: str | None = None
    materials: tuple[str, ...] = ()
    facts: dict[str, str] = field(default_factory=dict)


# (stage, round) → who decides what. Round 1 of the legality review returns the draft for revision.
def _consultation() -> dict[str, str]:
    today = kernel.local_today()
    return {
        "consultation_start": (today - timedelta(days=42)).isoformat(),
        "consultation_end": (today - timedelta(days=10)).isoformat(),
        "market_players_consulted": "书面征求县市场监管局、县政府采购协会及5家采购代理机构意见，召开座谈会1次",
    }


# (stage, round) → who decides what, with the materials they put on file first.
# Round 1 of the legality review returns the draft for revision.
SCRIPT: dict[tuple[str, int], ScriptedStep] = {
    ("drafting", 1): ScriptedStep(
        "zhangwei",
        "提交",
        "送审稿及起草说明已齐备，提请审核。",
        materials=("起草说明",),
        facts={
            "legal_basis": "《中华人民共和国政府采购法》第十三条、第十九条；"
            "《中华人民共和国政府采购法实施条例》第十二条"
        },
    ),
    # 风险评估 is the drafting unit's work, before consultation and review (国办发〔2018〕37号 三(三)).
    ("risk_assessment", 1): ScriptedStep(
        "lihua", "评估完成", "实施风险低，已制定舆情应对预案。", materials=("风险评估报告",)
    ),
    ("consultation", 1): ScriptedStep(
        "lihua",
        "征求意见完成",
        "已在县政府门户网站公开征求意见30日以上，并书面征求市场主体和行业协会意见，采纳情况见说明。",
        materials=("征求意见采纳情况",),
    ),
    ("fair_competition", 1): ScriptedStep(
        "zhaomin",
        "符合",
        "经对照公平竞争审查条例第八条至第十一条逐项审查，送审稿未发现排除、限制竞争的情形。",
        materials=("公平竞争审查结论",),
    ),
    ("legality_review", 1): ScriptedStep(
        "sunli",
        "应当予以修改",
        "第四条限定本地注册纳税的代理机构，违反公平竞争审查条例第八条、第九条；第五条以备案作为从业前置条件，"
        "属变相设定行政许可；第十二条设定罚款和黑名单，规范性文件无权设定行政处罚；第六条引用已废止的合同法。",
        materials=("审核意见书",),
    ),
    ("revision", 2): ScriptedStep(
        "zhangwei",
        "提交修改稿",
        "已按审核意见逐条修改，删除第四、五条限制性规定，第十二条改为依照上位法处理，引用改为民法典。",
        new_version="draft-v2.docx",
    ),
    ("fair_competition", 2): ScriptedStep(
        "zhaomin",
        "符合",
        "修改稿删除了限定本地代理机构的条款，不含排除、限制竞争的内容。",
        materials=("公平竞争审查结论",),
    ),
    ("legality_review", 2): ScriptedStep(
        "sunli", "合法", "修改稿制定主体、权限、内容和程序合法，同意提交审议。", materials=("审核意见书",)
    ),
    ("deliberation", 2): ScriptedStep(
        "chenjun",
        "通过",
        "经局务会议集体审议通过。",
        materials=("集体审议记录",),
        facts={
            "meeting": "局务会议",
            "attendees": "陈军（局长，主持）、副局长二人、法规股孙丽、政府采购股李华（列席）",
            "dissent": "一名副局长提出第十条考核结果公开范围宜进一步明确，"
            "会议决定由起草单位在实施细则中予以明确",
        },
    ),
    ("publication", 2): ScriptedStep(
        "liuyang",
        "印发",
        "统一登记、统一编号、统一印发，并在县政府门户网站公布。",
        materials=("政策解读材料",),
        facts={
            "effective_date": "2027-01-01",
            "immediate_effect_reason": "与2027年度政府采购预算执行同步，公布后不立即施行将有碍施行",
        },
    ),
    ("filing", 2): ScriptedStep(
        "liuyang",
        "已报备",
        "已按规定报县司法局备案，报送备案报告、正式文本、起草说明和审核意见。",
        materials=("备案报告", "正式文本"),
    ),
}

DEMO_TITLE = "某县政府采购代理机构监督管理暂行办法"


def samples_dir() -> Path:
    return get_settings().templates_dir / "samples"


def prepare() -> int:
    """Load the sample roster and start the demo case; returns the case id."""
    require_schema()
    with session_scope() as session:  # an office's database is refused before the sample roster touches it
        if _has_user(session, "zhangwei"):
            identity.demo_starter(session, "zhangwei")
    import_roster(samples_dir() / "roster.toml", channel="demo")
    with session_scope() as session:
        drafter = identity.demo_starter(session, "zhangwei")
    case = cases.start_case(
        cases.NewCase(
            kind="normative_document",
            title=DEMO_TITLE,
            drafting_unit="某县财政局政府采购股",
            drafter="zhangwei",
            draft=samples_dir() / "draft-v1.docx",
            flags=frozenset({"touches_business", "risk_flagged"}),
        ),
        drafter,
    )
    assert case.id is not None
    return case.id


def _has_user(session: Session, username: str) -> bool:
    return session.exec(select(User.id).where(User.username == username)).first() is not None


def sample_person(case_id: int, username: str) -> Actor:
    """A sample person of the roster, acting on the demo's own case only (``identity.demo_actor``)."""
    with session_scope() as session:
        return identity.demo_actor(session, username, case_id)


def decide_scripted(case_id: int) -> workflow.DecisionResult:
    """Make the scripted decision for the case's current gate, through the same decision pipeline as
    every channel."""
    step, facts = prepare_scripted(case_id)
    return workflow.decide(
        case_id, step.decision, sample_person(case_id, step.username), opinion=step.opinion, facts=facts
    )


def prepare_scripted(case_id: int) -> tuple[ScriptedStep, dict[str, str]]:
    """Put on file what the scripted decision of the case's current gate needs (a revised draft,
    consultation comments, materials); returns the step and the facts to record with it."""
    with session_scope() as session:
        case = kernel.get_case(session, case_id)
        key = (case.stage, case.round)
        case_number = case.number
    step = SCRIPT.get(key)
    if step is None:
        raise InvalidInput(f"演示脚本没有为环节 {key[0]}（第 {key[1]} 轮）准备决定")
    if step.new_version:
        cases.submit_version(
            case_id, samples_dir() / step.new_version, sample_person(case_id, step.username), note="修改稿"
        )
    if key == ("consultation", 1):
        _record_comments(case_id, step.username)
    for name in step.materials:
        _put_on_file(case_id, case_number, name, step)
    return step, (_consultation() if key == ("consultation", 1) else dict(step.facts))


# Comments received in the demo's 公开征求意见 (recorded per article, with how each was handled).
DEMO_COMMENTS = (
    (
        "第四条",
        "县政府采购协会",
        "行业协会",
        "要求优先选择本县注册纳税的代理机构，限制外地机构平等参与，建议删除。",
        "采纳",
        "",
    ),
    (
        "第五条",
        "某招标代理有限公司",
        "市场主体",
        "以备案作为承接业务的前置条件，增加企业负担，建议取消。",
        "采纳",
        "",
    ),
    (
        "第九条",
        "县档案馆",
        "部门",
        "采购文件保存期限建议延长至二十年。",
        "不予采纳",
        "政府采购法第四十二条规定保存期限为从采购结束之日起至少十五年，本办法与上位法一致。",
    ),
    (
        "第十条",
        "市民王某",
        "公众",
        "年度考核结果应当公开，并明确考核标准。",
        "部分采纳",
        "考核改为监督评价并依法公开结果；具体标准由县财政局另行制定，不在本办法中规定。",
    ),
)


def _record_comments(case_id: int, username: str) -> None:
    add(
        case_id,
        [
            NewComment(who, text, disposition, article, reason, kind)
            for article, who, kind, text, disposition, reason in DEMO_COMMENTS
        ],
        sample_person(case_id, username),
    )


def _put_on_file(case_id: int, case_number: str, name: str, step: ScriptedStep) -> None:
    """The material as the office would file it: rendered from the record where reviewkit has a template
    (审核意见书 … with the decision about to be made), else a short stand-in Word document."""
    from reviewkit.errors import InvalidInput as NoKind
    from reviewkit.store.models import Attachment

    try:
        kind = kind_of(name)
    except NoKind:
        kind = None
    if kind is None or kind.build is None:
        attachments.attach(
            case_id, name, _material(case_number, name, step), sample_person(case_id, step.username)
        )
        return
    with session_scope() as session:  # 备案报告, 正式文本: already rendered when the number was assigned
        case = kernel.get_case(session, case_id)
        if session.exec(
            select(Attachment.id).where(
                Attachment.case_id == case_id, Attachment.name == name, col(Attachment.generated).is_(True)
            )
        ).first() is not None and kind.id not in papers_of_stage(paper_definition(case), case.stage):
            return
    facts = _consultation() if name == "征求意见采纳情况" else step.facts
    file_document(
        case_id,
        name,
        sample_person(case_id, step.username),
        pending=Pending(step.decision, step.opinion, step.username, tuple(facts.items())),
    )


def _material(case_number: str, name: str, step: ScriptedStep) -> Path:
    """A short Word document standing for a material the office would put on file."""
    from docx import Document

    folder = get_settings().home / "demo" / case_number / "材料"
    folder.mkdir(parents=True, exist_ok=True)
    doc = Document()
    doc.add_heading(f"{DEMO_TITLE}——{name}", level=1)
    doc.add_paragraph(step.opinion)
    doc.core_properties.title = name
    doc.core_properties.author = step.username
    path = folder / f"{name}-{step.decision}.docx"
    doc.save(str(path))
    return path
