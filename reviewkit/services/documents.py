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
from reviewkit.domain.papers import PAPERS, papers_after, papers_of_stage, papers_on_entering
from reviewkit.errors import InvalidInput, NotFound, PermissionDenied
from reviewkit.services import document_context as ctx
from reviewkit.services.actors import SYSTEM_ACTOR, Actor, acting
from reviewkit.services.document_context import Pending
from reviewkit.services.paper_stages import paper_definition
from reviewkit.settings import get_settings
from reviewkit.store import audit, blobs
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Attachment, Case, Decision

Builder = Callable[[Session, Case, Pending | None], dict[str, Any]]


def _disclosure_reply(session: Session, case: Case, pending: Pending | None) -> dict[str, Any]:
    from reviewkit.services.disclosure_reply import values

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
    "opinion": ctx.opinion, "risk": ctx.risk, "consultation": ctx.consultation,
    "fair_competition": ctx.fair_competition, "deliberation": ctx.deliberation, "register": ctx.register,
    "official_text": ctx.official_text, "filing_report": ctx.filing_report, "redline": None, "audit_record": None,
    "disclosure_reply": _disclosure_reply, "package": None,
}
PAPER_KINDS: dict[str, Kind] = {p.id: Kind(p.id, p.title, p.attach_as, p.basis, RENDERERS[p.id])
                                for p in PAPERS.values()}
# The papers rendered one at a time (doc render / file / templates); the 备案材料包 is ``make_package``'s.
KINDS = [k for k in PAPER_KINDS.values() if k.id != "package"]
FILE_ROLES = frozenset({"admin", "filing_clerk"})


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
        from reviewkit.services.redlines import compose

        data = compose(session, case, now)
        if data is None:
            raise InvalidInput(f"案件 {case.number} 没有退回修改后的新稿，无从生成修改对照稿")
    elif kind.id == "audit_record":
        raise InvalidInput("全过程记录请用 reviewkit audit export --case CASE --format docx 导出（备案材料包中已含）")
    else:
        assert kind.build is not None
        values = kind.build(session, case, pending)
        props = engine.Properties(title=title, author=author, created=now, subject=case.number,
                                  keywords=f"{kind.title}，{case.doc_number or case.number}")
        data = engine.render(template_path(kind), values, props, name=f"{kind.title}.docx")
    filename = f"{kind.title}-{case.number}-第{case.round}轮.docx"
    return Rendered(kind, data, filename, title, hashlib.sha256(data).hexdigest())


def render_document(case_ref: str | int, kind_name: str, *, pending: Pending | None = None) -> Rendered:
    """Render one paper from the record (read-only: nothing is stored)."""
    from reviewkit.services.cases import get_case

    require_schema()
    kind = kind_of(kind_name)
    with session_scope() as session:
        case = get_case(session, case_ref)
        return _render(session, case, kind, pending, office_author())


def office_author() -> str:
    return ctx.office().get("名称", "reviewkit")


def store_generated(session: Session, case: Case, rendered: Rendered, actor: Actor, *, stage: str,
                    round_: int) -> Attachment:
    """Put a rendered paper on file in the caller's transaction (blob first; content-addressed)."""
    from reviewkit.services.workflow import current_version

    stored = blobs.put_bytes(get_settings().resolved_data_dir, rendered.data)
    draft = current_version(session, case)
    item = Attachment(case_id=case.id or 0, name=rendered.kind.attach_as, filename=rendered.filename,
                      sha256=stored.sha256, size=stored.size, stage=stage, round=round_, draft_sha256=draft.sha256,
                      submitted_by=actor.username, generated=True)
    session.add(item)
    session.flush()
    audit.append(session, action="document.generated", actor=actor.username, channel=actor.channel, case_id=case.id,
                 payload={"name": item.name, "kind": rendered.kind.title, "filename": item.filename,
                          "sha256": stored.sha256, "size": stored.size, "stage": stage, "round": round_,
                          "draft_sha256": draft.sha256})
    return item


def file_document(case_ref: str | int, kind_name: str, by: Actor, *, pending: Pending | None = None) -> Attachment:
    """Render a paper and put it on file for the case (e.g. counsel's 审核意见书 before deciding)."""
    from reviewkit.services.cases import get_case
    from reviewkit.services.workflow import definition_of, record_refusal

    require_schema()
    kind = kind_of(kind_name)
    try:
        with session_scope(write=True) as session:
            case = get_case(session, case_ref)
            actor = acting(session, by)
            stage = definition_of(case).stage(case.stage)
            if not actor.roles & (set(stage.roles) | FILE_ROLES):
                raise PermissionDenied(f"{actor.label}不是“{stage.name}”环节的办理人，不能为本案归档文书")
            rendered = _render(session, case, kind, pending, actor.display_name or actor.username)
            return store_generated(session, case, rendered, actor, stage=case.stage, round_=case.round)
    except (InvalidInput, PermissionDenied, NotFound) as err:
        record_refusal(case_ref, by, by.channel, "document.refused", str(err), {"kind": kind.title})
        raise


def stage_papers(case: Case, stage_id: str) -> list[Kind]:
    """The papers of a stage that are among its required materials and rendered from a template (the
    审核意见书 at 合法性审核): the workbench previews them with the decision and files the confirmed copy.
    They are the stage's declared ``papers`` and ``papers_on_enter``."""
    definition = paper_definition(case)
    evidence = definition.stage(stage_id).evidence
    return [PAPER_KINDS[i] for i in papers_of_stage(definition, stage_id)
            if PAPER_KINDS[i].build is not None and PAPER_KINDS[i].attach_as in evidence]


def after_decision(result: Any) -> list[str]:
    """The papers a decision produces, as the case's process definition declares them: the ``papers`` of
    the stage it leaves and the ``papers_on_enter`` of the stage it enters, rendered from the committed
    record and put on file. Runs after the decision's commit: a failure (a template broken in editing)
    is audited and reported, and the decision stands. Papers already generated for that stage and round
    are not made twice."""
    if result.waiting_for or result.from_stage == result.to_stage:
        return []
    with session_scope() as session:
        case = session.get(Case, result.case_id)
        if case is None:
            return []
        definition = paper_definition(case)
    wanted = list(papers_after(definition, result.from_stage)) + list(papers_on_entering(definition, result.to_stage))
    made = _render_on_file(result, [k for k in wanted if k != "package"])
    if "package" in wanted:
        try:
            make_package(result.case_id, SYSTEM_ACTOR, store=True)
            made.append(PAPER_KINDS["package"].title)
        except Exception as err:  # noqa: BLE001
            with session_scope(write=True) as session:
                audit.append(session, action="document.failed", actor=SYSTEM_ACTOR.username, channel="system",
                             case_id=result.case_id,
                             payload={"kind": PAPER_KINDS["package"].title, "reason": str(err)[:500]})
    return made


def _render_on_file(result: Any, wanted: list[str]) -> list[str]:
    """Render the template and code papers of a decision and put them on file (the 备案材料包 is made
    apart: it reads what these put on file)."""
    made: list[str] = []
    if not wanted:
        return made
    with session_scope(write=True) as session:
        case = session.get(Case, result.case_id)
        if case is None:
            return []
        last = session.exec(select(Decision).where(Decision.case_id == case.id, Decision.stage == result.from_stage)
                            .order_by(col(Decision.id).desc())).first()
        round_ = last.round if last else case.round
        for kind_id in wanted:
            kind = PAPER_KINDS[kind_id]
            if kind_id == "consultation" and ctx.consultation_summary(session, case)["总数"] == "0":
                continue
            exists = session.exec(select(Attachment.id).where(
                Attachment.case_id == case.id, Attachment.name == kind.attach_as, Attachment.stage == result.from_stage,
                Attachment.round == round_, col(Attachment.generated).is_(True))).first()
            if exists is not None:
                continue
            try:
                with session.begin_nested():
                    rendered = _render(session, case, kind, None, office_author())
                    store_generated(session, case, rendered, SYSTEM_ACTOR, stage=result.from_stage, round_=round_)
                made.append(kind.title)
            except Exception as err:  # noqa: BLE001 - the decision is committed; record and go on
                if kind_id == "redline" and isinstance(err, InvalidInput):
                    continue
                audit.append(session, action="document.failed", actor=SYSTEM_ACTOR.username, channel="system",
                             case_id=case.id, payload={"kind": kind.title, "reason": str(err)[:500]})
    return made


def make_package(case_ref: str | int, by: Actor, *, out: Path | None = None,
                 store: bool = False) -> tuple[bytes, list[str]]:
    from reviewkit.services.packages import build_package

    return build_package(case_ref, by, out=out, store=store)


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
    from reviewkit.services.cases import get_case

    require_schema()
    with session_scope() as session:
        from reviewkit.services.workflow import definition_of

        case = get_case(session, case_ref)
        stages = {st.id: st.name for st in definition_of(case).stages}
        rows = session.exec(select(Attachment).where(Attachment.case_id == case.id).order_by(col(Attachment.id))).all()
        return [MaterialRow(a.id or 0, a.name, a.filename, a.stage, a.round, a.generated, a.submitted_by, a.sha256,
                            a.size, a.created_at.isoformat(timespec="seconds"), stages.get(a.stage, a.stage))
                for a in rows]


def read_material(case_ref: str | int, name: str, *, round_: int | None = None) -> tuple[MaterialRow, bytes]:
    """The filed copy (the latest of that name, or of that round), checked against its SHA-256."""
    rows = [r for r in list_materials(case_ref) if r.name == name or r.filename == name]
    if round_ is not None:
        rows = [r for r in rows if r.round == round_]
    if not rows:
        raise NotFound(f"案件 {case_ref} 没有归档的“{name}”" + (f"（第 {round_} 轮）" if round_ else ""))
    row = rows[-1]
    return row, blobs.read_bytes(get_settings().resolved_data_dir, row.sha256)
