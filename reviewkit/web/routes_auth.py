"""Login, logout: the PIN is checked by ``identity.authenticate_pin`` (same lock-out as the CLI)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from reviewkit.errors import ReviewkitError
from reviewkit.web import actions
from reviewkit.web.cookies import plain_http_remote
from reviewkit.web.sessions import LOGIN_COOKIE, SESSION_COOKIE, SessionStore


def _safe_next(value: object) -> str:
    """Only a local path (``/cases/…``), never another site (``//evil``, ``https://…``)."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/inbox"


def register(
    app: FastAPI,
    *,
    page: Callable[..., Response],
    need_session: Callable[[Request], Any],
    posted: Callable[..., Any],
    sessions: SessionStore,
    cookie_secure: Callable[[Request], bool],
) -> None:

    def login_form(
        request: Request,
        *,
        message: str = "",
        username: str = "",
        next_path: str = "",
        status_code: int = 200,
    ) -> Response:
        pre = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
        response = page(
            request,
            "login.html",
            {
                "login_token": sessions.login_token(pre),
                "message": message,
                "username": username,
                "next": next_path,
                "insecure": plain_http_remote(request),
            },
            status_code=status_code,
        )
        response.set_cookie(
            LOGIN_COOKIE,
            pre,
            httponly=True,
            samesite="strict",
            secure=cookie_secure(request),
            max_age=3600,
            path="/login",
        )
        return response

    @app.get("/login")
    def login_page(request: Request, next: str = "") -> Response:
        return login_form(request, next_path=_safe_next(next) if next else "")

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        token = form.get("csrf_token")
        if not sessions.check_login_token(
            request.cookies.get(LOGIN_COOKIE), token if isinstance(token, str) else None
        ):
            actions.refuse(None, "POST /login", "登录表单 CSRF 令牌缺失或不符")
            return page(
                request,
                "error.html",
                {"message": "登录表单已失效（CSRF 校验未通过），请重新打开登录页。"},
                status_code=403,
            )
        username = str(form.get("username") or "").strip()
        next_path = _safe_next(form.get("next"))
        try:
            actor = actions.login(username, str(form.get("pin") or ""))
        except ReviewkitError as err:
            return login_form(
                request, message=str(err), username=username, next_path=next_path, status_code=401
            )
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            sessions.end(old)
        cookie, _ = sessions.start(actor)
        response = RedirectResponse(next_path, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            cookie,
            httponly=True,
            samesite="lax",
            secure=cookie_secure(request),
            max_age=int(sessions.lifetime.total_seconds()),
            path="/",
        )
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        web, _ = await posted(request)
        sessions.end(request.cookies.get(SESSION_COOKIE))
        actions.logout(web.actor)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
