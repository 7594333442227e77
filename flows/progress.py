"""What watchers see in the Prefect UI: the case timeline and pre-review findings as markdown
artifacts, and tags naming the case's kind and current stage."""

from __future__ import annotations

from prefect import get_client, task
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from reviewkit.services.queries import case_detail, progress_markdown


@task(name="更新进度", task_run_name="更新进度")
def publish_progress(case_id: int) -> None:
    detail = case_detail(case_id)
    c = detail.case
    create_markdown_artifact(key=f"case-{c.id}-timeline", markdown=progress_markdown(detail),
                             description=f"{c.number} 办理过程与预审发现")
    run_id = flow_run.id
    if run_id:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(run_id)
            tags = [t for t in run.tags if not t.startswith(("stage:", "kind:"))]
            client.update_flow_run(run_id, tags=[*tags, f"kind:{c.kind}", f"stage:{c.stage}"])
