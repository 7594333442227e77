"""The papers (文书) reviewkit makes from a case record, by id, and what a process definition says of them.

A stage of a process definition declares the papers it produces (``templates/processes/*.toml``):

- ``papers = ["opinion"]``: rendered after a decision of this stage moves the case on (whatever the
  decision: a 不合法 is recorded in its 审核意见书 as much as a 合法);
- ``papers_on_enter = ["package"]``: made when a decision moves the case into this stage.

This module holds the catalogue of paper ids (names, the material each is filed as, the basis that asks
for it) and the questions asked of a definition; how each paper is rendered is code, in
``reviewkit.services.documents`` (``PAPER_KINDS``), keyed by the same ids. Nothing here names a stage:
where a renderer needs "the review stage", it asks which stage declares the ``opinion``.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewkit.domain.process_model import ProcessDefinition, StageSpec


@dataclass(frozen=True)
class Paper:
    id: str
    title: str  # the paper's name and its template's file name
    attach_as: str  # the material name it is filed under (an evidence name where there is one)
    basis: str  # what asks for it; "据记忆" / "据二手资料" where the text was not checked
    declarable: bool = True  # False: made only inside another paper (全过程记录, in the 备案材料包)


# Articles as the codebase already cites them (templates/processes, document_context, DOMAIN.md and the
# 2026-12 legal review); none added from memory here.
PAPERS: dict[str, Paper] = {
    p.id: p
    for p in (
        Paper(
            "opinion",
            "合法性审核意见书",
            "审核意见书",
            "国办发〔2018〕115号（审核机构出具合法性审核意见，据二手资料）；国办发〔2018〕37号 三(六)",
        ),
        Paper("risk", "风险评估报告", "风险评估报告", "国办发〔2018〕37号 三(三)（评估论证）"),
        Paper(
            "consultation",
            "征求意见采纳情况表",
            "征求意见采纳情况",
            "国办发〔2018〕37号 三(六)（送审材料：征求意见及采纳情况）；优化营商环境条例第62条",
        ),
        Paper("fair_competition", "公平竞争审查表", "公平竞争审查结论", "公平竞争审查条例第17、18条"),
        Paper(
            "deliberation",
            "集体审议记录摘录",
            "集体审议记录",
            "国办发〔2018〕37号 三(七)（不同意见如实载明）",
        ),
        Paper(
            "register",
            "规范性文件登记表",
            "规范性文件登记表",
            "国办发〔2018〕37号（统一登记、统一编号、统一印发）",
        ),
        Paper(
            "official_text",
            "正式文本",
            "正式文本",
            "国办发〔2018〕37号（统一印发并公布，未经公布的不得作为行政管理依据）；党政机关公文处理工作条例第8条",
        ),
        Paper(
            "filing_report",
            "备案报告",
            "备案报告",
            "国办发〔2018〕37号（有件必备）；备案材料为地方做法（参照法规规章备案审查条例第4条）",
        ),
        Paper(
            "redline",
            "修改对照稿",
            "修改对照稿",
            "工作文书，无法定格式（便于审核机构核对修改稿；国办发〔2018〕115号：修改稿重新报送审核，据二手资料）",
        ),
        Paper(
            "audit_record",
            "全过程记录",
            "全过程记录",
            "审计链导出，随备案材料包报送（工作文书）",
            declarable=False,
        ),
        Paper(
            "disclosure_reply",
            "政府信息公开申请答复书",
            "政府信息公开申请答复书",
            "政府信息公开条例第36、37条",
        ),
        Paper(
            "package",
            "备案材料包",
            "备案材料包",
            "自公布之日起30日内报送备案（地方做法；参照法规规章备案审查条例第4条）；材料：备案报告、正式文本、"
            "起草说明、合法性审核意见书（地方做法）",
        ),
    )
}


def paper(paper_id: str) -> Paper:
    return PAPERS[paper_id]


def declares_papers(definition: ProcessDefinition) -> bool:
    return any(s.papers or s.papers_on_enter for s in definition.stages)


def papers_after(definition: ProcessDefinition, stage_id: str) -> tuple[str, ...]:
    """The papers a decision of ``stage_id`` produces (none for a stage the definition lacks)."""
    return next((s.papers for s in definition.stages if s.id == stage_id), ())


def papers_on_entering(definition: ProcessDefinition, stage_id: str) -> tuple[str, ...]:
    return next((s.papers_on_enter for s in definition.stages if s.id == stage_id), ())


def papers_of_stage(definition: ProcessDefinition, stage_id: str) -> tuple[str, ...]:
    """Every paper a stage declares, after its decision or on entering it."""
    return tuple(dict.fromkeys(papers_after(definition, stage_id) + papers_on_entering(definition, stage_id)))


def stages_declaring(definition: ProcessDefinition, paper_id: str) -> tuple[str, ...]:
    """The stages whose decision ``paper_id`` records (``papers``), in definition order: e.g. the review
    stage is the one that declares the ``opinion``."""
    return tuple(s.id for s in definition.stages if paper_id in s.papers)


def adopt_papers(running: ProcessDefinition, current: ProcessDefinition) -> ProcessDefinition:
    """``running`` with the papers ``current`` declares for the stages of the same id. For a case started
    on a definition written before stages declared their papers: it keeps the papers it always had."""
    by_id = {s.id: s for s in current.stages}
    stages = tuple(
        s.model_copy(update={"papers": by_id[s.id].papers, "papers_on_enter": by_id[s.id].papers_on_enter})
        if s.id in by_id
        else s
        for s in running.stages
    )
    return running.model_copy(update={"stages": stages})


def paper_problems(stage: StageSpec) -> list[tuple[str, str]]:
    """``(key, message)`` for each paper ``stage`` declares that is unknown or misplaced."""
    found: list[tuple[str, str]] = []
    known = "、".join(f"{p.id}（{p.title}）" for p in PAPERS.values() if p.declarable)
    for attr in ("papers", "papers_on_enter"):
        ids: tuple[str, ...] = getattr(stage, attr)
        for paper_id in ids:
            p = PAPERS.get(paper_id)
            if p is None:
                found.append(
                    (
                        f"stages[{stage.id}].{attr}",
                        f"环节“{stage.name}”声明了未知的文书“{paper_id}”，可选：{known}",
                    )
                )
            elif not p.declarable:
                found.append(
                    (
                        f"stages[{stage.id}].{attr}",
                        f"文书“{p.title}”（{paper_id}）不能由环节声明，它随{PAPERS['package'].title}生成",
                    )
                )
        for dup in sorted({x for x in ids if ids.count(x) > 1}):
            found.append((f"stages[{stage.id}].{attr}", f"文书 {dup} 重复"))
    if stage.papers and stage.kind != "human":
        found.append(
            (
                f"stages[{stage.id}].papers",
                "只有人工环节有决定，papers 只用于人工环节（可用 papers_on_enter）",
            )
        )
    return found
