"""The labelled clause corpus (``tests/corpus/*.toml``) as training and evaluation items.

Each clause: ``text``, ``expect`` (categories a careful counsel flags; [] = clean), ``source`` (the
published notice, report or document it comes from, or ``constructed:…`` for clauses written for
reviewkit) and ``date``. Clauses without ``source`` take the file's ``default_source``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from reviewkit.errors import ConfigError
from reviewkit.rules.training_item import Item

CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "corpus"


def load_corpus(directory: Path = CORPUS_DIR) -> list[Item]:
    files = sorted(p for p in directory.glob("*.toml") if p.name != "documents.toml")
    if not files:
        raise ConfigError(f"语料目录 {directory} 中没有 *.toml 条款文件")
    items: list[Item] = []
    for file in files:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise ConfigError(f"语料文件 {file} 无法读取：{err}") from None
        default = str(data.get("default_source", f"constructed:{file.stem}"))
        default_label = str(data.get("default_label", "reviewkit 自编条款"))
        for raw in data.get("clause", []):
            source = str(raw.get("source", default))
            date = str(raw.get("date", ""))
            label = str(raw.get("label", "")) or (default_label if source == default else source)
            items.append(
                Item(
                    text=str(raw["text"]),
                    categories=frozenset(raw.get("expect", [])),
                    label=f"{label}（{date}）" if date else label,
                    source=source,
                )
            )
    return items
