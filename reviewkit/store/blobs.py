"""Content-addressed file store: ``<data_dir>/objects/ab/<sha256>``. Files are never overwritten.

Nothing is deleted when a transaction fails: another writer of the same bytes may have found the
file present and committed a reference to it (issue #20, the lost-document race). Unreferenced
objects are collected by a separate sweep (``reviewkit store gc``, services/store_gc.py) in two steps:

1. an object unreferenced and untouched for a day is moved to ``<data_dir>/quarantine/<sha256>``
   (its mtime then records when); ``read_bytes`` still finds it there;
2. a later sweep deletes a quarantined object still unreferenced after ``QUARANTINE_GRACE``, and
   moves back any that gained a reference meanwhile.

``put_bytes`` refreshes the mtime of an object it finds present, so the sweep does not take an
object a writer is about to reference; a writer that found it just before the move commits its
reference within seconds, long before the grace ends, and the next sweep moves the object back.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from reviewkit.errors import StoreError

QUARANTINE_GRACE = timedelta(hours=1)
_INCOMING = ".incoming-"
_SHA = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    path: Path
    created: bool


def blob_path(data_dir: Path, sha256: str) -> Path:
    return data_dir / "objects" / sha256[:2] / sha256


def quarantine_path(data_dir: Path, sha256: str) -> Path:
    return data_dir / "quarantine" / sha256


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put_bytes(data_dir: Path, data: bytes) -> StoredBlob:
    digest = sha256_bytes(data)
    target = blob_path(data_dir, digest)
    if target.exists():
        _touch(target)
        return StoredBlob(digest, len(data), target, created=False)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=_INCOMING)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o444)
            try:
                os.link(tmp, target)  # fails if another writer got there first: never overwrite
                created = True
            except FileExistsError:
                _touch(target)
                created = False
        finally:
            os.unlink(tmp)
    except OSError as err:
        raise StoreError(f"无法写入文件库 {data_dir}：{err.strerror or err}") from err
    return StoredBlob(digest, len(data), target, created=created)


def _touch(path: Path) -> None:
    """Mark an object as just written (best effort: an object owned by another account keeps its time)."""
    try:
        os.utime(path)
    except OSError:
        pass


def discard(blob: StoredBlob) -> None:
    """Kept for callers written before issue #20; deliberately does nothing. Deleting the blob of a
    failed transaction lost documents: a concurrent writer of the same bytes may already reference it.
    An object nobody references is collected by ``reviewkit store gc`` after a day."""
    del blob


def read_bytes(data_dir: Path, sha256: str) -> bytes:
    path = blob_path(data_dir, sha256)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        try:  # moved aside by a sweep while a reference to it was being committed
            data = quarantine_path(data_dir, sha256).read_bytes()
        except OSError as err:
            raise StoreError(f"文件库缺少 {sha256[:12]}…：{err.strerror or err}") from err
    except OSError as err:
        raise StoreError(f"文件库缺少 {sha256[:12]}…：{err.strerror or err}") from err
    if sha256_bytes(data) != sha256:
        raise StoreError(f"文件库中的 {sha256[:12]}… 内容与其 SHA-256 不符，文件已被改动")
    return data


# --- the sweep's file operations (the decisions are services/store_gc.py's) ---------------------


@dataclass(frozen=True)
class ObjectFile:
    sha256: str
    path: Path
    size: int
    mtime: float


def _scan(folder: Path) -> Iterator[ObjectFile]:
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.is_file(follow_symlinks=False) and _SHA.fullmatch(entry.name):
            st = entry.stat(follow_symlinks=False)
            yield ObjectFile(entry.name, Path(entry.path), st.st_size, st.st_mtime)


def objects(data_dir: Path) -> Iterator[ObjectFile]:
    """Every object in ``objects/``, with its size and mtime."""
    root = data_dir / "objects"
    try:
        shards = sorted(
            e.path for e in os.scandir(root) if e.is_dir(follow_symlinks=False) and len(e.name) == 2
        )
    except FileNotFoundError:
        return
    for shard in shards:
        yield from _scan(Path(shard))


def quarantined(data_dir: Path) -> Iterator[ObjectFile]:
    """Every object in ``quarantine/``; its mtime is when it was moved there."""
    yield from _scan(data_dir / "quarantine")


def stale_incoming(data_dir: Path, before: float) -> list[Path]:
    """Temporary files of writers that died mid-write, last modified before ``before`` (epoch seconds)."""
    root = data_dir / "objects"
    found = []
    for path in root.glob(f"??/{_INCOMING}*") if root.is_dir() else []:
        try:
            if path.lstat().st_mtime < before:
                found.append(path)
        except FileNotFoundError:
            continue
    return found


def move_to_quarantine(data_dir: Path, obj: ObjectFile, before: float, now: float) -> bool:
    """Move an object aside if it is still untouched since ``before``; its mtime becomes ``now``.
    False when a writer touched it meanwhile (or it is gone)."""
    try:
        if obj.path.stat().st_mtime >= before:
            return False
        target = quarantine_path(data_dir, obj.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(obj.path, target)
    except FileNotFoundError:
        return False
    except OSError as err:
        raise StoreError(f"无法移动文件库对象 {obj.sha256[:12]}…：{err.strerror or err}") from err
    try:
        os.utime(target, (now, now))
    except OSError as err:
        restore(data_dir, obj.sha256)
        raise StoreError(f"无法标记隔离时间 {obj.sha256[:12]}…：{err.strerror or err}") from err
    return True


def restore(data_dir: Path, sha256: str) -> None:
    """Move a quarantined object back (a copy written again meanwhile is kept; the bytes are the same)."""
    source, target = quarantine_path(data_dir, sha256), blob_path(data_dir, sha256)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except FileExistsError:
            pass
        source.unlink()
    except FileNotFoundError:
        return
    except OSError as err:
        raise StoreError(f"无法恢复文件库对象 {sha256[:12]}…：{err.strerror or err}") from err


def remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as err:
        raise StoreError(f"无法删除 {path.name}：{err.strerror or err}") from err
    return True
