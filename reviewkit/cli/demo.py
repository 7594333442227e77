"""``reviewkit demo``: the main job, end to end on the embedded defaults."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import typer

from reviewkit.cli.root import app
from reviewkit.cli.views import case_panel, console, err_console


@app.command("demo")
def demo(
    out: Path = typer.Option(Path("var/demo"), "--out", help="演示产出目录"),
) -> None:
    """演示：示例名册 + 示例送审稿，经全部环节（含一次退回修改）直至备案，并输出办理过程。"""
    from reviewkit.orchestration import env, server
    from reviewkit.services import demo as demo_service
    from reviewkit.services.documents import list_materials, read_material
    from reviewkit.services.queries import case_detail

    started = time.monotonic()
    case_id = demo_service.prepare()
    console.print(f"已导入示例名册，发起演示案件 id {case_id}。")
    env.apply()
    status = server.status()
    if not status.healthy:
        err_console.print("正在启动本机 Prefect 服务器（首次启动约需 10–20 秒）…")
        status = server.up()
    from flows.demo import demo_case

    demo_case(case_id)
    detail = case_detail(case_id)
    console.print(case_panel(detail))
    folder = out / detail.case.number
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.json").write_text(
        json.dumps(detail.as_json(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    for sample in ("draft-v1.docx", "draft-v2.docx"):
        shutil.copy2(demo_service.samples_dir() / sample, folder / sample)
    # Every paper the case produced, as filed (审核意见书 of both rounds, 登记表, 正式文本, 备案报告, 修改对照稿,
    # 备案材料包 …): the same bytes `reviewkit doc export` gives, checked against their SHA-256.
    papers = folder / "文书"
    papers.mkdir(exist_ok=True)
    made = [row for row in list_materials(case_id) if row.generated]
    for row in made:
        (papers / row.filename).write_bytes(read_material(case_id, row.filename)[1])
    elapsed = time.monotonic() - started
    console.print(
        f"\n演示完成，用时 {elapsed:.1f} 秒。产出在 {folder}/（文书 {len({r.filename for r in made})} 份在 文书/）"
    )
    # soft_wrap: the address stays on one line whatever the terminal width, so it can be copied
    console.print(
        f"在 Prefect UI 查看流程：{env.flow_run_page(detail.flow_run_id or '', status.ui_url)}",
        soft_wrap=True,
    )
    console.print("Prefect 服务器在后台继续运行；停止它：reviewkit server down")
