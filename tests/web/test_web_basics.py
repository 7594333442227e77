"""The workbench contract: health, login/logout, sessions, inbox, case page, download, decide."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from reviewkit.store.db import session_scope
from reviewkit.store.models import AuditEvent, Case, Decision, DocumentVersion
from tests.web.conftest import Env, case_at_legality_review, csrf_of, login


def _legality_decisions() -> list[Decision]:
    with session_scope() as session:
        return list(session.exec(select(Decision).where(Decision.stage == "legality_review")))


def _events(action: str) -> list[AuditEvent]:
    with session_scope() as session:
        return list(
            session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id)))
        )


def test_health_and_login_form(env: Env) -> None:
    client = env.client()
    assert client.get("/healthz").status_code == 200
    page = client.get("/login")
    assert page.status_code == 200
    for field in ('name="username"', 'name="pin"', 'type="hidden" name="csrf_token"'):
        assert field in page.text
    assert "登录" in page.text


def test_login_sets_a_hardened_session_cookie_and_logout_ends_it(env: Env) -> None:
    client = env.client()
    form = client.get("/login")
    response = client.post(
        "/login", data={"username": "counsel1", "pin": "246813", "csrf_token": csrf_of(form.text)}
    )
    assert response.status_code == 303 and response.headers["location"] == "/inbox"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("rk_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1 (auto mode)
    inbox = client.get("/inbox")
    assert inbox.status_code == 200 and "我的待办" in inbox.text and "审核员丙" in inbox.text
    assert [e.channel for e in _events("identity.session_started")] == ["web"]
    # logout needs the CSRF token too
    assert client.post("/logout").status_code == 403
    out = client.post("/logout", data={"csrf_token": csrf_of(inbox.text)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/inbox").status_code == 303
    assert len(_events("identity.session_ended")) == 1


def test_cookie_is_secure_over_https_and_for_remote_hosts(env: Env) -> None:
    client = env.client("https://127.0.0.1")
    form = client.get("/login")
    response = client.post(
        "/login", data={"username": "counsel1", "pin": "246813", "csrf_token": csrf_of(form.text)}
    )
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("rk_session="))
    assert "Secure" in cookie
    remote = env.client("http://review.example").get("/login")  # plain http to another machine
    assert "Secure" in remote.headers["set-cookie"] and "请通过 HTTPS 地址访问" in remote.text


def test_session_expires_when_idle_and_at_its_limit(env: Env) -> None:
    from reviewkit.services.actors import Actor
    from reviewkit.web.sessions import SessionStore

    store = SessionStore(idle=timedelta(minutes=30), lifetime=timedelta(hours=10))
    actor = Actor("counsel1", frozenset({"counsel"}), "web", auth="pin")
    t0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
    cookie, row = store.start(actor, now=t0)
    assert store.get(cookie, now=t0 + timedelta(minutes=29)) is row
    assert store.get(cookie, now=t0 + timedelta(minutes=58)) is row  # idle clock restarted at 9:29
    assert store.get(cookie, now=t0 + timedelta(minutes=89)) is None  # idle 31 minutes
    cookie, _ = store.start(actor, now=t0)
    for minute in range(0, 600, 20):
        assert store.get(cookie, now=t0 + timedelta(minutes=minute)) is not None
    assert store.get(cookie, now=t0 + timedelta(hours=10)) is None
    assert store.get("forged", now=t0) is None


def test_inbox_and_case_page(env: Env) -> None:
    number = case_at_legality_review(env.tmp)
    client = env.client()
    login(client, "counsel1")
    inbox = client.get("/inbox")
    assert number in inbox.text and "合法性审核" in inbox.text and "个工作日" in inbox.text
    assert "我的待办（1 项）" in inbox.text and "显示前" not in inbox.text
    page = client.get(f"/cases/{number}")
    assert page.status_code == 200
    text = page.text
    for word in ("办理过程", "文稿版本", "预审发现", "材料与文书", "合法性审核", "应当予以修改", "不合法"):
        assert word in text, word
    # the finding shows the whole paragraph it refers to, the flagged words marked
    assert (
        "第二条 对违反本办法的单位，<mark>" in text
        and "罚款" in text.split("<mark>", 1)[1].split("</mark>")[0]
    )
    assert f"/cases/{number}/versions/1/download" in text


def test_version_download_is_the_stored_bytes(env: Env) -> None:
    number = case_at_legality_review(env.tmp)
    client = env.client()
    login(client, "counsel1")
    response = client.get(f"/cases/{number}/versions/1/download")
    assert response.status_code == 200
    with session_scope() as session:
        stored = session.exec(select(DocumentVersion).where(DocumentVersion.seq == 1)).one()
    assert hashlib.sha256(response.content).hexdigest() == stored.sha256
    assert "filename*=UTF-8''" in response.headers["content-disposition"]


def test_decide_through_the_pipeline_files_the_opinion_and_moves_the_case(env: Env) -> None:
    number = case_at_legality_review(env.tmp)
    client = env.client()
    token = login(client, "counsel1")
    opinion = "第二条设定罚款，规范性文件不得设定行政处罚（行政处罚法第16条），请删除。"
    preview = client.post(
        f"/cases/{number}/preview", data={"decision": "应当予以修改", "opinion": opinion, "csrf_token": token}
    )
    assert (
        preview.status_code == 200 and "合法性审核意见书" in preview.text and "确认并记录决定" in preview.text
    )
    assert _legality_decisions() == []  # the preview records nothing
    done = client.post(
        f"/cases/{number}/decide",
        data={"decision": "应当予以修改", "opinion": opinion, "csrf_token": csrf_of(preview.text)},
    )
    assert done.status_code == 303 and done.headers["location"] == f"/cases/{number}"
    [decision] = _legality_decisions()
    with session_scope() as session:
        case = session.exec(select(Case)).one()
    assert (decision.decision, decision.channel, decision.actor) == ("应当予以修改", "web", "counsel1")
    assert case.stage == "revision" and case.round == 2
    recorded = _events("decision.recorded")[-1]
    assert recorded.channel == "web" and json.loads(recorded.payload)["auth"] == "pin"
    page = client.get(f"/cases/{number}")
    assert "已记录" in page.text and "进入“修改完善”" in page.text
    assert "审核意见书" in page.text


def test_a_refused_decision_is_shown_in_chinese_and_audited(env: Env) -> None:
    number = case_at_legality_review(env.tmp)
    client = env.client()
    token = login(client, "counsel1")
    response = client.post(
        f"/cases/{number}/decide", data={"decision": "同意", "opinion": "", "csrf_token": token}
    )
    assert response.status_code == 409
    assert "决定未记录" in response.text and "不接受决定“同意”" in response.text
    refused = _events("decision.refused")[-1]
    assert refused.channel == "web" and refused.actor == "counsel1"
    assert _legality_decisions() == []


def test_a_long_inbox_shows_its_first_page_and_says_how_many_wait(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 10,000 cases a drafter has thousands of open tasks (bench/web.py): the page lists the earliest due
    and says how many there are, and where to see them all."""
    from reviewkit.web import actions

    number = case_at_legality_review(env.tmp)
    monkeypatch.setattr(actions, "INBOX_PAGE", 0)
    client = env.client()
    login(client, "counsel1")
    text = client.get("/inbox").text
    assert "我的待办（1 项）" in text and "按期限先后显示前 0 项" in text and "reviewkit inbox" in text
    assert number not in text
