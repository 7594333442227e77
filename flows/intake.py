"""Registering a case from the Prefect UI's run form, validated exactly as ``reviewkit case new``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from reviewkit.errors import InvalidInput
from reviewkit.services.actors import IntakeClaim
from reviewkit.services.cases import NewCase, start_case
from reviewkit.services.gates import case_for_run
from reviewkit.settings import get_settings


class CaseIntake(BaseModel):
    """送审登记"""

    kind: Literal["normative_document", "major_decision", "major_contract", "enforcement_review"] = Field(
        title="事项类型",
        description="normative_document 行政规范性文件；major_decision 重大行政决策；major_contract 重大合同；"
        "enforcement_review 重大执法决定法制审核",
    )
    title: str = Field(title="标题", description="送审文件标题", min_length=1, pattern=r"\S")
    drafting_unit: str = Field(title="起草单位", description="起草单位全称", min_length=1, pattern=r"\S")
    drafter: str = Field(title="起草人", description="起草人在 reviewkit 名册中的用户名", min_length=1, pattern=r"\S")
    code: str = Field(title="一次性送审登记码", description="起草人本人运行 reviewkit user code --intake 获得，仅能使用一次",
                      min_length=4, pattern=r"\S")
    draft_path: str = Field(title="送审稿", description="收件目录中送审稿 .docx 的文件名（相对路径）", min_length=1)
    touches_business: bool = Field(title="涉及经营主体经济活动", description="是：须公平竞争审查，征求意见一般不少于30日")
    risk_flagged: bool = Field(title="需要风险评估", description="是：实施可能影响社会稳定、公共安全")


def register_intake(intake: CaseIntake | None, run_id: str | None) -> int:
    """The case this run registered (found again on a re-run), or register it now."""
    if run_id:
        existing = case_for_run(run_id)
        if existing is not None:
            return existing.case_id
    if intake is None:
        raise InvalidInput("请填写 case_id（已登记的案件），或填写送审登记信息（intake）")
    inbox = get_settings().resolved_intake_dir
    path = inbox / intake.draft_path
    if not path.resolve().is_relative_to(inbox.resolve()):
        raise InvalidInput(f"送审稿《{intake.draft_path}》不在收件目录 {inbox} 内")
    flags = frozenset(f for f in ("touches_business", "risk_flagged") if getattr(intake, f))
    drafter = intake.drafter.strip()
    case = start_case(NewCase(kind=intake.kind, title=intake.title, drafting_unit=intake.drafting_unit,
                              drafter=drafter, draft=Path(path), flags=flags),
                      IntakeClaim(drafter, intake.code.strip(), channel="prefect-ui"), flow_run_id=run_id)
    assert case.id is not None
    return case.id
