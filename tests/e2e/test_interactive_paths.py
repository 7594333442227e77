"""The commands a person waits for at a gate — ``decide``, ``inbox``, ``case show`` — never import
Prefect (about a second of startup): a decision wakes its run over Prefect's REST API with httpx.

Each command runs as the user runs it (a ``python -m reviewkit``-equivalent child process) and reports,
as it exits, whether ``prefect`` was ever imported. The Prefect address points at a closed port: the
decision is recorded and the run is left for ``reviewkit sync``, as when the server is down.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.actors import TEST_PIN, proven
from tests.builders import build_docx

CHILD = """
import atexit, sys
atexit.register(lambda: sys.stderr.write("\\nPREFECT-IMPORTED=%s\\n" % ("prefect" in sys.modules)))
sys.argv = ["reviewkit", *sys.argv[1:]]
from reviewkit.cli import main
main()
"""


def _run(home: Path, *args: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REVIEWKIT_", "PREFECT_"))}
    env.update(
        {"REVIEWKIT_HOME": str(home), "COLUMNS": "200", "REVIEWKIT_PREFECT_API_URL": "http://127.0.0.1:9/api"}
    )
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        cwd=home.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def demo_case(isolated_home: Path, tmp_path: Path) -> str:
    from reviewkit.services import demo
    from reviewkit.services.attachments import attach
    from reviewkit.services.cases import attach_flow_run
    from reviewkit.services.queries import case_detail

    case_id = demo.prepare()
    attach_flow_run(case_id, str(uuid.uuid4()))  # a run to wake, on a server that does not answer
    attach(case_id, "起草说明", build_docx(tmp_path / "起草说明.docx", title="起草说明"), proven("zhangwei"))
    proven("lihua")  # a PIN for the next gate's person
    return case_detail(case_id).case.number


def test_decide_inbox_and_case_show_do_not_import_prefect(isolated_home: Path, demo_case: str) -> None:
    code, out, err = _run(
        isolated_home,
        "decide",
        demo_case,
        "-d",
        "提交",
        "--as",
        "zhangwei",
        "--pin",
        TEST_PIN,
        "--fact",
        "legal_basis=《中华人民共和国政府采购法》第十三条",
    )
    assert code == 0, err
    assert "已记录" in out and "reviewkit sync" in out  # recorded; the run is left for sync
    assert "PREFECT-IMPORTED=False" in err

    code, out, err = _run(isolated_home, "inbox", "--as", "lihua", "--pin", TEST_PIN)
    assert code == 0, err
    assert demo_case in out and "PREFECT-IMPORTED=False" in err

    code, out, err = _run(isolated_home, "case", "show", demo_case, "--json")
    assert code == 0, err
    assert demo_case in out and "PREFECT-IMPORTED=False" in err
