"""``reviewkit calendar`` commands (typer app invoked in-process; errors surface as ReviewkitError)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import reviewkit.cli.calendar  # noqa: F401  (attaches the commands)
from reviewkit.cli import app
from reviewkit.errors import InvalidInput

runner = CliRunner()


def test_due_text() -> None:
    result = runner.invoke(app, ["calendar", "due", "2026-09-30", "5"])
    assert result.exit_code == 0
    assert "2026-10-13" in result.output


def test_due_json_working_days() -> None:
    result = runner.invoke(app, ["calendar", "due", "2026-09-30", "5", "--json"])
    assert json.loads(result.output.splitlines()[0]) == {
        "start": "2026-09-30",
        "due": "2026-10-13",
        "working_days": 5,
        "calendar_complete": True,
    }


def test_due_json_calendar_days() -> None:
    result = runner.invoke(app, ["calendar", "due", "2026-09-01", "30", "--calendar-days", "--json"])
    data = json.loads(result.output.splitlines()[0])
    assert data == {
        "start": "2026-09-01",
        "due": "2026-10-08",
        "calendar_days": 30,
        "calendar_complete": True,
    }


def test_due_into_2027_is_incomplete() -> None:
    result = runner.invoke(app, ["calendar", "due", "2026-12-20", "15", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output.splitlines()[0])["calendar_complete"] is False


def test_is_workday() -> None:
    result = runner.invoke(app, ["calendar", "is-workday", "2026-10-10"])
    assert result.exit_code == 0 and "工作日" in result.output
    result = runner.invoke(app, ["calendar", "is-workday", "2026-10-01"])
    assert result.exit_code == 0 and "休息日" in result.output


def test_malformed_date_is_one_chinese_line() -> None:
    result = runner.invoke(app, ["calendar", "due", "2026-02-30", "5"])
    assert isinstance(result.exception, InvalidInput)
    assert "\n" not in str(result.exception) and "格式有误" in str(result.exception)
