"""Faults under a running case: PostgreSQL restarting mid-case, and a full disk for the document store.

Each failure gets one Chinese line; nothing is half-done (no row without its file, no file without
its row, no partial blob); after the fault the case carries on and nothing recorded earlier is lost.

The PostgreSQL test stops the machine's cluster for about two seconds (other sessions' tests share it):
it always starts it again and waits for ``pg_isready``. The full-disk tests mount a 256 KiB tmpfs
(root only; skipped otherwise) or, in a subprocess, limit the file size with ``RLIMIT_FSIZE``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import func, select

from reviewkit.errors import ReviewkitError, StoreError
from reviewkit.services import audit_trail
from reviewkit.services.attachments import attach
from reviewkit.services.cases import NewCase, start_case, submit_version
from reviewkit.services.workflow import decide
from reviewkit.settings import reset_settings
from reviewkit.store.db import session_scope
from reviewkit.store.models import Attachment, AuditEvent, Case, Decision, DocumentVersion
from tests.actors import proven
from tests.builders import build_docx
from tests.integration.test_services import _file, _start, _to_legality_review

CLUSTER = ["15", "main"]


def _one_chinese_line(err: Exception) -> str:
    text = str(err)
    assert "\n" not in text and text.strip() == text, text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    assert "Traceback" not in text
    return text


def _counts() -> dict[str, int]:
    with session_scope() as session:
        return {
            m.__name__: int(session.exec(select(func.count()).select_from(m)).one())
            for m in (Case, DocumentVersion, Attachment, Decision, AuditEvent)
        }


def _pg_ready(timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode != 0:
        if time.monotonic() > deadline:
            raise RuntimeError("PostgreSQL did not come back")
        time.sleep(0.2)


def _pg_ctl(action: str, *extra: str) -> None:
    subprocess.run(["pg_ctlcluster", *CLUSTER, action, *extra], check=True, timeout=120, capture_output=True)


# ---- PostgreSQL restarting mid-case ----------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_restart_mid_case(db_url: str, tmp_path: Path) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("this fault is PostgreSQL's")
    if shutil.which("pg_ctlcluster") is None or os.geteuid() != 0:
        pytest.skip("needs pg_ctlcluster as root")
    case_id = _start(tmp_path)
    _to_legality_review(case_id, tmp_path)
    _file(case_id, "审核意见书", "counsel1", tmp_path)

    # A restart between two decisions: the pooled connections are stale, the next decision goes through.
    try:
        _pg_ctl("restart", "-m", "fast")
    finally:
        _pg_ready()
    before = _counts()
    head = audit_trail.verify()

    # A decision while the server is down: one clear line, nothing changed.
    try:
        _pg_ctl("stop", "-m", "fast")
        with pytest.raises(StoreError) as caught:
            decide(case_id, "应当予以修改", proven("counsel1"), opinion="第三条表述不清")
    finally:
        _pg_ctl("start")
        _pg_ready()
    message = _one_chinese_line(caught.value)
    assert "数据库" in message and "初始化" not in message, message  # says the database is unreachable

    assert _counts() == before
    with session_scope() as session:
        assert session.get(Case, case_id).stage == "legality_review"  # type: ignore[union-attr]
    # After the restart the case continues where it stood, and nothing recorded before is lost.
    result = decide(case_id, "应当予以修改", proven("counsel1"), opinion="第三条表述不清")
    assert result.to_stage == "revision"
    after = _counts()
    assert after["Decision"] == before["Decision"] + 1 and after["AuditEvent"] > before["AuditEvent"]
    report = audit_trail.verify(anchor=(head.head_seq, head.head_hash))  # the earlier chain is a prefix
    assert report.broken is None, audit_trail.describe(report)


# ---- A full disk for the document store -----------------------------------------------------------


@pytest.fixture
def tiny_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """REVIEWKIT_DATA_DIR on a 256 KiB tmpfs."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    monkeypatch.setenv("REVIEWKIT_DATA_DIR", str(mount))
    reset_settings()
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
        reset_settings()


def _fill(mount: Path) -> None:
    """Leave less room than any document needs."""
    filler = mount / "filler"
    with filler.open("wb", buffering=0) as fh:
        for size in (4096, 512, 1):
            try:
                while True:
                    fh.write(b"\0" * size)
            except OSError:
                pass


def _blobs(mount: Path) -> list[str]:
    return sorted(str(p.relative_to(mount)) for p in mount.rglob("*") if p.is_file() and p.name != "filler")


def test_full_document_store_refuses_cleanly_and_leaves_nothing(
    db_url: str, tiny_data_dir: Path, tmp_path: Path
) -> None:
    case_id = _start(tmp_path)
    _file(case_id, "起草说明", "drafter1", tmp_path)
    _fill(tiny_data_dir)
    before, blobs = _counts(), _blobs(tiny_data_dir)
    big = build_docx(
        tmp_path / "v2.docx",
        title="某县财政专项资金管理办法（修改稿）",
        articles=[f"第{i}条　专项资金的申报、审核、拨付和监督，依照本办法执行。" * 3 for i in range(1, 60)],
    )

    attempts = {
        "case new": lambda: start_case(
            NewCase(
                kind="normative_document",
                title="某县另一办法",
                drafting_unit="预算股",
                drafter="drafter1",
                draft=big,
            ),
            proven("drafter1"),
        ),
        "submit": lambda: submit_version(case_id, big, proven("drafter1")),
        "attach": lambda: attach(case_id, "征求意见采纳情况", big, proven("head1")),
    }
    for label, attempt in attempts.items():
        with pytest.raises(ReviewkitError) as caught:
            attempt()
        message = _one_chinese_line(caught.value)
        assert "文件库" in message, (label, message)
        assert _counts()["DocumentVersion"] == before["DocumentVersion"], label
        assert _counts()["Attachment"] == before["Attachment"], label
        assert _counts()["Case"] == before["Case"], label
        assert _blobs(tiny_data_dir) == blobs, (label, _blobs(tiny_data_dir))  # no partial blob, no temp file

    # Room again: the same actions succeed and the case carries on.
    (tiny_data_dir / "filler").unlink()
    submit_version(case_id, big, proven("drafter1"))
    assert decide(case_id, "提交", proven("drafter1")).to_stage == "consultation"
    assert audit_trail.verify().broken is None


_FSIZE_CHILD = r"""
import json, os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a write past the limit fails with EFBIG instead of killing us
from reviewkit.services.attachments import attach
from reviewkit.errors import ReviewkitError
from tests.actors import proven
head1 = proven("head1")   # proved before the limit: only the document store is to hit it
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    from pathlib import Path
    attach(int(sys.argv[1]), "征求意见采纳情况", Path(sys.argv[2]), head1)
except ReviewkitError as err:
    print(json.dumps({"error": str(err), "type": type(err).__name__}, ensure_ascii=False))
else:
    print(json.dumps({"error": None}))
"""


def test_file_size_limit_while_storing_an_attachment(db_url: str, tmp_path: Path) -> None:
    """The same fault without root: the process may not write files larger than the store needs."""
    case_id = _start(tmp_path)
    proven("head1")  # head1's PIN is set here: the child only proves it, before its file-size limit
    before = _counts()
    big = build_docx(
        tmp_path / "材料.docx",
        title="征求意见采纳情况",
        articles=[f"第{i}条意见：予以采纳。" * 20 for i in range(1, 80)],
    )
    data_dir = Path(os.environ["REVIEWKIT_HOME"]) / "data"
    blobs = sorted(p.name for p in data_dir.rglob("*") if p.is_file())
    limit = big.stat().st_size // 2  # the database (a SQLite file already past its first pages) is unaffected
    env = {**os.environ}
    proc = subprocess.run(
        [sys.executable, "-c", _FSIZE_CHILD, str(case_id), str(big), str(limit)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    import json

    outcome = json.loads(proc.stdout.strip().splitlines()[-1])
    assert outcome["type"] == "StoreError" and "文件库" in outcome["error"], outcome
    assert "\n" not in outcome["error"]
    assert _counts() == {**before, "AuditEvent": _counts()["AuditEvent"]}  # no row (a refusal may be audited)
    assert sorted(p.name for p in data_dir.rglob("*") if p.is_file()) == blobs  # no partial blob
