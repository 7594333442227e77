"""登记簿: the register of issued normative documents, their 有效期, status, 清理 reminders and the
"a cited law changed" flag (from the law-status catalog).

An entry is made for every published normative-document case (``sync_register``, run by the register
commands and the daily flow). The 施行日期 and 有效期 come from the published text when it says so
(“自2027年1月1日起施行”, “有效期5年”, “有效期至……”); otherwise 施行 = publication day and the default
有效期 (5 years; 2 for 暂行/试行, settings ``validity_years`` / ``trial_validity_years``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from reviewkit.errors import InvalidInput, NotFound
from reviewkit.rules.catalog import LawCatalog, default_catalog, normalize_law_name
from reviewkit.settings import get_settings
from reviewkit.store import audit
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Case, DocumentVersion, RegisterEntry, utcnow

STATUS_NAMES = {"in_force": "有效", "expired": "失效", "repealed": "废止", "amended": "已修改"}
STATUS_BY_NAME = {v: k for k, v in STATUS_NAMES.items()} | {k: k for k in STATUS_NAMES}
LAW_VERBS = {"repealed": "废止", "superseded": "被取代", "revised": "修订"}


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 2月29日
        return d.replace(year=d.year + years, day=28)


def term_end(effective: date, years: int) -> date:
    """The last day of a term of ``years`` years that starts on ``effective`` (its first day, as in
    "自2027年1月1日起施行，有效期2年" → 有效期至2028年12月31日): the day before the anniversary. 民法典 第二百零二条:
    按照年计算期间的，到期年的对应日为期间的最后一日 — counted from the day before 施行 (the term's first day is the
    施行日 itself, 第二百零一条). Legal review 2026-12, D6: the register printed the anniversary (2029-01-01)."""
    return add_years(effective, years) - timedelta(days=1)


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    day = (
        min(d.day, 28) if m + 1 == 2 else min(d.day, 30) if d.day == 31 and m + 1 in (4, 6, 9, 11) else d.day
    )
    return d.replace(year=d.year + y, month=m + 1, day=day)


@dataclass(frozen=True)
class Terms:
    effective_on: date
    expires_on: date
    basis: str  # document / default
    trial: bool
    cited_laws: tuple[str, ...] = ()


def terms_of(text: str | None, title: str, published_on: date) -> Terms:
    """施行日期 and 有效期 from the document's text (when it has one), else the defaults."""
    from reviewkit.rules.citation import CITED
    from reviewkit.rules.form import TRIAL_RE, UNTIL_RE, YEARS_RE, effective_date
    from reviewkit.rules.numerals import cn_to_int
    from reviewkit.rules.structure import find_dates

    settings = get_settings()
    trial = bool(TRIAL_RE.search(title))
    years = settings.trial_validity_years if trial else settings.validity_years
    if not text:
        return Terms(published_on, term_end(published_on, years), "default", trial)
    from reviewkit.documents.parse import parse_text

    doc = parse_text(text, "register.txt")
    effective = effective_date(doc) or published_on
    cited = tuple(dict.fromkeys(normalize_law_name(m.group(1)) for m in CITED.finditer(text)))
    for para in doc.paragraphs:
        m = YEARS_RE.search(para.text)
        if m and (n := cn_to_int(m.group(1))):
            return Terms(effective, term_end(effective, int(n)), "document", trial, cited)
        until = UNTIL_RE.search(para.text) if "有效" in para.text else None
        found = find_dates(para.index, until.group(1)) if until else []
        if found and found[0].value:
            return Terms(effective, found[0].value, "document", trial, cited)
    return Terms(effective, term_end(effective, years), "default", trial, cited)


def _document_text(session: Session, case: Case) -> str | None:
    from reviewkit.documents.parse import parse_bytes
    from reviewkit.store.blobs import read_bytes

    version = session.get(DocumentVersion, case.current_version_id) if case.current_version_id else None
    if version is None:
        return None
    try:
        data = read_bytes(get_settings().resolved_data_dir, version.sha256)
        return parse_bytes(data, version.filename).text
    except Exception:  # noqa: BLE001 - a missing or unreadable file falls back to the defaults
        return None


def sync_register() -> int:
    """Enter every published normative document not yet in the register; returns how many."""
    require_schema()
    added = 0
    with session_scope(write=True) as session:
        known = set(session.exec(select(RegisterEntry.case_id)).all())
        cases = session.exec(
            select(Case).where(
                Case.kind == "normative_document",
                col(Case.published_on).is_not(None),
                col(Case.doc_number).is_not(None),
            )
        ).all()
        for case in cases:
            if case.id in known or case.published_on is None or case.doc_number is None:
                continue
            terms = terms_of(_document_text(session, case), case.title, case.published_on)
            entry = RegisterEntry(
                case_id=case.id,
                doc_number=case.doc_number,
                title=case.title,
                issuer=case.drafting_unit,
                published_on=case.published_on,
                effective_on=terms.effective_on,
                expires_on=terms.expires_on,
                expiry_basis=terms.basis,
                trial=terms.trial,
                cited_laws=list(terms.cited_laws),
            )
            session.add(entry)
            audit.append(
                session,
                action="register.entered",
                actor="system",
                channel="system",
                case_id=case.id,
                payload={
                    "doc_number": entry.doc_number,
                    "effective_on": entry.effective_on.isoformat(),
                    "expires_on": entry.expires_on.isoformat(),
                    "basis": entry.expiry_basis,
                },
            )
            added += 1
    return added


@dataclass
class RegisterRow:
    id: int
    doc_number: str
    title: str
    issuer: str
    published_on: str
    effective_on: str
    expires_on: str
    expiry_basis: str
    status: str
    status_name: str
    status_on: str | None
    status_reason: str
    cleanup_due: bool
    law_changes: list[str] = field(default_factory=list)
    case_number: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def law_changes(entry: RegisterEntry, catalog: LawCatalog) -> list[str]:
    """Cited laws the catalog says were repealed, superseded or revised after the document was issued."""
    out = []
    for name in entry.cited_laws:
        law = catalog.lookup(name)
        if law is not None and law.status in LAW_VERBS and law.date > entry.published_on:
            out.append(
                f"《{name}》已于{law.date.year}年{law.date.month}月{law.date.day}日{LAW_VERBS[law.status]}"
                f"（法律状态目录截至{catalog.as_of_label}），需评估是否修改"
            )
    return out


def _row(entry: RegisterEntry, today: date, catalog: LawCatalog, numbers: dict[int, str]) -> RegisterRow:
    notice = add_months(entry.expires_on, -get_settings().cleanup_notice_months)
    return RegisterRow(
        id=entry.id or 0,
        doc_number=entry.doc_number,
        title=entry.title,
        issuer=entry.issuer,
        published_on=entry.published_on.isoformat(),
        effective_on=entry.effective_on.isoformat(),
        expires_on=entry.expires_on.isoformat(),
        expiry_basis=entry.expiry_basis,
        status=entry.status,
        status_name=STATUS_NAMES.get(entry.status, entry.status),
        status_on=entry.status_on.isoformat() if entry.status_on else None,
        status_reason=entry.status_reason,
        cleanup_due=entry.status == "in_force" and notice <= today,
        law_changes=law_changes(entry, catalog) if entry.status == "in_force" else [],
        case_number=numbers.get(entry.case_id or 0),
    )


def list_register(today: date, *, status: str | None = None, attention: bool = False) -> list[RegisterRow]:
    """The register (newest first). ``attention``: only entries due for 清理 or with a changed law."""
    sync_register()
    catalog = default_catalog()
    with session_scope() as session:
        query = select(RegisterEntry).order_by(
            col(RegisterEntry.published_on).desc(), col(RegisterEntry.id).desc()
        )
        if status:
            if status not in STATUS_BY_NAME:
                raise InvalidInput(f"状态“{status}”无效，可选：{'、'.join(STATUS_NAMES.values())}")
            query = query.where(RegisterEntry.status == STATUS_BY_NAME[status])
        numbers = {
            c.id or 0: c.number for c in session.exec(select(Case).where(Case.kind == "normative_document"))
        }
        rows = [_row(e, today, catalog, numbers) for e in session.exec(query).all()]
    return [r for r in rows if r.cleanup_due or r.law_changes] if attention else rows


def _find(session: Session, ref: str) -> RegisterEntry:
    entry = session.exec(select(RegisterEntry).where(RegisterEntry.doc_number == ref)).first()
    if entry is None and ref.isdigit():
        entry = session.get(RegisterEntry, int(ref))
    if entry is None:
        case = session.exec(select(Case).where(Case.number == ref)).first()
        if case is not None:
            entry = session.exec(select(RegisterEntry).where(RegisterEntry.case_id == case.id)).first()
    if entry is None:
        raise NotFound(f"登记簿中没有“{ref}”")
    return entry


def show_entry(ref: str, today: date) -> RegisterRow:
    sync_register()
    with session_scope() as session:
        entry = _find(session, ref)
        case = session.get(Case, entry.case_id) if entry.case_id else None
        numbers = {case.id or 0: case.number} if case else {}
        return _row(entry, today, default_catalog(), numbers)


def expire(
    today: date,
    *,
    ref: str | None = None,
    status: str = "expired",
    reason: str = "",
    actor: str = "system",
    channel: str = "system",
) -> list[RegisterRow]:
    """Without ``ref``: every entry in force whose 有效期 ended before ``today`` becomes 失效. With ``ref``:
    that entry takes ``status`` (失效 / 废止 / 已修改) with a reason. Each change is audited."""
    if status not in STATUS_BY_NAME or STATUS_BY_NAME[status] == "in_force":
        raise InvalidInput(f"状态“{status}”无效，可选：失效、废止、已修改")
    code = STATUS_BY_NAME[status]
    if ref is not None and code != "expired" and not reason.strip():
        raise InvalidInput("废止或修改须写明理由（--reason）")
    sync_register()
    changed = []
    with session_scope(write=True) as session:
        if ref is not None:
            targets = [_find(session, ref)]
            if targets[0].status != "in_force":
                raise InvalidInput(f"{targets[0].doc_number} 已是“{STATUS_NAMES[targets[0].status]}”状态")
        else:
            targets = list(
                session.exec(
                    select(RegisterEntry).where(
                        RegisterEntry.status == "in_force", RegisterEntry.expires_on < today
                    )
                ).all()
            )
        for entry in targets:
            entry.status, entry.status_on, entry.updated_at = code, today, utcnow()
            entry.status_reason = reason.strip() or f"有效期至{entry.expires_on.isoformat()}届满"
            session.add(entry)
            audit.append(
                session,
                action="register.status_changed",
                actor=actor,
                channel=channel,
                case_id=entry.case_id,
                payload={
                    "doc_number": entry.doc_number,
                    "status": code,
                    "reason": entry.status_reason,
                    "on": today.isoformat(),
                },
            )
            changed.append(entry)
        catalog = default_catalog()
        return [_row(e, today, catalog, {}) for e in changed]
