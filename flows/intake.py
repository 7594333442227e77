"""Registering a case from the Prefect UI's run form, validated exactly as ``reviewkit case new``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from reviewkit.domain.process import ProcessDefinition, list_definitions
from reviewkit.errors import InvalidInput
from reviewkit.services.actors import IntakeClaim
from reviewkit.services.cases import NewCase, start_case
from reviewkit.services.facts import parse_fact_lines, split_form_text
from reviewkit.services.gates import case_for_run
from reviewkit.settings import get_settings


def _shipped() -> list[ProcessDefinition]:
    return list_definitions(get_settings().templates_dir / "processes")


# The form is built from the process definitions (every kind, its flags, its facts), as the CLI's
# ``case new`` reads them: a kind added to templates/processes/ appears here without a code change.
_DEFINITIONS = _shipped()
_KINDS = tuple(d.kind for d in _DEFINITIONS)
_KIND_HELP = "；".join(f"{d.kind} {d.name}" for d in _DEFINITIONS)
_FLAG_HELP = "；".join(
    f"{d.name}：" + "、".join(f"{k}（{v}）" for k, v in d.flags.items()) for d in _DEFINITIONS if d.flags
)
_FACT_HELP = "；".join(f"{d.name}：" + "、".join(d.facts) for d in _DEFINITIONS if d.facts)


class CaseIntake(BaseModel):
    """送审登记"""

    kind: Literal[_KINDS] = Field(title="事项类型", description=_KIND_HELP)  # type: ignore[valid-type]
    title: str = Field(title="标题", description="送审文件标题", min_length=1, pattern=r"\S")
    drafting_unit: str = Field(title="起草单位", description="起草单位全称", min_length=1, pattern=r"\S")
    drafter: str = Field(
        title="起草人", description="起草人在 reviewkit 名册中的用户名", min_length=1, pattern=r"\S"
    )
    code: str = Field(
        title="一次性送审登记码",
        description="起草人本人运行 reviewkit user code --intake 获得，仅能使用一次",
        min_length=4,
        pattern=r"\S",
    )
    draft_path: str = Field(
        title="送审稿", description="收件目录中送审稿 .docx 的文件名（相对路径）", min_length=1
    )
    flags: list[str] = Field(default_factory=list, title="案件标记（可选）", description=_FLAG_HELP)
    facts: str | None = Field(
        default=None, title="立案事实（可选）", description="每行一项 名称=值。" + _FACT_HELP
    )
    officers: str | None = Field(
        default=None,
        title="承办执法人员（重大执法决定）",
        description="用户名，以逗号或空格分隔；须不少于两人且持有效执法证",
    )


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
    drafter = intake.drafter.strip()
    officers = tuple(o for o in re.split(r"[\s,，、]+", intake.officers or "") if o)
    case = start_case(
        NewCase(
            kind=intake.kind,
            title=intake.title,
            drafting_unit=intake.drafting_unit,
            drafter=drafter,
            draft=Path(path),
            flags=frozenset(f.strip() for f in intake.flags),
            facts=parse_fact_lines(split_form_text(intake.facts)),
            officers=officers,
        ),
        IntakeClaim(drafter, intake.code.strip(), channel="prefect-ui"),
        flow_run_id=run_id,
    )
    assert case.id is not None
    return case.id
