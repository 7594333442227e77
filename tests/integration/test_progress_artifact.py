"""One case artifact per run, updated in place: publishing again (before each gate, and on every
resume, which re-runs the flow body) must not add another card to the run's Artifacts tab; a run
that carries a pile of copies from before keeps only the newest. Against the session's Prefect server."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.prefect


def _key() -> str:
    return f"case-test-{uuid.uuid4().hex[:12]}"


def test_publishing_again_updates_the_one_artifact_of_the_run(prefect_api: str) -> None:
    from prefect import flow, get_client, task
    from prefect.artifacts import create_markdown_artifact
    from prefect.client.schemas.filters import (
        ArtifactCollectionFilter,
        ArtifactCollectionFilterKey,
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )
    from prefect.runtime import flow_run

    from flows.progress import put_case_artifact

    fresh, piled = _key(), _key()

    @task
    def publish(key: str, text: str) -> None:
        with get_client(sync_client=True) as client:
            put_case_artifact(client, flow_run.id, key, text, "RK 办理过程与预审发现")

    @flow(persist_result=False)
    def case_run() -> str:
        for text in ("起草", "合法性审核", "合法性审核", "集体审议"):
            publish(fresh, text)
        for text in ("旧1", "旧2", "旧3"):  # what runs created before the fix left behind
            create_markdown_artifact(key=piled, markdown=text, description="旧卡片")
        publish(piled, "已备案")
        return str(flow_run.id)

    run_id = case_run()
    with get_client(sync_client=True) as client:
        for key, text in ((fresh, "集体审议"), (piled, "已备案")):
            in_run = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    key=ArtifactFilterKey(any_=[key]),
                    flow_run_id=ArtifactFilterFlowRunId(any_=[uuid.UUID(run_id)]),
                )
            )
            assert [a.data for a in in_run] == [text]
            latest = client.read_latest_artifacts(
                artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=[key]))
            )
            assert [a.data for a in latest] == [text]  # the Artifacts page shows the current state
