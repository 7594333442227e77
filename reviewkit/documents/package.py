"""The 备案 package: one zip with the materials and a manifest of their SHA-256, so the filing body (and
anyone later) can check that what was filed is what the record holds.

``清单.json`` is machine-readable; ``清单.txt`` says the same for people. Entries have a fixed
timestamp and order, so the same materials always give the same zip.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime

FIXED_TIME = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Item:
    name: str  # 材料名称, e.g. 合法性审核意见书
    filename: str  # file name inside the zip
    data: bytes
    source: str = ""  # where it came from: 系统生成 / 经办人上传 …


def build(
    items: list[Item], *, title: str, case_number: str, doc_number: str, made_at: datetime, made_by: str
) -> bytes:
    entries = []
    for i, item in enumerate(items, 1):
        entries.append(
            {
                "seq": i,
                "name": item.name,
                "file": item.filename,
                "size": len(item.data),
                "sha256": hashlib.sha256(item.data).hexdigest(),
                "source": item.source,
            }
        )
    manifest = {
        "title": title,
        "case": case_number,
        "doc_number": doc_number,
        "made_at": made_at.isoformat(timespec="seconds"),
        "made_by": made_by,
        "files": entries,
    }
    lines = [
        f"《{title}》备案材料清单",
        f"文号：{doc_number}　案件编号：{case_number}",
        f"制作：{made_by}　{made_at:%Y-%m-%d %H:%M}",
        "",
    ]
    lines += [
        f"{e['seq']}. {e['name']}　{e['file']}　{e['size']} 字节　SHA-256 {e['sha256']}"
        + (f"　（{e['source']}）" if e["source"] else "")
        for e in entries
    ]
    lines += ["", "核对方法：对每个文件计算 SHA-256（如 sha256sum 文件名），应与上列一致。"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for item in items:
            _write(zf, item.filename, item.data)
        _write(zf, "清单.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
        _write(zf, "清单.txt", ("\n".join(lines) + "\n").encode("utf-8"))
    return out.getvalue()


def _write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.flag_bits |= 0x800  # UTF-8 file names
    zf.writestr(info, data)


def verify(data: bytes) -> list[str]:
    """Problems found when checking a package against its own manifest (empty: all files match)."""
    problems = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read("清单.json"))
        for entry in manifest["files"]:
            try:
                digest = hashlib.sha256(zf.read(entry["file"])).hexdigest()
            except KeyError:
                problems.append(f"缺少文件 {entry['file']}")
                continue
            if digest != entry["sha256"]:
                problems.append(f"{entry['file']} 的 SHA-256 与清单不符")
    return problems
