"""What a watcher is sent to and shown in the Prefect UI: the V2 run page (Resume in the ⋮ menu, no
red Cancel beside it), and the case's timeline in the office's time, not UTC."""

from __future__ import annotations

import pytest

from reviewkit.orchestration.env import flow_run_page
from reviewkit.services.queries import CaseDetail, CaseSummary, TimelineRow, progress_markdown
from reviewkit.settings import Settings, get_settings, reset_settings


def test_run_links_open_the_v2_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWKIT_PREFECT_API_URL", "http://127.0.0.1:4321/api")
    reset_settings()
    try:
        assert flow_run_page("abc") == "http://127.0.0.1:4321/v2/runs/flow-run/abc"
        assert flow_run_page("abc", "http://ui") == "http://ui/v2/runs/flow-run/abc"
        default = Settings.model_fields["case_link_template"].default
        assert default.format(ui="http://ui", flow_run_id="abc", number="N", id=1) == flow_run_page(
            "abc", "http://ui"
        )
    finally:
        reset_settings()


def _detail(left_at: str | None) -> CaseDetail:
    summary = CaseSummary(
        id=1,
        number="RK-2026-0001",
        kind="normative_document",
        kind_name="行政规范性文件",
        title="某办法",
        drafting_unit="政府采购股",
        drafter="zhangwei",
        stage="legality_review",
        stage_name="合法性审核",
        round=1,
        status="open",
        doc_number=None,
        created_at="2026-11-28T07:00:00+00:00",
    )
    row = TimelineRow(
        stage="drafting",
        stage_name="起草",
        round=1,
        entered_at="2026-11-28T07:00:00+00:00",
        left_at=left_at,
        due_on=None,
        due_complete=True,
        outcome="提交",
        actor="zhangwei",
        actor_name="张伟",
        opinion=None,
        channel="cli",
    )
    return CaseDetail(
        case=summary, flags=[], published_on=None, flow_run_id=None, process_version=2, timeline=[row]
    )


@pytest.mark.parametrize(
    "left_at", ["2026-11-28T17:26:33+00:00", "2026-11-28T17:26:33"]
)  # aware or naive UTC
def test_the_case_artifact_shows_beijing_time(left_at: str) -> None:
    reset_settings()
    assert get_settings().timezone == "Asia/Shanghai"
    text = progress_markdown(_detail(left_at))
    assert "完成时间（北京时间）" in text and "UTC" not in text
    assert "| 起草 | 1 | 提交 | 张伟 | 2026-11-29 01:26 |" in text  # past midnight in Beijing: the next day


def test_an_open_stage_reads_in_progress() -> None:
    assert "| 起草 | 1 | 提交 | 张伟 | 办理中 |" in progress_markdown(_detail(None))
