"""Inbox, case page, downloads, and deciding at my gate (preview of the paper, then confirm)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from reviewkit.errors import NotFound, ReviewkitError
from reviewkit.web import actions
from reviewkit.web.responses import attachment, media_type, status_of
from reviewkit.web.sessions import SessionStore


def _seq(value: str) -> int:
    """A version or material number from the path: plain digits only (anything else is 404)."""
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise NotFound("没有这个文件")
    return int(value)


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def register(
    app: FastAPI,
    *,
    page: Callable[..., Response],
    need_session: Callable[[Request], Any],
    posted: Callable[..., Any],
    sessions: SessionStore,
    cookie_secure: Callable[[Request], bool],
) -> None:

    @app.get("/inbox")
    def inbox(request: Request) -> Response:
        web = need_session(request)
        found = actions.inbox(web.actor)
        return page(request, "inbox.html", {"tasks": found.tasks, "total": found.total})

    def case_view(
        request: Request,
        number: str,
        *,
        message: str = "",
        error: str = "",
        status_code: int = 200,
        form: dict[str, str] | None = None,
    ) -> Response:
        web = need_session(request)
        data = actions.case_page(web.actor, number)
        flash = web.flash.pop(number, "")
        return page(
            request,
            "case.html",
            {"p": data, "message": message or flash, "error": error, "form": form or {}},
            status_code=status_code,
        )

    @app.get("/cases/{number}")
    def case(request: Request, number: str) -> Response:
        return case_view(request, number)

    @app.get("/cases/{number}/versions/{seq}/download")
    def download_version(request: Request, number: str, seq: str) -> Response:
        web = need_session(request)
        name, data = actions.version_bytes(web.actor, number, _seq(seq))
        return attachment(name, data, media_type(name))

    @app.get("/cases/{number}/materials/{material_id}/download")
    def download_material(request: Request, number: str, material_id: str) -> Response:
        web = need_session(request)
        name, data = actions.material_bytes(web.actor, number, _seq(material_id))
        return attachment(name, data, media_type(name))

    @app.get("/cases/{number}/package")
    def download_package(request: Request, number: str) -> Response:
        web = need_session(request)
        name, data = actions.package_bytes(web.actor, number)
        return attachment(name, data, "application/zip")

    @app.post("/cases/{number}/preview")
    async def preview(request: Request, number: str) -> Response:
        web, form = await posted(request)
        fields = {k: _text(form, k) for k in ("decision", "opinion", "facts")}
        try:
            papers = actions.preview(
                web.actor, number, fields["decision"], fields["opinion"], fields["facts"]
            )
        except ReviewkitError as err:
            return case_view(request, number, error=str(err), status_code=status_of(err), form=fields)
        return page(request, "confirm.html", {"number": number, "fields": fields, "papers": papers})

    @app.post("/cases/{number}/decide")
    async def decide(request: Request, number: str) -> Response:
        web, form = await posted(request)
        fields = {k: _text(form, k) for k in ("decision", "opinion", "facts")}
        try:
            done = actions.decide(web.actor, number, fields["decision"], fields["opinion"], fields["facts"])
        except ReviewkitError as err:
            return case_view(
                request, number, error=f"决定未记录：{err}", status_code=status_of(err), form=fields
            )
        r = done.result
        if r.waiting_for:
            note = f"已记录签署：在“{r.from_name}”作出“{r.decision}”，{r.waiting_for}。"
        else:
            note = f"已记录：在“{r.from_name}”作出“{r.decision}”，进入“{r.to_name}”。"
        if done.filed:
            note += f"已归档：{'、'.join(done.filed)}。"
        web.flash[number] = note + done.flow_note
        return RedirectResponse(f"/cases/{number}", status_code=303)
