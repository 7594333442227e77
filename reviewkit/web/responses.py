"""Answers shared by the workbench's routes: the HTTP status of a refusal, a download with its Chinese
file name, the media type of a paper."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi.responses import Response

from reviewkit.errors import (
    InvalidInput,
    NotFound,
    OrchestrationError,
    PermissionDenied,
    ReviewkitError,
    StoreError,
    TransitionNotAllowed,
)

STATUS = {
    NotFound: 404,
    PermissionDenied: 403,
    InvalidInput: 400,
    TransitionNotAllowed: 409,
    StoreError: 503,
    OrchestrationError: 502,
}


def status_of(err: ReviewkitError) -> int:
    for kind, code in STATUS.items():
        if isinstance(err, kind):
            return code
    return 400


def attachment(filename: str, data: bytes, media_type: str) -> Response:
    """A download with the file's own (Chinese) name: RFC 6266 ``filename*`` plus an ASCII fallback."""
    fallback = (
        "".join(ch if ch.isascii() and ch.isalnum() or ch in "._-" else "_" for ch in filename) or "download"
    )
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def media_type(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return {
        ".docx": DOCX,
        ".zip": "application/zip",
        ".txt": "text/plain; charset=utf-8",
        ".md": "text/markdown; charset=utf-8",
        ".csv": "text/csv; charset=utf-8",
    }.get(suffix, "application/octet-stream")
