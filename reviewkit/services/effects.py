"""What a decision sets off once it is committed: the papers its stage declares, rendered from the
record and put on file, and the 备案材料包 when the case is filed. A failure here (a template broken in
editing) is audited and reported; the decision stands."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from reviewkit.domain.papers import papers_after, papers_on_entering
from reviewkit.errors import InvalidInput
from reviewkit.services import document_context as ctx
from reviewkit.services.actors import SYSTEM_ACTOR
from reviewkit.services.documents import PAPER_KINDS, _render, office_author, store_generated
from reviewkit.services.packages import build_package
from reviewkit.services.paper_stages import paper_definition
from reviewkit.store import audit
from reviewkit.store.db import session_scope
from reviewkit.store.models import Attachment, Case, Decision


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
    wanted = list(papers_after(definition, result.from_stage)) + list(
        papers_on_entering(definition, result.to_stage)
    )
    made = _render_on_file(result, [k for k in wanted if k != "package"])
    if "package" in wanted:
        try:
            build_package(result.case_id, SYSTEM_ACTOR, store=True)
            made.append(PAPER_KINDS["package"].title)
        except Exception as err:  # noqa: BLE001
            with session_scope(write=True) as session:
                audit.append(
                    session,
                    action="document.failed",
                    actor=SYSTEM_ACTOR.username,
                    channel="system",
                    case_id=result.case_id,
                    payload={"kind": PAPER_KINDS["package"].title, "reason": str(err)[:500]},
                )
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
        last = session.exec(
            select(Decision)
            .where(Decision.case_id == case.id, Decision.stage == result.from_stage)
            .order_by(col(Decision.id).desc())
        ).first()
        round_ = last.round if last else case.round
        for kind_id in wanted:
            kind = PAPER_KINDS[kind_id]
            if kind_id == "consultation" and ctx.consultation_summary(session, case)["总数"] == "0":
                continue
            exists = session.exec(
                select(Attachment.id).where(
                    Attachment.case_id == case.id,
                    Attachment.name == kind.attach_as,
                    Attachment.stage == result.from_stage,
                    Attachment.round == round_,
                    col(Attachment.generated).is_(True),
                )
            ).first()
            if exists is not None:
                continue
            try:
                with session.begin_nested():
                    rendered = _render(session, case, kind, None, office_author())
                    store_generated(
                        session, case, rendered, SYSTEM_ACTOR, stage=result.from_stage, round_=round_
                    )
                made.append(kind.title)
            except Exception as err:  # noqa: BLE001 - the decision is committed; record and go on
                if kind_id == "redline" and isinstance(err, InvalidInput):
                    continue
                audit.append(
                    session,
                    action="document.failed",
                    actor=SYSTEM_ACTOR.username,
                    channel="system",
                    case_id=case.id,
                    payload={"kind": kind.title, "reason": str(err)[:500]},
                )
    return made
