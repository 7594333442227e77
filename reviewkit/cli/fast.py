"""``reviewkit case list`` without typer (bench/case_list.py: under 0.3 s over 10,000 cases).

Parsing the command line with typer costs more than the listing itself: typer imports pydantic to
coerce option values (≈ 0.1 s). ``main`` asks ``case_list_args`` first: for exactly ``case list`` with
``--json``, ``--status X``, ``--kind Y``, ``--limit N`` (each at most once, in any order, ``--opt=value``
too) and plain values, it runs ``case_list`` itself. Anything else — ``--help``, an unknown or repeated
option, a missing value, a value that starts with ``-``, a limit that is not a plain positive number —
goes to typer, which answers or refuses it as always. The typer command calls the same ``case_list``.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

_VALUED = {"--status": "status", "--kind": "kind", "--limit": "limit"}
_PLAIN_LIMIT = re.compile(
    r"[1-9][0-9]{0,17}"
)  # typer also takes "+5", " 5", "1_000", "０５": it answers those


def case_list_args(argv: list[str]) -> dict[str, Any] | None:
    """``case_list``'s keyword arguments when typer would parse ``argv`` the same way; else ``None``."""
    if argv[:2] != ["case", "list"] or "_REVIEWKIT_COMPLETE" in os.environ:
        return None
    found: dict[str, Any] = {}
    rest = argv[2:]
    i = 0
    while i < len(rest):
        token = rest[i]
        i += 1
        value: object
        if token == "--json":
            name, value = "as_json", True
        else:
            option, eq, text = token.partition("=")
            if option not in _VALUED:
                return None
            if not eq:
                if i == len(rest):
                    return None
                text = rest[i]
                i += 1
            if text.startswith("-"):
                return None
            name = _VALUED[option]
            if name == "limit" and not _PLAIN_LIMIT.fullmatch(text):
                return None
            value = int(text) if name == "limit" else text
        if name in found:
            return None
        found[name] = value
    return {"status": None, "kind": None, "limit": None, "as_json": False, **found}


def list_case_rows(
    *, status: str | None = None, kind: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """What ``case list --json`` prints: the lean rows, or on any surprise ``asdict`` of each summary
    from the ORM path (which migrates or explains). Imported inside for startup time (above)."""
    from reviewkit.services.case_rows import lean_rows

    rows = lean_rows(status, kind, limit)
    if rows is not None:
        return rows
    from dataclasses import asdict

    from reviewkit.services.queries import orm_list

    return [asdict(s) for s in orm_list(status, kind, limit)]


def case_list(*, status: str | None, kind: str | None, limit: int | None, as_json: bool) -> None:
    """The body of ``reviewkit case list`` (the typer command calls it too)."""
    if as_json:
        from reviewkit.cli.views import print_json_rows

        print_json_rows(list_case_rows(status=status, kind=kind, limit=limit))
    else:
        from reviewkit.cli.views import cases_table, console
        from reviewkit.services.queries import list_cases

        console.print(cases_table(list_cases(status=status, kind=kind, limit=limit)))


def run_case_list(args: dict[str, Any]) -> None:
    """``case_list`` as typer's standalone mode runs a command: a closed pipe (``… | head``) exits 1
    quietly, Ctrl-C exits 130; ``main`` handles everything else as for any command."""
    import errno

    try:
        case_list(**args)
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as err:
        if err.errno != errno.EPIPE:
            raise
        sys.stdout = _Pacified(sys.stdout)
        sys.stderr = _Pacified(sys.stderr)
        sys.exit(1)


class _Pacified:
    """click's ``PacifyFlushWrapper``: the final flush of a closed pipe is not an error."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        import errno

        try:
            self.wrapped.flush()
        except OSError as err:
            if err.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)
