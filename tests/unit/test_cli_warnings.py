"""A reviewkit warning reaches a command's user as one Chinese line, once: no source path, no code line."""

from __future__ import annotations

import warnings

import pytest

from reviewkit.cli import _show_warning
from reviewkit.domain.calendar import CalendarIncompleteWarning


def test_calendar_warning_is_one_chinese_line_once(capsys: pytest.CaptureFixture[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = _show_warning
        for _ in range(3):
            warnings.warn("没有 2099 年的放假安排数据", CalendarIncompleteWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert err == "提示：没有 2099 年的放假安排数据\n"
