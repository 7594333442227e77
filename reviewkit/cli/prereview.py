"""``reviewkit prereview``: pre-review drafts from files (no case, no database, no Prefect)."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from reviewkit.cli.root import app
from reviewkit.errors import ReviewkitError

SUFFIXES = (".docx", ".txt", ".md")
EXIT_UNREADABLE = 1
EXIT_FAIL_ON = 3


class FailOn(StrEnum):
    error = "error"
    warning = "warning"


def _expand(paths: list[Path]) -> list[Path]:
    """Files as given; a directory stands for the .docx/.txt/.md files under it (sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()))
        else:
            files.append(path)
    return files


def _annotated_name(directory: Path, src: Path, used: set[Path]) -> Path:
    dest = directory / f"{src.stem}.预审批注.docx"
    k = 2
    while dest in used:
        dest = directory / f"{src.stem}.预审批注-{k}.docx"
        k += 1
    used.add(dest)
    return dest


@app.command("prereview")
def prereview(
    paths: list[Path] = typer.Argument(
        None, metavar="PATH...", help="文稿（.docx、.txt、.md）或包含文稿的目录"
    ),
    as_json: bool = typer.Option(
        False, "--json", help="输出 JSON 数组：每个文件一个 {file, findings} 对象（段落序号从 0 起）"
    ),
    annotate_dir: Path | None = typer.Option(
        None, "--annotate-dir", metavar="DIR", file_okay=False, help="把带批注的副本写入该目录（原文件不变）"
    ),
    fail_on: FailOn | None = typer.Option(
        None,
        "--fail-on",
        case_sensitive=False,
        help=f"发现该级别（error 或 warning）及以上的问题时以退出码 {EXIT_FAIL_ON} 结束（用于流水线把关）",
    ),  # fmt: skip
    catalog_files: list[Path] = typer.Option(
        [],
        "--catalog",
        metavar="FILE",
        exists=True,
        dir_okay=False,
        help="补充的法律状态目录（TOML，可多次指定）",
    ),
    retrain: bool = typer.Option(
        False, "--retrain", help="用已标注语料重新训练统计模型（需要 scikit-learn），写入随包模型文件后退出"
    ),
    corpus_dir: Path | None = typer.Option(
        None,
        "--corpus",
        metavar="DIR",
        file_okay=False,
        help="与 --retrain 合用：语料目录（默认 tests/corpus）",
    ),
) -> None:
    """自动预审：形式规范、许可/处罚/强制/收费红线、权利义务、职权、公平竞争、已废止法律引用。

    退出码：0 预审已完成（无论发现多少问题）；1 有文件无法读取（其余文件照常预审）；2 用法错误；
    3 使用 --fail-on 且发现该级别及以上的问题。表格中的段落序号从 1 起，JSON 中从 0 起。
    """
    if retrain:
        _retrain(corpus_dir)
        return
    if not paths:
        raise typer.BadParameter("缺少要预审的文稿", param_hint="PATH")
    from reviewkit.documents import parse_file
    from reviewkit.documents.annotate import annotate_docx
    from reviewkit.rules import SEVERITY_RANK, load_catalog, run_rules
    from reviewkit.rules.catalog import bundled_catalog_dir
    from reviewkit.settings import get_settings

    settings = get_settings()
    laws_dir = settings.templates_dir / "laws"
    catalog = load_catalog([laws_dir if laws_dir.is_dir() else bundled_catalog_dir(), *catalog_files])
    if annotate_dir is not None and annotate_dir.exists() and not annotate_dir.is_dir():
        raise typer.BadParameter(f"{annotate_dir} 不是目录", param_hint="--annotate-dir")
    files = _expand(paths)
    if not files:
        raise typer.BadParameter("没有找到 .docx、.txt 或 .md 文稿", param_hint="PATH")
    results: list[dict[str, Any]] = []
    unreadable = False
    worst = -1
    used: set[Path] = set()
    with _progress(len(files)) as advance:
        for path in files:
            entry: dict[str, Any] = {"file": str(path)}
            try:
                doc = parse_file(path)
                findings = run_rules(doc, catalog=catalog)
                entry.update(sha256=doc.sha256, catalog_as_of=catalog.as_of.isoformat())
                entry["findings"] = [f.to_dict() for f in findings]
                if annotate_dir is not None:
                    dest = annotate_docx(path, findings, _annotated_name(annotate_dir, path, used))
                    entry["annotated"] = str(dest)
                worst = max([worst, *(SEVERITY_RANK[f.severity] for f in findings)])
                entry["_doc"], entry["_findings"] = doc, findings
            except ReviewkitError as err:
                unreadable = True
                entry.setdefault("findings", [])
                entry["error"] = str(err)
                typer.secho(f"错误：{err}", fg="red", err=True)
            results.append(entry)
            advance()
    if as_json:
        public = [{k: v for k, v in e.items() if not k.startswith("_")} for e in results]
        typer.echo(json.dumps(public, ensure_ascii=False, indent=2))
    else:
        _render(results, catalog.as_of_label)
    if unreadable:
        raise typer.Exit(EXIT_UNREADABLE)
    if fail_on is not None and worst >= SEVERITY_RANK[fail_on.value]:
        raise typer.Exit(EXIT_FAIL_ON)


def _retrain(corpus_dir: Path | None) -> None:
    """Retrain the statistical layer from the labelled corpus and write the shipped model file."""
    from reviewkit.rules.corpus import CORPUS_DIR, load_corpus

    try:
        from reviewkit.rules.training import save, train
    except ImportError:
        typer.secho("错误：重新训练需要 scikit-learn（pip install 'reviewkit[train]'）", fg="red", err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    try:
        items = load_corpus(corpus_dir or CORPUS_DIR)
    except ReviewkitError as err:
        typer.secho(f"错误：{err}", fg="red", err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    model = train(items)
    path = save(model)
    cats = "、".join(model.categories)
    typer.echo(f"已用 {len(items)} 条标注条款训练统计模型（类别：{cats}），写入 {path}")


def _render(results: list[dict[str, Any]], catalog_label: str) -> None:
    """One rich table per file on stdout (renderables only; no logic)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from reviewkit.rules import CATEGORY_LABELS, SEVERITY_LABELS

    console = Console(width=None if sys.stdout.isatty() else 160)
    colours = {"error": "red", "warning": "yellow", "info": "cyan"}
    for entry in results:
        if "error" in entry:
            continue
        doc, findings = entry["_doc"], entry["_findings"]
        counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
        summary = "，".join(f"{SEVERITY_LABELS[s]} {n}" for s, n in counts.items() if n)
        if not findings:
            console.print(f"《{doc.name}》未发现问题。")
            continue
        table = Table(
            title=f"《{doc.name}》预审发现 {len(findings)} 项（{summary}）",
            caption=f"法律状态目录截至{catalog_label}" + (f"；批注副本：{entry['annotated']}" if "annotated" in entry else ""),
            box=box.SIMPLE_HEAVY, show_lines=True, title_justify="left", caption_justify="left",
        )  # fmt: skip
        for header, ratio in (
            ("位置", 1),
            ("级别", 1),
            ("类别", 1),
            ("规则", 2),
            ("原文", 3),
            ("问题、依据与建议", 6),
        ):
            table.add_column(header, ratio=ratio, overflow="fold")
        for f in findings:
            if f.paragraph is None or f.paragraph >= len(doc.paragraphs):
                where = f.cell or "全文"
            else:
                para = doc.paragraphs[f.paragraph]
                article = next((a.label for a in doc.articles if a.number == para.article), "")
                where = f.cell or (f"第{f.paragraph + 1}段" + (f"\n{article}" if article else ""))
            detail = Text(f.message)
            detail.append(f"\n依据：{f.basis}", style="dim")
            if f.similar:
                detail.append(f"\n{f.similar}", style="magenta")
            if f.suggestion:
                detail.append(f"\n建议：{f.suggestion}", style="green")
            table.add_row(
                where,
                Text(SEVERITY_LABELS[f.severity], style=colours[f.severity]),
                CATEGORY_LABELS[f.category],
                f"{f.rule_id}\n{f.title}",
                f.text or "—",
                detail,
            )
        console.print(table)


class _Advance:
    def __init__(self, progress: Any, task: Any) -> None:
        self.progress, self.task = progress, task

    def __call__(self) -> None:
        if self.progress is not None:
            self.progress.advance(self.task)


def _progress(total: int) -> Any:
    """A rich progress bar on stderr, only when stderr is a terminal and there is more than one file."""
    if total < 2 or not sys.stderr.isatty():
        return nullcontext(_Advance(None, None))
    from contextlib import contextmanager

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    @contextmanager
    def bar() -> Any:
        with Progress(
            TextColumn("预审中"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(stderr=True), transient=True,
        ) as progress:  # fmt: skip
            yield _Advance(progress, progress.add_task("prereview", total=total))

    return bar()
