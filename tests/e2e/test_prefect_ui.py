"""The Prefect UI, in a real browser: Debian's chromium, headless, driven by Playwright (never a downloaded
browser). A counsel opens the waiting run, ⋮ → Resume, fills the reviewkit form (Chinese labels) with the
one-time code from ``reviewkit inbox`` and submits; the case moves on. The filled form is kept as
``tests/artifacts/prefect-ui-resume-form.png``.

Before that, someone types a made-up code: Prefect answers with its green "resumed" whatever reviewkit
decides, so the next Resume dialog must say that the submission did not count and why
(``tests/artifacts/prefect-ui-refused.png``). Nothing is filed from the command line: the counsel's
decision writes the 审核意见书 itself (issue #12: a round finished in the Prefect UI alone).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.actors import proven
from tests.integration.test_gates_kit import (
    Home,
    Worker,
    audit_events,
    case_at_prereview,
    case_row,
    forget_runs,
    prepare_home,
    wait_run,
)

pytestmark = pytest.mark.prefect

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def module_home(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Home, Worker]]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium fonts-noto-cjk)")
    pytest.importorskip("playwright.sync_api")
    base = tmp_path_factory.mktemp("prefect-ui")
    home = prepare_home(base / "rk-home", prefect_api)
    worker = Worker(home, base / "worker.log").start().wait_ready()
    try:
        yield home, worker
    finally:
        worker.stop()
        forget_runs(home)


def test_counsel_resumes_the_waiting_run_in_the_prefect_ui(
    module_home: tuple[Home, Worker], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from reviewkit.orchestration.runs import start_run
    from reviewkit.services.identity import issue_approval_code

    rk, worker = module_home
    rk.use(monkeypatch)
    case_id = case_at_prereview(tmp_path)
    run_id = start_run(case_id)
    wait_run(rk.api, run_id, "PAUSED", "legality-review-r1-w0", worker=worker)
    code = issue_approval_code(
        proven("counsel1"), case_id, "legality_review", 1
    )  # what `reviewkit inbox --codes` prints
    ui = rk.api.removesuffix("/api")
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
            page.set_default_timeout(60_000)
            try:
                page.goto(f"{ui}/v2/runs/flow-run/{run_id}", wait_until="domcontentloaded")  # UI v2
                _resume_through_the_form(page, "ABCDE-FGHJK", screenshot=None)  # a made-up code
                expect(page.get_by_role("dialog")).to_be_hidden(timeout=60_000)
                wait_run(rk.api, run_id, "PAUSED", "legality-review-r1-w1", worker=worker)
                page.goto(f"{ui}/v2/runs/flow-run/{run_id}", wait_until="domcontentloaded")
                _open_resume_dialog(page)
                dialog = page.get_by_role("dialog")
                expect(dialog.get_by_text("上一次提交未生效", exact=False).first).to_be_visible()
                expect(dialog.get_by_text("审核意见书（由本决定生成）", exact=False).first).to_be_visible()
                page.screenshot(path=str(ARTIFACTS / "prefect-ui-refused.png"))
                _fill_and_submit(
                    page, code, screenshot=ARTIFACTS / "prefect-ui-resume-form.png"
                )  # the same dialog
            except Exception:
                page.screenshot(path=str(ARTIFACTS / "prefect-ui-failure.png"), full_page=True)
                (ARTIFACTS / "prefect-ui-failure.html").write_text(page.content(), encoding="utf-8")
                raise
            expect(page.get_by_role("dialog")).to_be_hidden(timeout=60_000)
        finally:
            browser.close()

    wait_run(rk.api, run_id, "PAUSED", "deliberation-r1-w0", worker=worker)
    assert case_row(case_id).stage == "deliberation"
    recorded = [e for e in audit_events(case_id, "decision.recorded") if e.channel == "prefect-ui"]
    assert [e.actor for e in recorded] == ["counsel1"]
    [refused] = audit_events(case_id, "identity.refused")
    assert refused.actor == "（未证实身份）" and refused.channel == "prefect-ui"
    [opinion] = [e for e in audit_events(case_id, "document.generated") if "审核意见书" in e.payload]
    assert opinion.actor == "counsel1"
    for shot in ("prefect-ui-resume-form.png", "prefect-ui-refused.png"):
        assert (ARTIFACTS / shot).stat().st_size > 10_000


def _open_resume_dialog(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    expect(page.get_by_text("Suspended").first).to_be_visible()
    page.get_by_role("button", name="Open menu").click()  # ⋮ at the top right
    page.get_by_role("menuitem", name="Resume").click()


def _resume_through_the_form(page: object, code: str, *, screenshot: Path | None) -> None:
    _open_resume_dialog(page)
    _fill_and_submit(page, code, screenshot=screenshot)


def _fill_and_submit(page: object, code: str, *, screenshot: Path | None) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("决定", exact=True)).to_be_visible()
    dialog.get_by_role(
        "button", name="Select"
    ).click()  # the Literal field: a drop-down of the stage's decisions
    page.get_by_role("option", name="合法", exact=True).or_(
        page.get_by_role("menuitem", name="合法", exact=True)
    ).first.click()
    # String fields are unlabelled textareas, in the order of the form's schema.
    boxes = dialog.locator("textarea")
    boxes.nth(0).fill("counsel1")  # 用户名
    boxes.nth(1).fill(code)  # 一次性验证码
    boxes.nth(2).fill("经审核，该文件符合法律、法规和规章的规定。")  # 意见
    if screenshot is not None:
        page.screenshot(path=str(screenshot))
    dialog.get_by_role("button", name="Resume").click()
