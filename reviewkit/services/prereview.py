"""The automatic pre-review stage: parse the current version, run the rules, store the findings."""

from __future__ import annotations

from sqlmodel import Session

from reviewkit.documents.parse import parse_bytes
from reviewkit.rules import run_rules
from reviewkit.services.actors import SYSTEM_ACTOR
from reviewkit.settings import get_settings
from reviewkit.store import audit, blobs
from reviewkit.store.models import Case, DocumentVersion, Finding, utcnow


def review_version(session: Session, case: Case, version: DocumentVersion) -> int:
    """Store the findings of ``version`` once; a second call for the same version does nothing."""
    if version.prereviewed_at is not None:
        return 0
    settings = get_settings()
    data = blobs.read_bytes(settings.resolved_data_dir, version.sha256)
    parsed = parse_bytes(data, version.filename, max_paragraphs=settings.max_paragraphs)
    findings = run_rules(parsed)
    assert case.id is not None and version.id is not None
    for f in findings:
        session.add(
            Finding(
                case_id=case.id,
                version_id=version.id,
                rule_id=f.rule_id,
                category=f.category,
                severity=f.severity,
                paragraph=f.paragraph,
                text=f.text,
                message=f.message,
                basis=f.basis,
                suggestion=f.suggestion or "",
            )
        )
    version.prereviewed_at = utcnow()
    session.add(version)
    by_severity: dict[str, int] = {}
    for f in findings:
        by_severity[f.severity] = by_severity.get(f.severity, 0) + 1
    audit.append(
        session,
        action="prereview.completed",
        actor=SYSTEM_ACTOR.username,
        channel="system",
        case_id=case.id,
        payload={
            "version_seq": version.seq,
            "sha256": version.sha256,
            "findings": len(findings),
            "by_severity": by_severity,
            "rules": sorted({f.rule_id for f in findings}),
        },
    )
    return len(findings)
