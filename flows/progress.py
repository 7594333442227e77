"""What watchers see in the Prefect UI: the case timeline and pre-review findings as one markdown
artifact per case and run, kept up to date in place, and tags naming the case's kind and current stage.

Why in place: every ``create_markdown_artifact`` call makes a new artifact, and the run's Artifacts
tab lists every one. The flow publishes before each gate, and a resumed run re-executes its body from
the top, so a case that went through a dozen gates showed a dozen identical-looking cards, most of
them stale. Now the first call in a run creates the artifact (key ``case-<id>``) and later calls
update that same artifact; the key's collection (the Artifacts page) shows it as the latest version.
"""

from __future__ import annotations

from uuid import UUID

from prefect import get_client, task
from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.actions import ArtifactUpdate
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort
from prefect.runtime import flow_run

from reviewkit.services.queries import case_detail, progress_markdown


def artifact_key(case_id: int) -> str:
    """Artifact keys accept only ``[a-z0-9-]``."""
    return f"case-{case_id}"


@task(name="更新进度", task_run_name="更新进度")
def publish_progress(case_id: int, refused: str = "") -> None:
    detail = case_detail(case_id)
    c = detail.case
    markdown = progress_markdown(detail, refused)
    description = f"{c.number} 办理过程与预审发现"
    run_id = flow_run.id
    if not run_id:  # outside a flow run (a plain call): nothing to update in place
        create_markdown_artifact(key=artifact_key(c.id), markdown=markdown, description=description)
        return
    with get_client(sync_client=True) as client:
        put_case_artifact(client, UUID(str(run_id)), artifact_key(c.id), markdown, description)
        run = client.read_flow_run(run_id)
        tags = [t for t in run.tags if not t.startswith(("stage:", "kind:"))]
        client.update_flow_run(run_id, tags=[*tags, f"kind:{c.kind}", f"stage:{c.stage}"])


def put_case_artifact(
    client: SyncPrefectClient, run_id: UUID, key: str, markdown: str, description: str
) -> None:
    """Create the run's artifact under ``key`` once, then update it; remove older copies of it in the
    same run (runs from before this was in place carry a pile of them)."""
    mine = client.read_artifacts(
        artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[key]), flow_run_id=ArtifactFilterFlowRunId(any_=[run_id])
        ),
        sort=ArtifactSort.CREATED_DESC,
    )
    if not mine:
        create_markdown_artifact(key=key, markdown=markdown, description=description)
        return
    newest, *older = mine
    if newest.data != markdown or newest.description != description:
        client.update_artifact(newest.id, ArtifactUpdate(data=markdown, description=description))
    for stale in older:
        client.delete_artifact(stale.id)
