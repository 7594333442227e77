"""Who may do what: the permission matrix (``templates/permissions.toml``) applied to a proven actor,
and the audit of a refused permission."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from reviewkit.domain.permissions import PermissionMatrix, load_matrix, require
from reviewkit.errors import PermissionDenied
from reviewkit.services.actors import Actor, channel_of, require_proven
from reviewkit.services.kernel import record_refusal
from reviewkit.settings import get_settings


@lru_cache(maxsize=4)
def _matrix_at(path: Path, mtime: float) -> PermissionMatrix:
    return load_matrix(path)


def permission_matrix() -> PermissionMatrix:
    path = get_settings().templates_dir / "permissions.toml"
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _matrix_at(path, mtime)


def authorize(actor: Actor, action: str) -> str:
    """The role under which ``actor`` may perform ``action``, or ``PermissionDenied`` (also for an
    actor whose identity was not proved: a name alone authorizes nothing)."""
    actor = require_proven(actor)
    return require(permission_matrix(), actor.label, actor.roles, action)


@contextmanager
def audited_refusals(
    by: Actor | None, what: str, *, case_id: int | None = None, payload: dict[str, object] | None = None
) -> Iterator[None]:
    """Record a ``PermissionDenied`` raised inside (after its transaction rolled back) as a
    ``permission.refused`` event through the one refusal audit (``kernel.record_refusal``: in the
    person's name only when proved), then let it propagate."""
    try:
        yield
    except PermissionDenied as err:
        record_refusal(
            case_id,
            by,
            channel_of(by) if by else "cli",
            "permission.refused",
            str(err),
            {**(payload or {}), "attempted": what},
        )
        raise
