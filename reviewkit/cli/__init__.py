"""The ``reviewkit`` command. Thin: parse, call services, render. No business logic here.

Each command group lives in its own module and is registered below. Modules must not import prefect
at import time: read paths (``case list``) stay fast; commands that talk to Prefect import it lazily.

``app`` (the typer application) is made on first use: ``case list`` with plain options is answered by
``reviewkit.cli.fast`` without importing typer (and the pydantic typer coerces options with).
"""

from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING, Any

from reviewkit.errors import ReviewkitError, ReviewkitWarning

if TYPE_CHECKING:
    import typer

    app: typer.Typer


def __getattr__(name: str) -> Any:
    if name == "app":
        from reviewkit.cli.root import app as made  # typer only when a command needs it (startup time)

        globals()["app"] = made
        return made
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Commands whose module can be registered alone (it attaches two or more entries, so typer keeps the
# group shape): ``case list`` answers without importing the other command modules (bench/case_list.py).
_ALONE = {"case": "case", "decide": "case"}


def _register(argv: list[str] | None = None) -> None:
    """Attach the commands to ``app``: all of them, or for ``case …``/``decide …`` only their module."""
    first = argv[0] if argv else None
    if first in _ALONE:
        import importlib

        importlib.import_module(f"reviewkit.cli.{_ALONE[first]}")
        return
    from reviewkit.cli import (  # noqa: F401  (each module attaches its commands to ``app``)  # noqa: F401  (issue #8: documents, consultation comments)  # noqa: F401  (issue #9: registers, overdue, reports)
        audit,
        calendar,
        case,
        consult,
        db,
        demo,
        doc,
        inbox,
        overdue,
        prereview,
        process,
        register,
        report,
        server,
        store,
        user,
        web,
        worker,
    )


def _log_crash() -> str:
    import traceback

    from reviewkit.settings import get_settings

    try:
        log_dir = get_settings().home / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "crash.log"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(traceback.format_exc())
        return str(path)
    except OSError:
        return "（无法写入日志）"


def _error(message: str) -> None:
    import typer

    typer.secho(message, fg="red", err=True)


_shown: set[str] = set()
_python_showwarning = warnings.showwarning


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """reviewkit's own warnings reach the user as one Chinese line, once (no file name, no code line)."""
    if issubclass(category, ReviewkitWarning):
        text = f"提示：{message}"
        if text not in _shown:
            _shown.add(text)
            print(text, file=sys.stderr)
        return
    _python_showwarning(message, category, filename, lineno, file, line)


def main() -> None:
    from reviewkit.cli.fast import case_list_args, run_case_list

    warnings.showwarning = _show_warning

    argv = sys.argv[1:]
    fast = case_list_args(argv)
    if fast is None:
        _register(argv)
        from reviewkit.orchestration.runs import install

        install()  # a decision wakes its run through the services' port
    try:
        if fast is not None:
            run_case_list(fast)
        else:
            from reviewkit.cli.root import app

            app()
    except ReviewkitError as err:
        _error(f"错误：{err}")
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        _error("已中断。")
        sys.exit(130)
    except Exception as err:  # noqa: BLE001 - the user gets one line, the log gets the traceback
        where = _log_crash()
        _error(f"错误：内部错误 {type(err).__name__}：{err}（详情见 {where}）")
        sys.exit(1)
