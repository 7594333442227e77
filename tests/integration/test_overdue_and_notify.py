"""Overdue detection and escalation on a seeded history; notices over a real SMTP server (aiosmtpd)
and a real HTTP webhook, throttled; the daily flow against the session's Prefect server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from sqlmodel import select

from reviewkit.services import notify, overdue
from reviewkit.services.deadlines import work_calendar
from reviewkit.settings import reset_settings
from reviewkit.store.db import session_scope
from reviewkit.store.models import Notification
from tests.history import PEOPLE, generate
from tests.prefect_server import free_port

TODAY = date(2023, 8, 10)


@pytest.fixture
def seeded(db_url: str) -> Any:
    return generate(
        200, first=date(2023, 1, 1), last=date(2023, 6, 30), cutoff=date(2023, 7, 20), late_share=0.3
    )


def test_overdue_items_and_escalation(seeded: Any) -> None:
    items = overdue.open_items(TODAY)
    cal = work_calendar()
    late = [i for i in items if i.status == "overdue"]
    assert late and any(i.level == 1 for i in late) and any(i.filing for i in items)
    open_stages = {
        (c.number, v.stage, v.round): v
        for c in seeded.cases
        for v in c.visits
        if v.left is None and v.decision is None and v.stage not in ("filed", "rejected", "archived")
    }
    expected_late = {k for k, v in open_stages.items() if v.due and v.due < TODAY}
    assert {(i.case_number, i.stage, i.round) for i in late} == expected_late
    for i in late:
        assert i.days_overdue == cal.working_days_between(date.fromisoformat(i.due_on), TODAY)
        assert i.level == (1 if i.days_overdue >= 3 else 0)
        # 风险评估 is drafting-unit work since the legal review (P1): drafters' items go to their 科室负责人,
        # the 科室负责人's own to the leaders
        if i.level and i.stage == "risk_assessment":
            assert set(i.leaders) and set(i.leaders) <= set(PEOPLE["unit_head"]) | set(PEOPLE["leader"])
        elif i.level and i.stage in ("drafting", "revision"):
            assert set(i.leaders) == set(PEOPLE["unit_head"])
        elif i.level:
            assert set(i.leaders) == set(PEOPLE["leader"])


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append({"auth": self.headers.get("Authorization"), **json.loads(body)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def servers(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[Any], list[dict[str, Any]]]]:
    from aiosmtpd.controller import Controller

    mails: list[Any] = []

    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            mails.append(envelope)
            return "250 OK"

    smtp_port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    http = HTTPServer(("127.0.0.1", 0), _Hook)
    _Hook.received = []
    threading.Thread(target=http.serve_forever, daemon=True).start()
    for key, value in {
        "NOTIFY_CHANNELS": "email,webhook",
        "SMTP_PORT": str(smtp_port),
        "NOTIFY_EMAIL_DOMAIN": "czj.example.gov.cn",
        "WEBHOOK_TOKEN": "s3cret",
        "WEBHOOK_URL": f"http://127.0.0.1:{http.server_address[1]}/hook",
    }.items():
        monkeypatch.setenv(f"REVIEWKIT_{key}", value)
    reset_settings()
    yield mails, _Hook.received
    controller.stop()
    http.shutdown()


def test_notices_by_mail_and_webhook_are_throttled(seeded: Any, servers: Any) -> None:
    mails, hooks = servers
    items = overdue.open_items(TODAY)
    recipients = set(notify.plan(items))
    sent = notify.notify(items)
    assert {(s["recipient"], s["channel"]) for s in sent} == {
        (r, c) for r in recipients for c in ("email", "webhook")
    }
    assert all(s["status"] == "sent" for s in sent)
    assert {m.rcpt_tos[0] for m in mails} == {f"{r}@czj.example.gov.cn" for r in recipients}
    text = b"".join(m.content for m in mails).decode("utf-8", "replace")
    assert "reviewkit" in text
    assert {h["recipient"] for h in hooks} == recipients and all(h["auth"] == "Bearer s3cret" for h in hooks)
    leader = next(h for h in hooks if h["recipient"] == PEOPLE["leader"][0])
    assert "超期督办" in leader["subject"] and all("case show RK-" in i["link"] for i in leader["items"])
    assert notify.notify(items) == []  # throttled: the same topics within 24 hours
    with session_scope() as session:
        assert len(session.exec(select(Notification)).all()) == sum(int(s["items"]) for s in sent)


def test_a_failed_channel_is_logged_and_retried(seeded: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWKIT_NOTIFY_CHANNELS", "webhook")
    monkeypatch.setenv("REVIEWKIT_WEBHOOK_URL", f"http://127.0.0.1:{free_port()}/nobody")
    reset_settings()
    items = overdue.open_items(TODAY)
    first = notify.notify(items)
    assert first and all(s["status"] == "failed" for s in first)
    assert len(notify.notify(items)) == len(first)  # failures do not count for the throttle


@pytest.mark.prefect
def test_daily_flow_publishes_the_dashboard(seeded: Any, prefect_api: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.daily import ARTIFACT_KEY, daily_checks

    result = daily_checks(today=TODAY.isoformat())
    assert result["overdue"] == sum(1 for i in overdue.open_items(TODAY) if i.status == "overdue") > 0
    assert result["register"]["added"] > 0
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[ARTIFACT_KEY]))
        )
    latest = max(found, key=lambda a: a.created)
    assert f"每日看板（{TODAY.isoformat()}）" in str(latest.data) and "超期事项" in str(latest.data)
