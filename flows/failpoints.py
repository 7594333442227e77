"""Fault injection for the reliability tests: kill the worker at a named point of a flow run.

Off unless ``REVIEWKIT_FAILPOINTS`` is set (comma-separated ``fnmatch`` patterns of point names, ``*``
for all). Each point fires once: it leaves a marker file in ``REVIEWKIT_FAILPOINT_DIR`` before
firing, so the run that carries the case on after the kill passes the same point. Firing SIGKILLs the
worker (``REVIEWKIT_WORKER_PID``, set by ``reviewkit worker``) and then this flow-run process: nothing
is reported to Prefect or flushed to the store, as when the machine loses power.

Point names: ``enter:<stage>:r<round>`` at the top of each step of the flow (between two stages, and
at a gate before it suspends); ``resumed:<gate key>`` when a gate's run has been resumed, before the
input is carried out.
"""

from __future__ import annotations

import os
import re
import signal
from fnmatch import fnmatch
from pathlib import Path


def hit(name: str) -> None:
    patterns = os.environ.get("REVIEWKIT_FAILPOINTS", "")
    if not patterns or not any(fnmatch(name, p.strip()) for p in patterns.split(",") if p.strip()):
        return
    marker = Path(os.environ.get("REVIEWKIT_FAILPOINT_DIR") or ".") / re.sub(r"[^\w.-]", "_", name)
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return
    os.write(fd, f"{os.getpid()}\n".encode())
    os.close(fd)
    print(f"failpoint {name}: SIGKILL worker and flow process", flush=True)
    worker = int(os.environ.get("REVIEWKIT_WORKER_PID") or 0)
    if worker and worker != os.getpid():
        try:
            os.kill(worker, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os.kill(os.getpid(), signal.SIGKILL)
