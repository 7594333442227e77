"""Every service call of the workbench, in one module. Routes call these functions only; each takes
the proven ``Actor`` the session holds (from ``identity.authenticate_pin``), never a user name typed by
the client, and services refuse anything else. No decision logic here: services check identity, roles, preconditions and
evidence, and audit refusals; this module shapes their answers for the pages.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePath

from sqlmodel import select

from reviewkit.errors import InvalidInput, NotFound, OrchestrationError, PermissionDenied
from reviewkit.services import attachments as attachment_service
from reviewkit.services import cases as case_service
from reviewkit.services import consultation, documents, identity, kernel, packages, queries, stages, workflow
from reviewkit.services.actors import Actor
from reviewkit.services.deadlines import work_calendar
from reviewkit.services.delegation import may_take_task
from reviewkit.services.document_context import Pending
from reviewkit.services.inbox import InboxItem
from reviewkit.services.inbox import inbox as load_inbox
from reviewkit.settings import get_settings
from reviewkit.store import audit, blobs
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Attachment, Case, DocumentVersion
from reviewkit.web.access import require_role_in

CHANNEL = "web"


# --- identity ------------------------------------------------------------------------------------


def login(username: str, pin: str) -> Actor:
    """The same verification and lock-out as the CLI; a wrong PIN is counted and audited there."""
    username = username.strip()
    if not username or not pin:
        raise InvalidInput("请输入用户名和 PIN")
    actor = identity.authenticate_pin(username, pin, channel=CHANNEL)
    _audit(actor, "identity.session_started", None, {"method": "pin"})
    return actor


def logout(actor: Actor, reason: str = "logout") -> None:
    _audit(actor, "identity.session_ended", None, {"reason": reason})


def _audit(actor: Actor, action: str, case_id: int | None, payload: dict[str, object]) -> None:
    with session_scope(write=True) as session:
        audit.append(
            session, action=action, actor=actor.username, channel=CHANNEL, case_id=case_id, payload=payload
        )


def refuse(actor: Actor | None, what: str, reason: str, case_ref: str | None = None) -> None:
    """Audit a refusal that happened in the workbench itself (CSRF, access, a bad upload)."""
    kernel.record_refusal(
        case_ref,
        actor if actor else "（未登录）",
        CHANNEL,
        "web.refused",
        reason,
        {"attempted": what, "auth": actor.auth if actor else ""},
    )


# --- read models ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    item: InboxItem
    working_days_left: int | None
    delegated_from: str | None


INBOX_PAGE = 200  # rows on the page; the count says how many wait in all (reviewkit inbox lists every one)


@dataclass(frozen=True)
class InboxPage:
    tasks: list[Task]
    total: int


def inbox(actor: Actor, *, limit: int | None = None) -> InboxPage:
    """The actor's open gates, earliest due first: the first ``limit`` with working days left counted."""
    today = kernel.local_today()
    cal = work_calendar()
    rows = []
    items = load_inbox(actor)
    for item in items[: INBOX_PAGE if limit is None else limit]:
        left = None
        if item.due_on:
            try:
                from datetime import date

                left = cal.working_days_between(today, date.fromisoformat(item.due_on))
            except InvalidInput:
                left = item.days_left
        principal = item.assignee if item.assignee and item.assignee != actor.username else None
        if principal is None:
            own = set(item.roles.split("、"))
            principal = next(
                (p for p, r in actor.delegations if r not in actor.own_roles and _role_named(r) in own), None
            )
        rows.append(Task(item, left, principal))
    return InboxPage(rows, len(items))


def _role_named(role: str) -> str:
    from reviewkit.domain.roles import role_name

    return role_name(role)


@dataclass(frozen=True)
class Choice:
    label: str
    outcome: str
    waives_evidence: bool
    needs_facts: list[str]


@dataclass(frozen=True)
class Gate:
    stage: str
    stage_name: str
    round: int
    due_on: str | None
    working_days_left: int | None
    choices: list[Choice]
    evidence: list[str]
    papers: list[str]  # papers the workbench renders from the opinion and files on confirmation
    facts: dict[str, str]
    drafting_side: bool


@dataclass(frozen=True)
class CasePage:
    detail: queries.CaseDetail
    materials: list[documents.MaterialRow]
    comments: list[consultation.CommentRow]
    gate: Gate | None
    run_url: str | None
    evidence_names: list[str]
    may_submit: bool
    may_attach: bool
    may_package: bool
    flags: dict[str, str] = field(default_factory=dict)
    latest_seq: int = 0
    findings: list[dict[str, object]] = field(
        default_factory=list
    )  # the latest version's, with their paragraph


def _case_for(session: object, actor: Actor, number: str) -> Case:
    from sqlmodel import Session

    assert isinstance(session, Session)
    case = session.exec(select(Case).where(Case.number == number)).first()
    if case is None:
        raise NotFound(f"没有案件“{number}”")
    try:
        require_role_in(session, actor, case)
    except PermissionDenied as err:
        refuse(actor, f"查看案件 {number}", str(err), number)
        raise
    return case


def check_access(actor: Actor, number: str) -> int:
    require_schema()
    with session_scope() as session:
        return _case_for(session, actor, number).id or 0


def case_page(actor: Actor, number: str) -> CasePage:
    require_schema()
    with session_scope() as session:
        case = _case_for(session, actor, number)
        definition = kernel.definition_of(case)
        gate = _gate(session, actor, case, definition)
        evidence = attachment_service.evidence_names(definition)
        flags = dict(definition.flags)
        stage_roles = set(definition.stage(case.stage).roles)
    detail = queries.case_detail(number)
    latest = max(detail.versions, key=lambda v: v["seq"], default=None)
    findings = _findings_in_text(detail, latest) if latest else []
    may_submit = bool(actor.roles & stages.AUTHORING_ROLES) and detail.case.status == "open"
    # as services.attachments.attach allows: the current stage's people (or an admin) put materials on file
    may_attach = detail.case.status == "open" and bool(
        actor.roles & (stage_roles | {"admin"} | stages.AUTHORING_ROLES)
    )
    return CasePage(
        detail=detail,
        materials=documents.list_materials(number),
        comments=consultation.list_comments(number),
        gate=gate,
        run_url=run_url(detail.flow_run_id),
        evidence_names=evidence,
        may_submit=may_submit,
        may_attach=may_attach,
        may_package=bool(actor.roles & {"filing_clerk", "admin"}) and detail.case.doc_number is not None,
        flags=flags,
        latest_seq=latest["seq"] if latest else 0,
        findings=findings,
    )


def _findings_in_text(detail: queries.CaseDetail, latest: dict[str, object]) -> list[dict[str, object]]:
    """The latest version's findings, each with the whole paragraph it refers to, split around the
    flagged words (``before``/``hit``/``after``) so the page can mark them."""
    rows = [f for f in detail.findings if f["version_seq"] == latest["seq"]]
    if not rows:
        return []
    try:
        texts = _paragraphs_of(str(latest["sha256"]), str(latest["filename"]))
    except Exception:  # noqa: BLE001 - the page still shows the findings' own excerpts
        texts = {}
    out = []
    for f in rows:
        para = texts.get(f["paragraph"]) if isinstance(f["paragraph"], int) else None
        hit = str(f["text"] or "")
        if para and hit and hit in para:
            before, _, after = para.partition(hit)
        else:
            before, hit, after = (para or ""), ("" if para else hit), ""
        out.append({**f, "before": before, "hit": hit, "after": after})
    return out


@lru_cache(maxsize=64)
def _paragraphs_of(sha256: str, filename: str) -> dict[int, str]:
    """Paragraph index → text of a stored version (parsed once per SHA-256; a version never changes)."""
    from reviewkit.documents.parse import parse_bytes

    data = blobs.read_bytes(get_settings().resolved_data_dir, sha256)
    return {p.index: p.text for p in parse_bytes(data, filename).paragraphs}


def _gate(session: object, actor: Actor, case: Case, definition: object) -> Gate | None:
    from sqlmodel import Session

    from reviewkit.domain.process import ProcessDefinition

    assert isinstance(session, Session) and isinstance(definition, ProcessDefinition)
    task = kernel.open_task(session, case)
    if task is None or not set(task.candidate_roles) & actor.roles:
        return None
    try:
        may_take_task(session, actor, task)
    except PermissionDenied:
        return None
    spec = definition.stage(task.stage)
    left = None
    if task.due_on:
        try:
            left = work_calendar().working_days_between(kernel.local_today(), task.due_on)
        except InvalidInput:
            left = None
    choices = [
        Choice(d.label, d.outcome, d.waive_evidence, [r.fact for r in d.requires if r.fact])
        for d in spec.decisions
    ]
    return Gate(
        stage=spec.id,
        stage_name=spec.name,
        round=task.round,
        due_on=task.due_on.isoformat() if task.due_on else None,
        working_days_left=left,
        choices=choices,
        evidence=list(spec.evidence),
        papers=[k.title for k in documents.stage_papers(case, spec.id)],
        facts=dict(definition.facts),
        drafting_side=set(spec.roles) <= stages.AUTHORING_ROLES,
    )


def run_url(flow_run_id: str | None) -> str | None:
    """The Prefect V2 run page, for monitoring (never the V1 page with its red Cancel)."""
    if not flow_run_id:
        return None
    from reviewkit.orchestration.env import configured_api_url

    return f"{configured_api_url().removesuffix('/api')}/v2/runs/flow-run/{flow_run_id}"


# --- downloads -----------------------------------------------------------------------------------


def version_bytes(actor: Actor, number: str, seq: int) -> tuple[str, bytes]:
    require_schema()
    with session_scope() as session:
        case = _case_for(session, actor, number)
        version = session.exec(
            select(DocumentVersion).where(DocumentVersion.case_id == case.id, DocumentVersion.seq == seq)
        ).first()
        if version is None:
            raise NotFound(f"案件 {number} 没有第 {seq} 稿")
        name, sha = version.filename, version.sha256
    return name, blobs.read_bytes(get_settings().resolved_data_dir, sha)


def material_bytes(actor: Actor, number: str, material_id: int) -> tuple[str, bytes]:
    require_schema()
    with session_scope() as session:
        case = _case_for(session, actor, number)
        row = session.exec(
            select(Attachment).where(Attachment.case_id == case.id, Attachment.id == material_id)
        ).first()
        if row is None:
            raise NotFound(f"案件 {number} 没有这份材料")
        name, sha = row.filename, row.sha256
    return name, blobs.read_bytes(get_settings().resolved_data_dir, sha)


def package_bytes(actor: Actor, number: str) -> tuple[str, bytes]:
    check_access(actor, number)
    data, _ = packages.build_package(number, actor)
    return f"备案材料包-{number}.zip", data


# --- deciding ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    title: str
    filename: str
    paragraphs: list[str]
    sha256: str


def _facts(facts_text: str) -> tuple[list[str], tuple[tuple[str, str], ...]]:
    """The form's facts box, read as the CLI's ``--fact`` lines (services re-check them)."""
    from reviewkit.services.facts import parse_fact_lines, split_form_text

    lines = split_form_text(facts_text)
    return lines, tuple(parse_fact_lines(lines).items())


def preview(actor: Actor, number: str, decision: str, opinion: str, facts_text: str = "") -> list[Preview]:
    """The stage's papers as they would be filed with this decision (nothing is stored)."""
    _, facts = _facts(facts_text)
    page = case_page(actor, number)
    if page.gate is None:
        raise PermissionDenied(f"{actor.label}在案件 {number} 当前没有待办")
    choice = next((c for c in page.gate.choices if c.label == decision), None)
    if choice is None or choice.waives_evidence:
        return []
    out = []
    for title in page.gate.papers:
        rendered = documents.render_document(
            number, title, pending=Pending(decision, opinion.strip(), actor.username, facts)
        )
        out.append(
            Preview(rendered.kind.title, rendered.filename, _paragraphs(rendered.data), rendered.sha256)
        )
    return out


def _paragraphs(data: bytes) -> list[str]:
    import io

    import docx

    doc = docx.Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs if p.text.strip()]
    for table in doc.tables:
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell.text not in cells:
                    cells.append(cell.text)
            lines.append(" ｜ ".join(cells))
    return lines


@dataclass(frozen=True)
class Decided:
    result: workflow.DecisionResult
    flow_note: str
    filed: list[str]


def decide(actor: Actor, number: str, decision: str, opinion: str, facts_text: str = "") -> Decided:
    """File the stage's papers rendered from this opinion (the copy the person confirmed), then record
    the decision through the one pipeline, then wake the run. A refusal is audited by services."""
    check_access(actor, number)
    fact_lines, facts = _facts(facts_text)
    page = case_page(actor, number)
    filed: list[str] = []
    choice = next((c for c in page.gate.choices if c.label == decision.strip()), None) if page.gate else None
    if page.gate is not None and choice is not None and not choice.waives_evidence:
        for title in page.gate.papers:
            item = documents.file_document(
                number,
                title,
                actor,
                pending=Pending(decision.strip(), opinion.strip(), actor.username, facts),
            )
            filed.append(item.name)
    result = workflow.decide(number, decision, actor, opinion=opinion, fact_lines=fact_lines)
    return Decided(result, result.flow_note, filed)


# --- the drafting side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def safe_name(raw: str, default: str) -> str:
    """The upload's own file name, reduced to a plain name (no folders, no control characters)."""
    name = unicodedata.normalize("NFC", PurePath(raw.replace("\\", "/")).name if raw else "")
    name = _UNSAFE.sub("_", name).strip(" .")
    return name[:120] or default


@contextmanager
def _staged(upload: Upload, default: str) -> Iterator[Path]:
    """The upload as a private temporary file (services read files), removed afterwards."""
    limit = get_settings().max_upload_bytes
    if len(upload.data) > limit:
        raise InvalidInput(
            f"文件《{safe_name(upload.filename, default)}》超过 {limit // (1024 * 1024)} MB 上限"
        )
    folder = Path(tempfile.mkdtemp(prefix="rk-web-"))
    try:
        path = folder / safe_name(upload.filename, default)
        path.write_bytes(upload.data)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def start_case(actor: Actor, upload: Upload, *, title: str, unit: str, kind: str, flags: list[str]) -> Case:
    with _staged(upload, "送审稿.docx") as path:
        case = case_service.start_case(
            case_service.NewCase(
                kind=kind,
                title=title,
                drafting_unit=unit,
                drafter=actor.username,
                draft=path,
                flags=frozenset(flags),
            ),
            actor,
        )
    assert case.id is not None
    start_run(case.id)
    return case


def start_run(case_id: int) -> str:
    """Start the case's flow run when a Prefect server answers; the case stands either way."""
    from reviewkit.orchestration.env import configured_api_url
    from reviewkit.orchestration.server import healthy

    if not healthy(configured_api_url()):
        return "Prefect 服务器未运行：案件已登记；运行 reviewkit worker 后将自动启动其流程。"
    from reviewkit.orchestration.runs import start_run as start

    try:
        return f"已启动流程运行 {start(case_id)}。"
    except OrchestrationError as err:
        return str(err)


def submit_version(actor: Actor, number: str, upload: Upload, note: str) -> DocumentVersion:
    check_access(actor, number)
    with _staged(upload, "修改稿.docx") as path:
        return case_service.submit_version(number, path, actor, note=note)


def attach(actor: Actor, number: str, name: str, upload: Upload) -> Attachment:
    check_access(actor, number)
    with _staged(upload, "材料.docx") as path:
        return attachment_service.attach(number, name, path, actor)


def add_comment(actor: Actor, number: str, comment: consultation.NewComment) -> int:
    check_access(actor, number)
    return consultation.add(number, [comment], actor)


def import_comments(actor: Actor, number: str, upload: Upload) -> int:
    check_access(actor, number)
    with _staged(upload, "意见.csv") as path:
        return consultation.import_csv(number, path, actor)


def case_kinds() -> list[tuple[str, str, dict[str, str]]]:
    """(kind, Chinese name, flags) of every process definition, for the new-case form."""
    from reviewkit.domain.process import load_definition

    folder = get_settings().templates_dir / "processes"
    out = []
    for path in sorted(folder.glob("*.toml")):
        try:
            d = load_definition(path.stem, folder)
        except Exception:  # noqa: BLE001 - a broken definition is reported by `process check`
            continue
        out.append((d.kind, d.name, dict(d.flags)))
    return out
