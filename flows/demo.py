"""``demo_case``: the demo's case through every stage, its gates decided by the demo script.

Never served: ``reviewkit demo`` calls it in-process. The script's people act through the one decision
pipeline with a demo proof (``identity.demo_actor``) that is good for the demo's own case only, on a
database that holds no office case; nothing a Prefect form or parameter sends can make one.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.runtime import flow_run

from flows.review_case import drive
from reviewkit.services import cases, demo


@task(name="人工环节（演示脚本）", task_run_name="{stage_name}（演示决定）")
def scripted_gate(case_id: int, stage_name: str) -> str:
    return demo.decide_scripted(case_id).to_stage


def _scripted(case_id: int) -> object:
    from reviewkit.services.queries import case_detail

    return scripted_gate(case_id, case_detail(case_id).case.stage_name)


@flow(name="review_case_demo", flow_run_name="演示案件", persist_result=False)
def demo_case(case_id: int) -> str:
    """演示：示例案件按演示脚本逐个环节办理至备案。"""
    if flow_run.id:  # the Prefect UI link the demo prints points to this run
        cases.attach_flow_run(case_id, str(flow_run.id))
    return drive(case_id, _scripted)
