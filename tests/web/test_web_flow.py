"""The demo case carried through the workbench over HTTP by the sample roster, each person logged in
with their PIN: drafter → consultation → fair competition → counsel (one 应当予以修改 round with an
uploaded revision) → risk → deliberation → numbering → filing. The case ends filed, every decision
recorded on channel ``web`` with PIN proof, the stage papers filed, the audit chain intact."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import col, select

from reviewkit.services.audit_trail import verify
from reviewkit.store.db import session_scope
from reviewkit.store.models import Attachment, AuditEvent, Case, Decision
from tests.web.conftest import csrf_of
from tests.web.flow import (
    COMMENTS_CSV,
    EXPECTED_STAGES,
    PIN,
    material_docx,
    prepare_roster,
    run_automatic_stages,
    samples,
    steps,
)


def _client() -> TestClient:
    from reviewkit.web.app import create_app

    return TestClient(create_app(), base_url="http://127.0.0.1", follow_redirects=False)


def _login(client: TestClient, user: str) -> None:
    form = client.get("/login")
    response = client.post("/login", data={"username": user, "pin": PIN, "csrf_token": csrf_of(form.text)})
    assert response.status_code == 303, response.text


def _ok(response: object, where: str) -> None:
    status = getattr(response, "status_code", 0)
    assert status == 303, f"{where}: {status} {getattr(response, 'text', '')[:800]}"


def test_the_demo_case_through_the_workbench(isolated_home: Path, tmp_path: Path) -> None:
    prepare_roster()
    clients: dict[str, TestClient] = {}

    def as_user(user: str) -> TestClient:
        if user not in clients:
            clients[user] = _client()
            _login(clients[user], user)
        return clients[user]

    drafter = as_user("zhangwei")
    form = drafter.get("/cases/new")
    assert "发起审核案件" in form.text
    response = drafter.post(
        "/cases/new",
        data={
            "csrf_token": csrf_of(form.text),
            "title": "某县政府采购代理机构监督管理暂行办法",
            "unit": "某县财政局政府采购股",
            "kind": "normative_document",
            "flags": ["touches_business", "risk_flagged"],
        },
        files={
            "draft": ("draft-v1.docx", (samples() / "draft-v1.docx").read_bytes(), "application/octet-stream")
        },
    )
    _ok(response, "case new")
    number = response.headers["location"].rsplit("/", 1)[1]

    for step in steps():
        run_automatic_stages(number)
        client = as_user(step.user)
        inbox = client.get("/inbox").text
        assert number in inbox, f"{step.user} does not see {number} at {step.stage}"
        page = client.get(f"/cases/{number}").text
        token = csrf_of(page)
        if step.attach:
            path = material_docx(tmp_path / "materials", step.attach)
            _ok(
                client.post(
                    f"/cases/{number}/materials",
                    data={"csrf_token": token, "name": step.attach},
                    files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
                ),
                "attach",
            )
        if step.comments_csv:
            _ok(
                client.post(
                    f"/cases/{number}/comments/import",
                    data={"csrf_token": token},
                    files={"file": ("意见.csv", COMMENTS_CSV.encode("utf-8"), "text/csv")},
                ),
                "comments",
            )
        if step.upload_version:
            data = (samples() / step.upload_version).read_bytes()
            _ok(
                client.post(
                    f"/cases/{number}/versions",
                    data={"csrf_token": token, "note": "修改稿"},
                    files={"draft": (step.upload_version, data, "application/octet-stream")},
                ),
                "submit",
            )
        fields = {
            "decision": step.decision,
            "opinion": step.opinion,
            "facts": step.facts,
            "csrf_token": token,
        }
        confirm = client.post(f"/cases/{number}/preview", data=fields)
        assert confirm.status_code == 200, f"{step.stage}: {confirm.text[:800]}"
        done = client.post(f"/cases/{number}/decide", data={**fields, "csrf_token": csrf_of(confirm.text)})
        _ok(done, f"decide at {step.stage}")
        after = client.get(f"/cases/{number}").text
        assert f"作出“{step.decision}”" in after

    with session_scope() as session:
        case = session.exec(select(Case)).one()
        decisions = session.exec(select(Decision).order_by(col(Decision.id))).all()
        papers = session.exec(select(Attachment.name).where(col(Attachment.generated).is_(True))).all()
        recorded = session.exec(select(AuditEvent).where(AuditEvent.action == "decision.recorded")).all()
    assert case.stage == "filed" and case.status == "closed" and case.doc_number
    assert [d.stage for d in decisions] == EXPECTED_STAGES
    assert {d.channel for d in decisions} == {"web"}
    assert {json.loads(e.payload)["auth"] for e in recorded} == {"pin"}
    for paper in (
        "征求意见采纳情况",
        "公平竞争审查结论",
        "审核意见书",
        "修改对照稿",
        "风险评估报告",
        "集体审议记录",
        "规范性文件登记表",
        "正式文本",
        "备案报告",
        "备案材料包",
    ):
        assert paper in papers, paper
    report = verify()
    assert report.broken is None and report.count > 50, report

    clerk = as_user("liuyang")
    package = clerk.get(f"/cases/{number}/package")
    assert package.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(package.content)).namelist()
    assert any("审核意见书" in n for n in names) and any("清单" in n for n in names)
    assert as_user("zhangwei").get(f"/cases/{number}/package").status_code == 403  # not a filing clerk
