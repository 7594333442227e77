"""``reviewkit demo`` end to end, as the README's first command runs it (against the session's server)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli import run


def test_demo_runs_the_case_to_filing(tmp_path: Path, prefect_api: str) -> None:
    home = tmp_path / "var"
    r = run(
        home, "demo", "--out", str(home / "demo"), env={"REVIEWKIT_PREFECT_API_URL": prefect_api}, timeout=300
    )
    assert r.code == 0, r.err + r.out
    assert "演示完成" in r.out and "/runs/flow-run/" in r.out
    assert "Traceback" not in r.err

    cases = json.loads(run(home, "case", "list", "--json").out)
    assert len(cases) == 1
    case = cases[0]
    assert (case["stage"], case["status"]) == ("filed", "closed")
    assert case["doc_number"] and case["doc_number"].endswith("号")

    detail = json.loads(run(home, "case", "show", case["number"], "--json").out)
    stages = [(t["stage"], t["round"], t["outcome"]) for t in detail["timeline"]]
    # 风险评估 is the drafting unit's work before consultation and review (国办发〔2018〕37号 三(三); legal review P1)
    assert stages[:6] == [
        ("drafting", 1, "提交"),
        ("risk_assessment", 1, "评估完成"),
        ("consultation", 1, "征求意见完成"),
        ("fair_competition", 1, "符合"),
        ("prereview", 1, "完成"),
        ("legality_review", 1, "应当予以修改"),
    ]
    assert ("legality_review", 2, "合法") in stages and ("deliberation", 2, "通过") in stages
    assert stages[-1][0] == "filed"
    assert all(t["actor"] for t in detail["timeline"][:-1])  # every stage left by someone named
    assert [v["seq"] for v in detail["versions"]] == [1, 2]
    rules = {f["rule_id"] for f in detail["findings"] if f["version_seq"] == 1}
    assert {"SUB-PENALTY", "CITE-REPEALED", "COMP-LOCAL-FIRST"} <= rules  # the planted defects of draft v1
    assert not [f for f in detail["findings"] if f["version_seq"] == 2 and f["severity"] == "error"]
    assert detail["flow_run_id"]
    folder = home / "demo" / case["number"]
    assert (folder / "case.json").is_file()
    # Every paper of the case is in the demo's folder (newcomer review: they were only in the store).
    filed = json.loads(run(home, "doc", "list", case["number"], "--json").out)
    generated = sorted({m["filename"] for m in filed if m["generated"]})
    assert sorted(p.name for p in (folder / "文书").iterdir()) == generated
    assert {"审核意见书", "正式文本", "备案报告", "修改对照稿", "备案材料包"} <= {
        m["name"] for m in filed if m["generated"]
    }
