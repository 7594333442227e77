"""Server-side sessions of the workbench: a random cookie value maps to the ``Actor`` that
``identity.authenticate_pin`` returned at login, its CSRF token and its expiry.

The store holds the authenticated ``Actor`` itself, so nothing in the workbench ever builds an actor
from a user name. It lives in the server process: a restart logs everyone out (the safe failure),
and ``reviewkit web`` runs one process. Only the SHA-256 of a cookie value is kept, so a memory dump
of the index does not hand out live cookies. Roles are those at login; ``services`` re-read them
for every decision, and a person whose roles changed sees it in the inbox after logging in again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from reviewkit.services.actors import Actor

SESSION_COOKIE = "rk_session"
LOGIN_COOKIE = "rk_login"  # pre-session cookie that binds the login form's CSRF token


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass
class WebSession:
    actor: Actor
    csrf_token: str
    created_at: datetime
    last_seen: datetime
    expires_at: datetime  # absolute limit
    ended: bool = False
    flash: dict[str, str] = field(default_factory=dict)  # one-time notes per page (e.g. "已记录…")

    def check_csrf(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_token.encode(), (token or "").encode())


@dataclass
class SessionStore:
    idle: timedelta
    lifetime: timedelta
    _rows: dict[str, WebSession] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Binds the login form's CSRF token to its pre-session cookie (HMAC); new with every process.
    _login_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def start(self, actor: Actor, *, now: datetime | None = None) -> tuple[str, WebSession]:
        """A fresh session (a new cookie value: no fixation) for an authenticated actor."""
        now = now or datetime.now(UTC)
        cookie = secrets.token_urlsafe(32)
        row = WebSession(
            actor=actor,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen=now,
            expires_at=now + self.lifetime,
        )
        with self._lock:
            self._prune(now)
            self._rows[_digest(cookie)] = row
        return cookie, row

    def get(self, cookie: str | None, *, now: datetime | None = None) -> WebSession | None:
        """The live session for the cookie (its idle clock restarted), or ``None``."""
        if not cookie:
            return None
        now = now or datetime.now(UTC)
        key = _digest(cookie)
        with self._lock:
            row = self._rows.get(key)
            if row is None:
                return None
            if row.ended or now >= row.expires_at or now - row.last_seen >= self.idle:
                del self._rows[key]
                return None
            row.last_seen = now
            return row

    def end(self, cookie: str | None) -> WebSession | None:
        if not cookie:
            return None
        with self._lock:
            row = self._rows.pop(_digest(cookie), None)
        if row is not None:
            row.ended = True
        return row

    def _prune(self, now: datetime) -> None:
        dead = [
            k
            for k, r in self._rows.items()
            if r.ended or now >= r.expires_at or now - r.last_seen >= self.idle
        ]
        for k in dead:
            del self._rows[k]

    def __len__(self) -> int:
        return len(self._rows)

    # --- the login form, before there is a session ------------------------------------------------

    def login_token(self, pre_cookie: str) -> str:
        return hmac.new(self._login_key, pre_cookie.encode("utf-8"), hashlib.sha256).hexdigest()

    def check_login_token(self, pre_cookie: str | None, token: str | None) -> bool:
        if not pre_cookie or not token:
            return False
        return hmac.compare_digest(self.login_token(pre_cookie).encode(), token.encode())
