"""The law-status catalog: which laws are repealed, superseded or revised, as of a stated date.

Data lives in ``templates/laws/*.toml`` (see the bundled ``catalog.toml``); users extend it with
their own files. Loading uses only ``tomllib`` so the rules stay pure.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from reviewkit.errors import ConfigError

STATUSES = ("repealed", "superseded", "revised", "in_force")
_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_VERSION = re.compile(r"[（(][^）)]*(?:修正|修订|年版|版)[^）)]*[）)]$")


def normalize_law_name(name: str) -> str:
    """``《中华人民共和国合同法（1999年）》`` → ``合同法``: the key citations are matched by."""
    name = name.strip().strip("《》").strip()
    name = _VERSION.sub("", name).strip()
    if name.startswith("中华人民共和国"):
        name = name[len("中华人民共和国") :]
    return name


@dataclass(frozen=True)
class LawStatus:
    name: str
    status: str
    date: date
    replaced_by: str = ""
    source: str = ""
    note: str = ""
    aliases: tuple[str, ...] = ()
    covers: tuple[str, ...] = ()  # kinds of measure the law itself provides for (permit, penalty…)

    @property
    def current(self) -> bool:
        return self.status in ("in_force", "revised")


@dataclass(frozen=True)
class LawCatalog:
    as_of: date
    laws: Mapping[str, LawStatus] = field(default_factory=dict)  # keyed by normalized name
    sources: tuple[str, ...] = ()

    def lookup(self, cited: str) -> LawStatus | None:
        return self.laws.get(normalize_law_name(cited))

    def covers(self, cited: str, category: str) -> bool:
        """Whether the cited law is current and provides for measures of ``category``."""
        law = self.lookup(cited)
        return law is not None and law.current and category in law.covers

    @property
    def as_of_label(self) -> str:
        return f"{self.as_of.year}年{self.as_of.month}月{self.as_of.day}日"


def _entry(raw: Mapping[str, Any], where: str) -> LawStatus:
    try:
        name = str(raw["name"])
        status = str(raw["status"])
        when = raw["date"]
    except KeyError as missing:
        raise ConfigError(f"法律状态目录 {where} 的条目缺少字段 {missing}") from None
    if status not in STATUSES:
        raise ConfigError(
            f"法律状态目录 {where} 中《{name}》的状态“{status}”无效（应为 {'/'.join(STATUSES)}）"
        )
    if not isinstance(when, date):
        raise ConfigError(f"法律状态目录 {where} 中《{name}》的日期应写作 2021-01-01")
    return LawStatus(
        name=name,
        status=status,
        date=when,
        replaced_by=str(raw.get("replaced_by", "")),
        source=str(raw.get("source", "")),
        note=str(raw.get("note", "")),
        aliases=tuple(str(a) for a in raw.get("aliases", ())),
        covers=tuple(str(c) for c in raw.get("covers", ())),
    )


def load_catalog(paths: Iterable[Path]) -> LawCatalog:
    """Merge catalog files (a directory means its ``*.toml`` files, sorted; later entries override)."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        files.extend(sorted(path.glob("*.toml")) if path.is_dir() else [path])
    laws: dict[str, LawStatus] = {}
    as_of: date | None = None
    for file in files:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise ConfigError(f"法律状态目录 {file} 无法读取：{err}") from None
        stamp = data.get("as_of")
        if not isinstance(stamp, date):
            raise ConfigError(f"法律状态目录 {file} 缺少 as_of 日期（如 as_of = 2025-01-01）")
        as_of = stamp if as_of is None else max(as_of, stamp)
        for raw in data.get("law", []):
            law = _entry(raw, str(file))
            for key in (law.name, *law.aliases):
                laws[normalize_law_name(key)] = law
    if as_of is None:
        raise ConfigError("未找到法律状态目录（templates/laws/*.toml）")
    return LawCatalog(as_of=as_of, laws=laws, sources=tuple(str(f) for f in files))


def bundled_catalog_dir() -> Path:
    """``templates/laws`` in the source tree, or its copy bundled in the wheel."""
    source = _PACKAGE_DIR.parent / "templates" / "laws"
    return source if source.is_dir() else _PACKAGE_DIR / "_bundled" / "templates" / "laws"


_DEFAULT: list[LawCatalog] = []


def default_catalog() -> LawCatalog:
    if not _DEFAULT:
        _DEFAULT.append(load_catalog([bundled_catalog_dir()]))
    return _DEFAULT[0]
