"""The register: entries from published cases, 有效期 from the text or the defaults, 清理 reminders,
changed laws, expiry and repeal (audited)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from reviewkit.errors import InvalidInput, NotFound
from reviewkit.services import register
from reviewkit.settings import get_settings
from reviewkit.store import blobs
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import AuditEvent, Case, DocumentVersion
from tests.builders import build_docx
from tests.history import generate


def _published(
    tmp_path: Path, number: str, title: str, articles: list[str], published: date, doc_number: str
) -> None:
    data = build_docx(tmp_path / f"{number}.docx", title=title, articles=articles).read_bytes()
    stored = blobs.put_bytes(get_settings().resolved_data_dir, data)
    from reviewkit.domain.process import load_definition

    d = load_definition("normative_document", get_settings().templates_dir / "processes")
    with session_scope(write=True) as session:
        case = Case(
            number=number,
            kind=d.kind,
            process_version=d.version,
            process_fingerprint=d.fingerprint,
            process_snapshot=d.source,
            title=title,
            drafting_unit="预算股",
            drafter="d1",
            stage="filed",
            status="closed",
            published_on=published,
            doc_number=doc_number,
        )
        session.add(case)
        session.flush()
        v = DocumentVersion(
            case_id=case.id or 0,
            seq=1,
            filename=f"{number}.docx",
            sha256=stored.sha256,
            size=stored.size,
            submitted_by="d1",
        )
        session.add(v)
        session.flush()
        case.current_version_id = v.id
        session.add(case)


def test_terms_come_from_the_text_or_the_defaults(db_url: str, tmp_path: Path) -> None:
    require_schema()
    _published(
        tmp_path,
        "RK-2019-0001",
        "某县财政专项资金管理办法",
        [
            "第一条　根据《中华人民共和国公司法》《中华人民共和国预算法》，制定本办法。",
            "第二条　本办法自2019年3月1日起施行，有效期5年。",
        ],
        date(2019, 2, 1),
        "某财规〔2019〕1号",
    )
    _published(
        tmp_path,
        "RK-2023-0001",
        "某县政府采购代理机构监督管理暂行办法",
        ["第一条　为规范代理机构，制定本办法。", "第二条　本办法自公布之日起施行。"],
        date(2023, 5, 10),
        "某财规〔2023〕1号",
    )
    _published(
        tmp_path,
        "RK-2023-0002",
        "某县会计人员继续教育管理办法",
        [
            "第一条　为规范继续教育，制定本办法。",
            "第二条　本办法自2023年7月1日起施行，有效期至2025年12月31日。",
        ],
        date(2023, 6, 1),
        "某财规〔2023〕2号",
    )
    assert register.sync_register() == 3
    assert register.sync_register() == 0  # once
    rows = {r.doc_number: r for r in register.list_register(date(2023, 9, 1))}
    first = rows["某财规〔2019〕1号"]
    # Legal review 2026-12 D6: a 5-year term from 2019-03-01 ends the day before the anniversary (民法典第二百零二条;
    # the old expectation, the anniversary 2024-03-01 itself, was one day too long).
    assert (first.effective_on, first.expires_on, first.expiry_basis) == (
        "2019-03-01",
        "2024-02-29",
        "document",
    )
    assert first.cleanup_due  # within six months of 2024-02-29
    assert any("公司法" in c and "2024年7月1日" in c for c in first.law_changes)
    trial = rows["某财规〔2023〕1号"]
    assert (trial.effective_on, trial.expires_on, trial.expiry_basis) == (
        "2023-05-10",
        "2025-05-09",
        "default",
    )
    assert not trial.cleanup_due and trial.law_changes == []
    assert rows["某财规〔2023〕2号"].expires_on == "2025-12-31"
    assert [r.doc_number for r in register.list_register(date(2023, 9, 1), attention=True)] == [
        "某财规〔2019〕1号"
    ]

    assert [r.doc_number for r in register.expire(date(2024, 3, 2))] == ["某财规〔2019〕1号"]
    assert register.show_entry("某财规〔2019〕1号", date(2024, 3, 2)).status_name == "失效"
    with pytest.raises(InvalidInput, match="理由"):
        register.expire(date(2024, 3, 2), ref="某财规〔2023〕1号", status="废止")
    register.expire(date(2024, 3, 2), ref="RK-2023-0001", status="废止", reason="被某财规〔2024〕3号取代")
    assert [r.doc_number for r in register.list_register(date(2024, 3, 2), status="废止")] == [
        "某财规〔2023〕1号"
    ]
    with pytest.raises(NotFound):
        register.show_entry("某财规〔2099〕9号", date(2024, 3, 2))
    with session_scope() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "register.status_changed")).all()
    assert len(events) == 2


def test_history_documents_get_default_terms(db_url: str) -> None:
    truth = generate(120, first=date(2022, 1, 1), last=date(2022, 12, 31), cutoff=date(2023, 3, 1))
    published = {c.doc_number: c for c in truth.cases if c.doc_number}
    rows = register.list_register(date(2023, 3, 1))
    assert {r.doc_number for r in rows} == set(published)
    for r in rows:
        c = published[r.doc_number]
        years = 2 if ("暂行" in c.title or "试行" in c.title) else 5
        assert r.expires_on == register.term_end(c.published, years).isoformat()  # type: ignore[arg-type]
