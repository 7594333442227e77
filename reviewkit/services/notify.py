"""Notifications through pluggable notifiers (SMTP e-mail, a generic JSON webhook), throttled.

Each open item becomes a *topic* (case, stage, round, kind, escalation level). A person hears of a
topic at most once per ``notify_throttle_hours`` on each channel; all of a person's new topics go in one
message (a digest), each line linking to its case. Every attempt is logged in ``notifications``; a
failed send is logged as such and retried on the next run (it does not count for the throttle).
"""

from __future__ import annotations

import json
import smtplib
import tomllib
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from typing import Protocol

from sqlmodel import col, select

from reviewkit.errors import ConfigError
from reviewkit.services.overdue import OpenItem
from reviewkit.settings import Settings, get_settings
from reviewkit.store.db import session_scope
from reviewkit.store.models import Notification, User, utcnow


@dataclass(frozen=True)
class Notice:
    recipient: str
    display_name: str
    address: str | None
    subject: str
    body: str
    topics: tuple[str, ...]
    items: tuple[dict[str, object], ...] = field(default_factory=tuple)


class Notifier(Protocol):
    channel: str

    def send(self, notice: Notice) -> None: ...


class EmailNotifier:
    channel = "email"

    def __init__(self, settings: Settings) -> None:
        self.s = settings

    def send(self, notice: Notice) -> None:
        if not notice.address:
            raise ConfigError(f"没有 {notice.display_name}（{notice.recipient}）的邮箱地址")
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.s.smtp_sender, notice.address, notice.subject
        msg.set_content(notice.body)
        with smtplib.SMTP(self.s.smtp_host, self.s.smtp_port, timeout=15) as smtp:
            if self.s.smtp_starttls:
                smtp.starttls()
            if self.s.smtp_username:
                smtp.login(self.s.smtp_username, self.s.smtp_password or "")
            smtp.send_message(msg)


class WebhookNotifier:
    channel = "webhook"

    def __init__(self, settings: Settings) -> None:
        if not settings.webhook_url:
            raise ConfigError("已启用 webhook 通知，但未设置 REVIEWKIT_WEBHOOK_URL")
        self.url, self.token = settings.webhook_url, settings.webhook_token

    def send(self, notice: Notice) -> None:
        body = json.dumps(
            {
                "recipient": notice.recipient,
                "name": notice.display_name,
                "subject": notice.subject,
                "text": notice.body,
                "items": list(notice.items),
            },
            ensure_ascii=False,
        ).encode("utf-8")
        req = urllib.request.Request(
            self.url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
        )
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(req, timeout=15) as resp:  # noqa: S310 - the configured address
            if resp.status >= 300:
                raise ConfigError(f"webhook 返回 {resp.status}")


def configured_notifiers(settings: Settings | None = None) -> list[Notifier]:
    settings = settings or get_settings()
    names = [n.strip() for n in settings.notify_channels.split(",") if n.strip()]
    known: dict[str, type[EmailNotifier] | type[WebhookNotifier]] = {
        "email": EmailNotifier,
        "webhook": WebhookNotifier,
    }
    bad = [n for n in names if n not in known]
    if bad:
        raise ConfigError(f"未知的通知渠道：{'、'.join(bad)}（可选 email、webhook）")
    return [known[n](settings) for n in names]


def case_link(item: OpenItem, settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    from reviewkit.orchestration.env import configured_api_url

    ui = configured_api_url().removesuffix("/api")
    if item.flow_run_id or "{flow_run_id}" not in settings.case_link_template:
        return settings.case_link_template.format(
            number=item.case_number, id=item.case_id, flow_run_id=item.flow_run_id or "", ui=ui
        )
    return f"reviewkit case show {item.case_number}"


def topic(item: OpenItem, level: int) -> str:
    return f"{'filing' if item.filing else 'deadline'}:{item.case_id}:{item.stage}:{item.round}:{item.status}:{level}"


def _line(item: OpenItem, link: str, escalated: bool) -> str:
    late = f"，已超期{item.days_overdue}个工作日" if item.days_overdue else ""
    who = f"（经办：{'、'.join(item.responsible)}）" if escalated else ""
    what = "备案期限" if item.filing else "办理期限"
    return (
        f"· {item.case_number}《{item.title}》“{item.stage_name}”环节（第{item.round}轮）{what}{item.due_on}，"
        f"{item.status_name}{late}{who}。查看：{link}"
    )


def _contacts(settings: Settings) -> dict[str, str]:
    path = settings.notify_contacts_file or settings.home / "contacts.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"通讯录 {path} 无法读取：{err}") from None
    return {str(k): str(v) for k, v in data.get("contacts", data).items() if isinstance(v, str)}


def plan(items: list[OpenItem]) -> dict[str, list[tuple[OpenItem, int]]]:
    """Recipient → (item, level): the people responsible always; their leaders when escalated."""
    out: dict[str, list[tuple[OpenItem, int]]] = defaultdict(list)
    for item in items:
        for who in item.responsible:
            out[who].append((item, 0))
        for leader in item.leaders:
            out[leader].append((item, 1))
    return out


def notify(items: list[OpenItem], notifiers: list[Notifier] | None = None) -> list[dict[str, object]]:
    """Send what is due; returns one record per (recipient, channel) attempt."""
    settings = get_settings()
    notifiers = configured_notifiers(settings) if notifiers is None else notifiers
    contacts = _contacts(settings)
    since = utcnow() - timedelta(hours=settings.notify_throttle_hours)
    results: list[dict[str, object]] = []
    with session_scope() as session:
        users = {u.username: u for u in session.exec(select(User)).all()}
        recent = {
            (n.topic, n.recipient, n.channel)
            for n in session.exec(
                select(Notification).where(Notification.status == "sent", col(Notification.sent_at) >= since)
            ).all()
        }
    for recipient, entries in sorted(plan(items).items()):
        user = users.get(recipient)
        name = user.display_name if user else recipient
        address = contacts.get(recipient) or (
            f"{recipient}@{settings.notify_email_domain}" if settings.notify_email_domain else None
        )
        for notifier in notifiers:
            fresh = [
                (i, lv) for i, lv in entries if (topic(i, lv), recipient, notifier.channel) not in recent
            ]
            if not fresh:
                continue
            lines = [_line(i, case_link(i, settings), lv == 1) for i, lv in fresh]
            up = any(lv == 1 for _, lv in fresh)
            subject = f"【reviewkit】{'超期督办' if up else '办理期限提醒'}：{len(fresh)}件事项"
            body = f"{name}：\n\n" + "\n".join(lines) + "\n\n（reviewkit 每日检查自动发送）\n"
            notice = Notice(
                recipient,
                name,
                address,
                subject,
                body,
                tuple(topic(i, lv) for i, lv in fresh),
                tuple(
                    {
                        "case": i.case_number,
                        "stage": i.stage_name,
                        "due_on": i.due_on,
                        "status": i.status_name,
                        "level": lv,
                        "link": case_link(i, settings),
                    }
                    for i, lv in fresh
                ),
            )
            status, error = "sent", ""
            try:
                notifier.send(notice)
            except Exception as err:  # noqa: BLE001 - a failed channel is logged and retried next run
                status, error = "failed", f"{type(err).__name__}：{err}"[:500]
            with session_scope(write=True) as session:
                for i, lv in fresh:
                    session.add(
                        Notification(
                            case_id=i.case_id,
                            topic=topic(i, lv),
                            kind="filing" if i.filing else "deadline",
                            level=lv,
                            recipient=recipient,
                            channel=notifier.channel,
                            subject=subject,
                            status=status,
                            error=error,
                        )
                    )
            results.append(
                {
                    "recipient": recipient,
                    "channel": notifier.channel,
                    "items": len(fresh),
                    "status": status,
                    "error": error,
                }
            )
    return results
