"""The drafting side: open a case from an uploaded .docx, submit a revision, attach materials, record
consultation comments (one by one or a CSV). Every file goes through the same checks as on the CLI."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from reviewkit.errors import InvalidInput, ReviewkitError
from reviewkit.services.consultation import NewComment
from reviewkit.settings import get_settings
from reviewkit.web import actions
from reviewkit.web.responses import status_of
from reviewkit.web.sessions import SessionStore


async def _upload(form: Any, name: str) -> actions.Upload:
    item = form.get(name)
    if not isinstance(item, UploadFile) or not item.filename:
        raise InvalidInput("请选择要上传的文件")
    limit = get_settings().max_upload_bytes
    data = await item.read(limit + 1)
    return actions.Upload(item.filename, data)


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def register(
    app: FastAPI,
    *,
    page: Callable[..., Response],
    need_session: Callable[[Request], Any],
    posted: Callable[..., Any],
    sessions: SessionStore,
    cookie_secure: Callable[[Request], bool],
) -> None:

    def new_form(
        request: Request, *, error: str = "", form: dict[str, Any] | None = None, status_code: int = 200
    ) -> Response:
        need_session(request)
        return page(
            request,
            "new_case.html",
            {"kinds": actions.case_kinds(), "error": error, "form": form or {}},
            status_code=status_code,
        )

    @app.get("/cases/new")
    def new_case_page(request: Request) -> Response:
        return new_form(request)

    @app.post("/cases/new")
    async def new_case(request: Request) -> Response:
        web, form = await posted(request)
        fields = {k: _text(form, k) for k in ("title", "unit", "kind")}
        flags = [f for f in form.getlist("flags") if isinstance(f, str)]
        try:
            upload = await _upload(form, "draft")
            case = actions.start_case(
                web.actor,
                upload,
                title=fields["title"],
                unit=fields["unit"],
                kind=fields["kind"] or "normative_document",
                flags=flags,
            )
        except ReviewkitError as err:
            return new_form(
                request, error=str(err), form={**fields, "flags": flags}, status_code=status_of(err)
            )
        web.flash[case.number] = f"已发起案件 {case.number}：{case.title}。"
        return RedirectResponse(f"/cases/{case.number}", status_code=303)

    async def then_case(request: Request, number: str, work: Callable[[Any, Any], Any]) -> Response:
        web, form = await posted(request)
        try:
            note = await work(web, form)
        except ReviewkitError as err:
            return page(
                request,
                "error.html",
                {"message": str(err), "back": f"/cases/{number}"},
                status_code=status_of(err),
            )
        web.flash[number] = note
        return RedirectResponse(f"/cases/{number}", status_code=303)

    @app.post("/cases/{number}/versions")
    async def submit_version(request: Request, number: str) -> Response:
        async def work(web: Any, form: Any) -> str:
            version = actions.submit_version(
                web.actor, number, await _upload(form, "draft"), _text(form, "note")
            )
            return f"已提交第 {version.seq} 稿：{version.filename}（SHA-256 {version.sha256[:16]}…）。"

        return await then_case(request, number, work)

    @app.post("/cases/{number}/materials")
    async def attach(request: Request, number: str) -> Response:
        async def work(web: Any, form: Any) -> str:
            item = actions.attach(web.actor, number, _text(form, "name"), await _upload(form, "file"))
            return f"已归档材料“{item.name}”：{item.filename}。"

        return await then_case(request, number, work)

    @app.post("/cases/{number}/comments")
    async def add_comment(request: Request, number: str) -> Response:
        async def work(web: Any, form: Any) -> str:
            received = _text(form, "received")
            try:
                on = date.fromisoformat(received) if received else None
            except ValueError:
                raise InvalidInput("收到日期应为 YYYY-MM-DD") from None
            comment = NewComment(
                _text(form, "commenter"),
                _text(form, "content"),
                _text(form, "disposition"),
                _text(form, "article"),
                _text(form, "reason"),
                _text(form, "kind"),
                on,
            )
            actions.add_comment(web.actor, number, comment)
            return f"已登记 {comment.commenter} 的意见。"

        return await then_case(request, number, work)

    @app.post("/cases/{number}/comments/import")
    async def import_comments(request: Request, number: str) -> Response:
        async def work(web: Any, form: Any) -> str:
            count = actions.import_comments(web.actor, number, await _upload(form, "file"))
            return f"已从 CSV 登记 {count} 条意见。"

        return await then_case(request, number, work)
