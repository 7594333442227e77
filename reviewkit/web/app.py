"""The workbench application: ``create_app()`` returns the FastAPI app ``reviewkit web`` serves.

Routes are thin: read the form, take the session's ``Actor``, call ``reviewkit.web.actions``, render a
template. Every POST carries the session's CSRF token (the login form a token bound to a pre-session
cookie); a missing or wrong token is refused with 403 and audited, before anything else happens.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from reviewkit.errors import (
    ReviewkitError,
)
from reviewkit.orchestration.runs import install as install_waker
from reviewkit.settings import get_settings
from reviewkit.web import actions, routes_auth, routes_case, routes_drafting
from reviewkit.web.cookies import cookie_secure
from reviewkit.web.responses import status_of
from reviewkit.web.sessions import SESSION_COOKIE, SessionStore, WebSession

HERE = Path(__file__).resolve().parent


class LoginRequired(Exception):
    def __init__(self, next_path: str = "") -> None:
        self.next_path = next_path


class CsrfRefused(Exception):
    pass


def create_app(store: SessionStore | None = None) -> FastAPI:
    settings = get_settings()
    install_waker()  # a decision made here wakes its run through the services' port
    sessions = store or SessionStore(
        idle=timedelta(minutes=settings.web_session_idle_minutes),
        lifetime=timedelta(hours=settings.web_session_hours),
    )
    app = FastAPI(title="reviewkit 工作台", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sessions = sessions
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["outcome_names"] = {"pass": "通过", "revise": "退回修改", "reject": "否决"}
    templates.env.filters["local"] = local_time

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        )
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
        web = current_session(request)
        base = {
            "me": web.actor if web else None,
            "csrf_token": web.csrf_token if web else "",
            "can_draft": bool(web and web.actor.roles & {"drafter", "unit_head"}),
        }
        return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)

    def current_session(request: Request) -> WebSession | None:
        if hasattr(request.state, "web_session"):
            cached: WebSession | None = request.state.web_session
            return cached
        web = sessions.get(request.cookies.get(SESSION_COOKIE))
        request.state.web_session = web
        return web

    def need_session(request: Request) -> WebSession:
        web = current_session(request)
        if web is None:
            raise LoginRequired(request.url.path)
        return web

    async def posted(request: Request) -> tuple[WebSession, Any]:
        """The session and the form of a POST whose CSRF token matches; 403 (audited) otherwise."""
        web = need_session(request)
        form = await request.form()
        token = form.get("csrf_token")
        if not web.check_csrf(token if isinstance(token, str) else None):
            actions.refuse(web.actor, f"POST {request.url.path}", "CSRF 令牌缺失或不符", None)
            raise CsrfRefused()
        return web, form

    # --- errors --------------------------------------------------------------------------------

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        target = "/login" + (
            f"?next={quote(exc.next_path)}" if exc.next_path not in ("", "/", "/inbox") else ""
        )
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        return page(
            request,
            "error.html",
            {"message": "表单已失效或来源不明（CSRF 校验未通过），请刷新页面后重试。"},
            status_code=403,
        )

    @app.exception_handler(ReviewkitError)
    async def reviewkit_error(request: Request, exc: ReviewkitError) -> Response:
        return page(request, "error.html", {"message": str(exc)}, status_code=status_of(exc))

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        return page(request, "error.html", {"message": "没有这个页面或文件。"}, status_code=404)

    # --- routes --------------------------------------------------------------------------------

    for module in (routes_auth, routes_drafting, routes_case):  # /cases/new before /cases/{number}
        module.register(
            app,
            page=page,
            need_session=need_session,
            posted=posted,
            sessions=sessions,
            cookie_secure=cookie_secure,
        )

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/")
    def root(request: Request) -> Response:
        return RedirectResponse("/inbox" if current_session(request) else "/login", status_code=303)

    return app


def local_time(value: str | None) -> str:
    """A stored UTC time (ISO, naive or aware) as Beijing time ``YYYY-MM-DD HH:MM`` (the CLI's habit)."""
    if not value:
        return ""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(get_settings().timezone)).strftime("%Y-%m-%d %H:%M")
