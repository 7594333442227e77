"""The workbench in a real browser: Debian's chromium, headless, driven by Playwright (never a
downloaded browser). The sample roster carries the demo case from the drafter's upload to 已备案,
each person logging in with their PIN in their own browser context, at 1366×768; a screenshot of each
role's page is kept in ``tests/artifacts/web-*.png`` (plus the case page on a tablet, 768×1024).

No Prefect server here: between gates the test runs the automatic pre-review itself, as the worker
would (``tests/web/flow.run_automatic_stages``). Skipped when /usr/bin/chromium is not installed.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from reviewkit.services import identity
from reviewkit.store.db import session_scope
from reviewkit.store.models import Case, Decision
from tests.prefect_server import free_port
from tests.web.flow import (
    COMMENTS_CSV,
    EXPECTED_STAGES,
    PIN,
    material_docx,
    prepare_roster,
    run_automatic_stages,
    samples,
    steps,
)

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
ROLE_NAMES = {
    "zhangwei": "drafter",
    "lihua": "unit-head",
    "wangfang": "counsel",
    "sunli": "legality-reviewer",
    "zhaomin": "fair-competition",
    "chenjun": "leader",
    "liuyang": "filing-clerk",
}


@pytest.fixture
def server(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium fonts-noto-cjk)")
    pytest.importorskip("playwright.sync_api")
    import uvicorn

    from reviewkit.web.app import create_app

    monkeypatch.setattr(identity, "SCRYPT_N", 2**10)
    prepare_roster()
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "the workbench did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def test_the_demo_case_in_chromium(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import Browser, Page, expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    pages: dict[str, Page] = {}

    def shot(page: Page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)

    def as_user(browser: Browser, user: str) -> Page:
        if user in pages:
            return pages[user]
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{server}/inbox")
        expect(page).to_have_url(f"{server}/login")
        page.get_by_label("用户名").fill(user)
        page.get_by_label("PIN").fill(PIN)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="我的待办", exact=False)).to_be_visible()
        pages[user] = page
        return page

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = as_user(browser, "zhangwei")
            page.get_by_role("link", name="发起案件").click()
            page.get_by_label("文件标题").fill("某县政府采购代理机构监督管理暂行办法")
            page.get_by_label("起草单位").fill("某县财政局政府采购股")
            page.get_by_label("涉及经营者经济活动", exact=False).check()
            page.get_by_label("实施可能影响社会稳定", exact=False).check()
            page.get_by_label("送审稿（.docx）").set_input_files(str(samples() / "draft-v1.docx"))
            shot(page, "00-drafter-new-case")
            page.get_by_role("button", name="发起").click()
            expect(page.get_by_role("status")).to_contain_text("已发起案件")
            number = page.url.rsplit("/", 1)[1]

            for i, step in enumerate(steps(), start=1):
                run_automatic_stages(number)
                page = as_user(browser, step.user)
                page.goto(f"{server}/inbox")
                expect(page.get_by_role("link", name=number)).to_be_visible()
                if i in (1, 4):
                    shot(page, f"{i:02d}-{ROLE_NAMES[step.user]}-inbox")
                page.get_by_role("link", name=number).click()
                if step.attach:
                    page.get_by_label("材料名称").select_option(step.attach)
                    page.get_by_label("文件（.docx/.txt/.md）").set_input_files(
                        str(material_docx(tmp_path / "materials", step.attach))
                    )
                    page.get_by_role("button", name="归档材料").click()
                    expect(page.get_by_role("status")).to_contain_text("已归档材料")
                if step.comments_csv:
                    csv = tmp_path / "意见.csv"
                    csv.write_text(COMMENTS_CSV, encoding="utf-8")
                    page.get_by_label("从 CSV 导入", exact=False).set_input_files(str(csv))
                    page.get_by_role("button", name="导入", exact=True).click()
                    expect(page.get_by_role("status")).to_contain_text("已从 CSV 登记 2 条意见")
                if step.upload_version:
                    page.get_by_label("提交新版本（.docx）").set_input_files(
                        str(samples() / step.upload_version)
                    )
                    page.get_by_role("button", name="提交修改稿").click()
                    expect(page.get_by_role("status")).to_contain_text("已提交第 2 稿")
                page.locator(f'input[name="decision"][value="{step.decision}"]').check()
                page.get_by_label("意见", exact=True).fill(step.opinion)
                if step.facts:
                    page.get_by_label("随决定记录的事实", exact=False).fill(step.facts)
                shot(page, f"{i:02d}-{ROLE_NAMES[step.user]}-{step.stage}")
                page.locator("#decide-form button[type=submit]").click()
                expect(page.get_by_role("heading", level=1)).to_contain_text("确认：")
                if step.stage == "legality_review":
                    expect(page.get_by_text("合法性审核意见书", exact=False).first).to_be_visible()
                    shot(page, f"{i:02d}-{ROLE_NAMES[step.user]}-confirm-paper")
                page.get_by_role("button", name="确认并记录决定").click()
                expect(page.get_by_role("status")).to_contain_text(f"作出“{step.decision}”")

            page = as_user(browser, "liuyang")
            page.goto(f"{server}/cases/{number}")
            expect(page.get_by_text("已结束", exact=False).first).to_be_visible()
            shot(page, "12-filing-clerk-filed")
            with page.expect_download() as download:
                page.get_by_role("link", name="下载备案材料包（zip）").click()
            assert download.value.suggested_filename.endswith(".zip")
            tablet = browser.new_context(
                viewport={"width": 768, "height": 1024},
                locale="zh-CN",
                storage_state=page.context.storage_state(),
            ).new_page()
            tablet.goto(f"{server}/cases/{number}")
            shot(tablet, "13-tablet-case-page")
            page.get_by_role("button", name="退出").click()
            expect(page).to_have_url(f"{server}/login")
        except Exception:
            for user, pg in pages.items():
                pg.screenshot(path=str(ARTIFACTS / f"web-failure-{user}.png"), full_page=True)
            raise
        finally:
            browser.close()

    with session_scope() as session:
        case = session.exec(select(Case)).one()
        decisions = session.exec(select(Decision).order_by(col(Decision.id))).all()
    assert case.stage == "filed" and case.doc_number
    assert [d.stage for d in decisions] == EXPECTED_STAGES and {d.channel for d in decisions} == {"web"}
