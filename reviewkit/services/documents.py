"""Formal papers from the case record: render a template, put a rendered paper on file (an
``Attachment`` with ``generated=True``), render each stage's papers after its decision, the
修改对照稿 between rounds, and the 备案 package."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from reviewkit.documents import render as engine
from reviewkit.domain.papers import PAPERS, papers_after, papers_of_stage
from reviewkit.errors import InvalidInput, NotFound, PermissionDenied
from reviewkit.services import document_context as ctx
from reviewkit.services.actors import Actor, acting, channel_of
from reviewkit.services.disclosure_reply import values
from reviewkit.services.document_context import Pending
from reviewkit.services.kernel import current_version, definition_of, get_case, record_refusal
from reviewkit.services.paper_stages import paper_definition
from reviewkit.services.redlines import compose
from reviewkit.settings import get_settings
from reviewkit.store import audit, blobs
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Attachment, Case

Builder = Callable[[Session, Case, Pending | None], dict[str, Any]]


def _disclosure_reply(session: Session, case: Case, pending: Pending | None) -> dict[str, Any]:
    return values(session, case, pending)


@dataclass(frozen=True)
class Kind:
    id: str
    title: str  # the paper's name and its template's file name
    attach_as: str  # the material name it is filed under (an evidence name where there is one)
    basis: str  # what asks for it (reviewkit.domain.papers)
    build: Builder | None  # None: composed in code (修改对照稿, 全过程记录, 备案材料包)


# The renderers (code) of the papers a process definition may declare (data: ``papers`` and
# ``papers_on_enter`` of its stages); names and bases come from ``reviewkit.domain.papers``.
RENDERERS: dict[str, Builder | None] = {
    "opinion": ctx.opinion,
    "risk": ctx.risk,
    "consultation": ctx.consultation,
    "fair_competition": ctx.fair_competition,
    "deliberation": ctx.deliberation,
    "register": ctx.register,
    "official_text": ctx.official_text,
    "filing_report": ctx.filing_report,
    "redline": None,
    "audit_record": None,
    "disclosure_reply": _disclosure_reply,
    "package": None,
}
PAPER_KINDS: dict[str, Kind] = {
    p.id: Kind(p.id, p.title, p.attach_as, p.basis, RENDERERS[p.id]) for p in PAPERS.values()
}
# The papers rendered one at a time (doc render / file / templates); the 备案材料包 is ``make_package``'s.
KINDS = [k for k in PAPER_KINDS.values() if k.id != "package"]
FILE_ROLES = frozenset({"admin", "filing_clerk"})
# Papers that are the written form of the decision itself (the 审核意见书 is the counsel's opinion;
# the 公平竞争审查表 is the reviewer's conclusion): when one is the stage's required material and not yet
# on file, the decision renders it in its own transaction, so a person deciding from any channel (the
# Prefect form included) finishes the stage alone. A report someone else writes (风险评估报告, 会议记录)
# is never made up from a decision.
DECISION_RECORDS = frozenset({"opinion", "fair_competition"})


def kind_of(name: str) -> Kind:
    name = name.strip()
    for k in KINDS:
        if name in (k.id, k.title, k.attach_as):
            return k
    raise InvalidInput(f"没有文书“{name}”；可选：{'、'.join(k.title for k in KINDS)}")


def template_path(kind: Kind) -> Path:
    return get_settings().templates_dir / "docx" / f"{kind.title}.docx"


@dataclass(frozen=True)
class Rendered:
    kind: Kind
    data: bytes
    filename: str
    title: str
    sha256: str


def _render(session: Session, case: Case, kind: Kind, pending: Pending | None, author: str) -> Rendered:
    now = datetime.now(UTC)
    title = f"《{case.title}》{kind.title}" if kind.id not in ("official_text",) else case.title
    if kind.id == "redline":
        data = compose(session, case, now)
        if data is None:
            raise InvalidInput(f"案件 {case.number} 没有退回修改后的新稿，无从生成修改对照稿")
    elif kind.id == "audit_record":
        raise InvalidInput(
            "全过程记录请用 reviewkit audit export --case CASE --format docx 导出（备案材料包中已含）"
        )
    else:
        assert kind.build is not None
        values = kind.build(session, case, pending)
        props = engine.Properties(
            title=title,
            author=author,
            created=now,
            subject=case.number,
            keywords=f"{kind.title}，{case.doc_number or case.number}",
        )
        data = engine.render(template_path(kind), values, props, name=f"{kind.title}.docx")
    filename = f"{kind.title}-{case.number}-第{case.round}轮.docx"
    return Rendered(kind, data, filename, title, hashlib.sha256(data).hexdigest())


def render_document(case_ref: str | int, kind_name: str, *, pending: Pending | None = None) -> Rendered:
    """Render one paper from the record (read-only: nothing is stored)."""
    require_schema()
    kind = kind_of(kind_name)
    with session_scope() as session:
        case = get_case(session, case_ref)
        return _render(session, case, kind, pending, office_author())


def office_author() -> str:
    return ctx.office().get("名称", "reviewkit")


def store_generated(
    session: Session, case: Case, rendered: Rendered, actor: Actor, *, stage: str, round_: int
) -> Attachment:
    """Put a rendered paper on file in the caller's transaction (blob first; content-addressed)."""
    stored = blobs.put_bytes(get_settings().resolved_data_dir, rendered.data)
    draft = current_version(session, case)
    item = Attachment(
        case_id=case.id or 0,
        name=rendered.kind.attach_as,
        filename=rendered.filename,
        sha256=stored.sha256,
        size=stored.size,
        stage=stage,
        round=round_,
        draft_sha256=draft.sha256,
        submitted_by=actor.username,
        generated=True,
    )
    session.add(item)
    session.flush()
    audit.append(
        session,
        action="document.generated",
        actor=actor.username,
        channel=actor.channel,
        case_id=case.id,
        payload={
            "name": item.name,
            "kind": rendered.kind.title,
            "filename": item.filename,
            "sha256": stored.sha256,
            "size": stored.size,
            "stage": stage,
            "round": round_,
            "draft_sha256": draft.sha256,
        },
    )
    return item


def file_document(
    case_ref: str | int, kind_name: str, by: Actor, *, pending: Pending | None = None
) -> Attachment:
    """Render a paper and put it on file for the case (e.g. counsel's 审核意见书 before deciding)."""
    require_schema()
    kind = kind_of(kind_name)
    try:
        with session_scope(write=True) as session:
            case = get_case(session, case_ref)
            actor = acting(session, by, case)
            stage = definition_of(case).stage(case.stage)
            if not actor.roles & (set(stage.roles) | FILE_ROLES):
                raise PermissionDenied(f"{actor.label}不是“{stage.name}”环节的办理人，不能为本案归档文书")
            rendered = _render(session, case, kind, pending, actor.display_name or actor.username)
            return store_generated(session, case, rendered, actor, stage=case.stage, round_=case.round)
    except (InvalidInput, PermissionDenied, NotFound) as err:
        record_refusal(case_ref, by, channel_of(by), "document.refused", str(err), {"kind": kind.title})
        raise


def decision_records(case: Case, stage_id: str) -> dict[str, Kind]:
    """The papers a decision at ``stage_id`` writes itself (those of ``DECISION_RECORDS`` the stage
    declares), by the material name they are filed under."""
    declared = papers_after(paper_definition(case), stage_id)
    return {PAPER_KINDS[k].attach_as: PAPER_KINDS[k] for k in declared if k in DECISION_RECORDS}


def stage_papers(case: Case, stage_id: str) -> list[Kind]:
    """The papers of a stage that are among its required materials and rendered from a template (the
    审核意见书 at 合法性审核): the workbench previews them with the decision and files the confirmed copy.
    They are the stage's declared ``papers`` and ``papers_on_enter``."""
    definition = paper_definition(case)
    evidence = definition.stage(stage_id).evidence
    return [
        PAPER_KINDS[i]
        for i in papers_of_stage(definition, stage_id)
        if PAPER_KINDS[i].build is not None and PAPER_KINDS[i].attach_as in evidence
    ]


def file_decision_record(
    session: Session, case: Case, kind: Kind, pending: Pending, actor: Actor
) -> Attachment:
    """Render ``kind`` from the decision being made and put it on file, in the decision's transaction."""
    rendered = _render(session, case, kind, pending, actor.display_name or actor.username)
    return store_generated(session, case, rendered, actor, stage=case.stage, round_=case.round)


@dataclass(frozen=True)
class MaterialRow:
    id: int
    name: str
    filename: str
    stage: str
    round: int
    generated: bool
    submitted_by: str
    sha256: str
    size: int
    created_at: str
    stage_name: str = ""


def list_materials(case_ref: str | int) -> list[MaterialRow]:
    """Every material on file for the case, oldest first: uploaded ones and papers reviewkit rendered."""
    require_schema()
    with session_scope() as session:
        case = get_case(session, case_ref)
        stages = {st.id: st.name for st in definition_of(case).stages}
        rows = session.exec(
            select(Attachment).where(Attachment.case_id == case.id).order_by(col(Attachment.id))
        ).all()
        return [
            MaterialRow(
                a.id or 0,
                a.name,
                a.filename,
                a.stage,
                a.round,
                a.generated,
                a.submitted_by,
                a.sha256,
                a.size,
                a.created_at.isoformat(timespec="seconds"),
                stages.get(a.stage, a.stage),
            )
            for a in rows
        ]


def read_material(case_ref: str | int, name: str, *, round_: int | None = None) -> tuple[MaterialRow, bytes]:
    """The filed copy (the latest of that name, or of that round), checked against its SHA-256."""
    rows = [r for r in list_materials(case_ref) if r.name == name or r.filename == name]
    if round_ is not None:
        rows = [r for r in rows if r.round == round_]
    if not rows:
        raise NotFound(f"案件 {case_ref} 没有归档的“{name}”" + (f"（第 {round_} 轮）" if round_ else ""))
    row = rows[-1]
    return row, blobs.read_bytes(get_settings().resolved_data_dir, row.sha256)
