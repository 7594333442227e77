"""Security of the workbench: sessions, CSRF, access to other people's cases, download paths,
hostile uploads, PIN lock-out. Each refusal changes nothing and is audited."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from reviewkit.store.db import session_scope
from reviewkit.store.models import Attachment, AuditEvent, Case, Decision, DocumentVersion, User
from tests.builders import build_docx
from tests.web.conftest import PIN, Env, case_at_legality_review, csrf_of, login


def _events(action: str) -> list[AuditEvent]:
    with session_scope() as session:
        return list(
            session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id)))
        )


def _count(model: type) -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def _blobs(home: Path) -> list[Path]:
    data = home / "data"
    return sorted(p for p in data.rglob("*") if p.is_file()) if data.exists() else []


@pytest.mark.parametrize(
    "path",
    [
        "/inbox",
        "/cases/RK-2026-0001",
        "/cases/RK-2026-0001/versions/1/download",
        "/cases/RK-2026-0001/package",
        "/cases/new",
    ],
)
def test_no_session_goes_to_login(env: Env, path: str) -> None:
    response = env.client().get(path)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_a_forged_session_cookie_goes_to_login(env: Env) -> None:
    client = env.client()
    client.cookies.set("rk_session", "forged-value")
    assert client.get("/inbox").status_code == 303


def test_post_without_a_session_records_nothing(env: Env) -> None:
    number = case_at_legality_review(env.tmp)
    response = env.client().post(
        f"/cases/{number}/decide", data={"decision": "合法", "opinion": "", "csrf_token": "x"}
    )
    assert response.status_code == 303
    with session_scope() as session:
        assert session.exec(select(Decision).where(Decision.stage == "legality_review")).all() == []


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_decide_without_the_csrf_token_is_refused_and_audited(env: Env, token: str | None) -> None:
    number = case_at_legality_review(env.tmp)
    client = env.client()
    login(client, "counsel1")
    data = {"decision": "应当予以修改", "opinion": "请删除第二条。"}
    if token is not None:
        data["csrf_token"] = token
    before = _count(Attachment)
    response = client.post(f"/cases/{number}/decide", data=data)
    assert response.status_code == 403 and "CSRF" in response.text
    with session_scope() as session:
        assert session.exec(select(Decision).where(Decision.stage == "legality_review")).all() == []
        assert session.exec(select(Case)).one().stage == "legality_review"
    assert _count(Attachment) == before  # no 审核意见书 filed either
    refused = _events("web.refused")[-1]
    assert refused.actor == "counsel1" and refused.channel == "web" and "CSRF" in refused.payload


def test_another_sessions_csrf_token_does_not_work(env: Env) -> None:
    number = case_at_legality_review(env.tmp)
    other = env.client()
    stolen = login(other, "counsel1")
    client = env.client()
    login(client, "counsel1")
    response = client.post(f"/cases/{number}/decide", data={"decision": "应当予以修改", "csrf_token": stolen})
    assert response.status_code == 403


def test_login_without_its_csrf_token_is_refused(env: Env) -> None:
    client = env.client()
    client.get("/login")
    response = client.post("/login", data={"username": "counsel1", "pin": PIN, "csrf_token": "nope"})
    assert response.status_code == 403
    assert "rk_session" not in response.headers.get("set-cookie", "")
    assert client.get("/inbox").status_code == 303


def test_someone_elses_case_is_403_and_audited(env: Env) -> None:
    number = case_at_legality_review(env.tmp)
    client = env.client()
    login(client, "drafter2")  # a drafter of another case: no role in this one
    for path in (
        f"/cases/{number}",
        f"/cases/{number}/versions/1/download",
        f"/cases/{number}/materials/1/download",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "没有承办角色" in response.text
    token = csrf_of(client.get("/inbox").text)
    before = _count(DocumentVersion)
    upload = {"draft": ("v2.docx", build_docx(env.tmp / "v2.docx").read_bytes(), "application/octet-stream")}
    response = client.post(f"/cases/{number}/versions", data={"csrf_token": token}, files=upload)
    assert response.status_code == 403 and _count(DocumentVersion) == before
    refused = [e for e in _events("web.refused") if e.actor == "drafter2"]
    assert len(refused) == 4 and all(e.case_id == 1 for e in refused)
    # the drafter of the case, the counsel at its gate and the administrator may open it
    for user in ("drafter1", "counsel1", "admin1"):
        other = env.client()
        login(other, user)
        assert other.get(f"/cases/{number}").status_code == 200, user


@pytest.mark.parametrize(
    "path",
    [
        "/cases/{n}/versions/..%2F..%2F..%2Fetc%2Fpasswd/download",
        "/cases/{n}/versions/../../../etc/passwd/download",
        "/cases/{n}/versions/1%00/download",
        "/cases/{n}/versions/-1/download",
        "/cases/{n}/versions/99/download",
        "/cases/{n}/versions/%EF%BC%91/download",  # a full-width digit one
        "/cases/{n}/materials/..%2F1/download",
        "/cases/{n}/materials/999/download",
        "/cases/..%2F..%2Fetc%2Fpasswd/versions/1/download",
        "/cases/RK-2099-9999/versions/1/download",
        "/static/..%2F..%2Fapp.py",
        "/static/../app.py",
    ],
)
def test_path_tricks_in_download_routes_are_404(env: Env, path: str) -> None:
    number = case_at_legality_review(env.tmp)
    client = env.client()
    login(client, "counsel1")
    response = client.get(path.replace("{n}", number))
    assert response.status_code == 404, (path, response.status_code)
    assert b"root:" not in response.content and b"create_app" not in response.content


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with z.open("word/document.xml", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(110):  # 110 MiB inflated: over the 100 MiB limit
                member.write(chunk)
    return out.getvalue()


def _laughs(tmp: Path) -> bytes:
    good = build_docx(tmp / "laughs-base.docx").read_bytes()
    entities = (
        '<!DOCTYPE w [<!ENTITY a "ha">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + "]>"
    )
    src, out = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                head, rest = text.split("?>", 1)
                data = (head + "?>" + entities + rest.replace("某县", "&j;", 1)).encode("utf-8")
            z.writestr(item, data)
    return out.getvalue()


HOSTILE = {
    "zip bomb": ("草案.docx", _zip_bomb),
    "billion laughs": ("草案.docx", None),
    "pdf renamed": ("草案.docx", lambda: b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"),
    "empty": ("草案.docx", lambda: b""),
    "cut short": ("草案.docx", None),
    "legacy doc": ("草案.doc", lambda: bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512),
    "executable": ("run.exe", lambda: b"MZ\x90\0" + b"\0" * 100),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_uploads_are_one_chinese_line_and_store_nothing(env: Env, kind: str) -> None:
    name, make = HOSTILE[kind]
    if kind == "billion laughs":
        data = _laughs(env.tmp)
    elif kind == "cut short":
        data = build_docx(env.tmp / "whole.docx").read_bytes()[:900]
    else:
        assert make is not None
        data = make()
    client = env.client()
    token = login(client, "drafter1")
    blobs_before, cases_before = _blobs(env.home), _count(Case)
    response = client.post(
        "/cases/new",
        data={
            "csrf_token": token,
            "title": "某县财政专项资金管理办法",
            "unit": "预算股",
            "kind": "normative_document",
        },
        files={"draft": (name, data, "application/octet-stream")},
    )
    assert response.status_code == 400, response.text[:500]
    error = response.text.split('role="alert">', 1)[1].split("</div>", 1)[0]
    assert "\n" not in error.strip() and "Traceback" not in response.text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error)
    assert _count(Case) == cases_before and _blobs(env.home) == blobs_before


def test_oversized_upload_is_refused_before_it_is_stored(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewkit.settings import reset_settings

    monkeypatch.setenv("REVIEWKIT_MAX_UPLOAD_BYTES", "50000")
    reset_settings()
    client = env.client()
    token = login(client, "drafter1")
    response = client.post(
        "/cases/new",
        data={"csrf_token": token, "title": "标题", "unit": "预算股"},
        files={"draft": ("大.docx", b"PK" + b"\0" * 60000, "application/octet-stream")},
    )
    assert response.status_code == 400 and "上限" in response.text and _count(Case) == 0


def test_upload_name_with_a_path_is_reduced_to_a_plain_name(env: Env) -> None:
    client = env.client()
    token = login(client, "drafter1")
    data = build_docx(env.tmp / "ok.docx").read_bytes()
    response = client.post(
        "/cases/new",
        data={
            "csrf_token": token,
            "title": "某县财政专项资金管理办法",
            "unit": "预算股",
            "kind": "normative_document",
        },
        files={"draft": ("../../../etc/草案.docx", data, "application/octet-stream")},
    )
    assert response.status_code == 303
    with session_scope() as session:
        version = session.exec(select(DocumentVersion)).one()
    assert version.filename == "草案.docx"


def test_five_wrong_pins_lock_the_account_as_on_the_cli(env: Env) -> None:
    client = env.client()
    for attempt in range(5):
        form = client.get("/login")
        response = client.post(
            "/login", data={"username": "counsel1", "pin": "999999", "csrf_token": csrf_of(form.text)}
        )
        assert response.status_code == 401 and "PIN 不正确" in response.text, attempt
    assert "锁定" in response.text
    form = client.get("/login")
    response = client.post(
        "/login", data={"username": "counsel1", "pin": PIN, "csrf_token": csrf_of(form.text)}
    )
    assert response.status_code == 401 and "已锁定" in response.text
    assert client.get("/inbox").status_code == 303
    with session_scope() as session:
        assert session.exec(select(User).where(User.username == "counsel1")).one().locked_until is not None
    refused = [e for e in _events("identity.refused") if e.actor == "counsel1"]
    assert len(refused) == 5 and {e.channel for e in refused} == {"web"}


def test_unknown_user_gets_one_chinese_line(env: Env) -> None:
    client = env.client()
    form = client.get("/login")
    response = client.post(
        "/login", data={"username": "nobody", "pin": PIN, "csrf_token": csrf_of(form.text)}
    )
    assert response.status_code == 401 and "名册中没有用户" in response.text


def test_login_next_never_leaves_the_site(env: Env) -> None:
    client = env.client()
    form = client.get("/login?next=//evil.example/x")
    assert "evil" not in form.text
    response = client.post(
        "/login",
        data={
            "username": "counsel1",
            "pin": PIN,
            "csrf_token": csrf_of(form.text),
            "next": "https://evil.example/",
        },
    )
    assert response.headers["location"] == "/inbox"
