"""Content-addressed file store: ``<data_dir>/objects/ab/<sha256>``. Files are never overwritten."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reviewkit.errors import StoreError


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    path: Path
    created: bool


def blob_path(data_dir: Path, sha256: str) -> Path:
    return data_dir / "objects" / sha256[:2] / sha256


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put_bytes(data_dir: Path, data: bytes) -> StoredBlob:
    digest = sha256_bytes(data)
    target = blob_path(data_dir, digest)
    if target.exists():
        return StoredBlob(digest, len(data), target, created=False)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
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
                created = False
        finally:
            os.unlink(tmp)
    except OSError as err:
        raise StoreError(f"无法写入文件库 {data_dir}：{err.strerror or err}") from err
    return StoredBlob(digest, len(data), target, created=created)


def discard(blob: StoredBlob) -> None:
    """Remove a blob this unit of work created, when the transaction that would reference it failed."""
    if blob.created:
        try:
            blob.path.unlink()
        except OSError:
            pass


def read_bytes(data_dir: Path, sha256: str) -> bytes:
    path = blob_path(data_dir, sha256)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise StoreError(f"文件库缺少 {sha256[:12]}…：{err.strerror or err}") from err
    if sha256_bytes(data) != sha256:
        raise StoreError(f"文件库中的 {sha256[:12]}… 内容与其 SHA-256 不符，文件已被改动")
    return data
