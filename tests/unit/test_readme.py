"""The documentation keeps every command it shows real: each CLI command is in docs/usage.md, every
`reviewkit …` written in the README or docs/ names a real command and only options it has, and the
README shows the two set-up commands."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
import typer.main

from reviewkit.cli import _register, app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
USAGE = (ROOT / "docs" / "usage.md").read_text(encoding="utf-8")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# `reviewkit` as the program, followed by what it is asked to do (not reviewkit/…, reviewkit-dashboard, REVIEWKIT_…)
INVOCATION = re.compile(r"(?<![\w/.-])reviewkit[ \t]+(?=[a-z])")
OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def _root() -> click.Command:
    _register()
    return typer.main.get_command(app)


def _command_paths() -> list[str]:
    paths: list[str] = []

    def walk(cmd: click.Command, prefix: str) -> None:
        sub = getattr(cmd, "commands", None)
        if sub:
            for name, child in sub.items():
                walk(child, f"{prefix} {name}")
        else:
            paths.append(prefix)

    walk(_root(), "reviewkit")
    return paths


def _snippets(text: str) -> list[str]:
    """The code a page shows: the lines of fenced blocks (without their # comments) and inline spans."""
    snippets: list[str] = []
    for block in re.findall(r"```[^\n]*\n(.*?)```", text, flags=re.S):
        snippets.extend(re.sub(r"\s#.*", "", line) for line in block.splitlines())
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    snippets.extend(re.findall(r"`([^`\n]+)`", prose))
    return snippets


def _invocations(snippet: str) -> list[str]:
    """Each `reviewkit …` in a snippet, up to the end of its shell command."""
    found = []
    for m in INVOCATION.finditer(snippet):
        rest = snippet[m.end() :]
        found.append(re.split(r"&&|;|\s\|\s|\s/\s", rest)[0])
    return found


def _resolve(words: list[str]) -> tuple[click.Command, list[str], str | None]:
    """Walk the command tree: (the command reached, the words used, a problem or None)."""
    cmd, used = _root(), []
    for word in words:
        sub = getattr(cmd, "commands", None)
        if not sub:
            break
        if word not in sub:
            return cmd, used, f"{' '.join(['reviewkit', *used, word])}：没有这个命令"
        cmd = sub[word]
        used.append(word)
    return cmd, used, None


def _problems(invocation: str) -> list[str]:
    words = invocation.split()
    cmd, used, problem = _resolve(words)
    if problem:
        return [problem]
    if isinstance(cmd, click.Group):
        return []  # a group named on its own (“reviewkit user …”)
    known = {"--help"}
    for param in cmd.params:
        known.update(param.opts)
        known.update(param.secondary_opts)
    name = " ".join(["reviewkit", *used])
    return [
        f"{name}：没有选项 {opt}" for opt in OPTION.findall(" ".join(words[len(used) :])) if opt not in known
    ]


def _shown_invocations() -> list[tuple[str, str]]:
    return [
        (page.relative_to(ROOT).as_posix(), inv)
        for page in PAGES
        for snippet in _snippets(page.read_text(encoding="utf-8"))
        for inv in _invocations(snippet)
    ]


def test_every_command_is_in_the_usage_page() -> None:
    missing = []
    for path in _command_paths():
        words = path.split()
        # "reviewkit server up" may be written as "reviewkit server up" or in a "/ status / down" row.
        if path not in USAGE and not (
            len(words) == 3 and f"`{words[2]}`" in USAGE and f"reviewkit {words[1]}" in USAGE
        ):
            missing.append(path)
    assert missing == []


def test_every_command_shown_in_the_docs_is_real() -> None:
    shown = _shown_invocations()
    assert len(shown) > 60  # the pages were read: the usage table alone shows more
    problems = [f"{page}: {problem}" for page, inv in shown for problem in _problems(inv)]
    assert problems == []


def test_options_named_in_the_usage_table_belong_to_the_row_s_command() -> None:
    """A row's description may name options on their own (`--officer` 指定…): they must be its command's."""
    problems, checked = [], 0
    for row in USAGE.splitlines():
        cells = row.split(" | ")
        if not row.startswith("| `reviewkit ") or len(cells) < 2:
            continue
        commands = [_resolve(inv.split())[0] for inv in _invocations(cells[0])]
        known = {
            opt for cmd in commands for param in cmd.params for opt in (*param.opts, *param.secondary_opts)
        }
        for span in re.findall(r"`(-[^`]+)`", " | ".join(cells[1:])):
            opt = OPTION.match(span)
            checked += bool(opt)
            if opt and opt.group(1) not in known:
                problems.append(f"{cells[0]}: {opt.group(1)}")
    assert problems == [] and checked > 10


@pytest.mark.parametrize(
    "invocation, problem",
    [
        ("case open X.docx", "没有这个命令"),
        ("case new X.docx --tittle T", "没有选项 --tittle"),
        ("decide RK-1 -x 合法", "没有选项 -x"),
    ],
)
def test_a_made_up_command_or_option_is_caught(invocation: str, problem: str) -> None:
    assert any(problem in p for p in _problems(invocation))
    assert _problems("case new X.docx --title T --unit U --drafter zhangwei [--flag touches_business]") == []


def test_readme_shows_install_and_test_commands() -> None:
    assert "pip install -e . && reviewkit demo" in README
    assert 'pip install -e ".[test]" && python -m pytest' in README
    assert "python -m pytest tests/unit" in README
    for page in (
        "usage",
        "operations",
        "configuration",
        "processes",
        "documents",
        "reports",
        "architecture",
        "testing",
    ):
        assert f"(docs/{page}.md)" in README
    assert len(README.encode("utf-8")) <= 12 * 1024
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest" in ci


def test_the_readme_flowchart_is_the_shipped_process() -> None:
    """Legal review M1: the README's chart had the stages in an old order. Every stage drawn is a stage of
    ``normative_document.toml`` and every labelled arrow is one of its decisions, to the stage it leads to."""
    from reviewkit.domain.process import load_definition
    from reviewkit.domain.process_model import StageSpec

    definition = load_definition("normative_document", ROOT / "templates" / "processes")
    chart = README.split("```mermaid", 1)[1].split("```", 1)[0]
    names = dict(re.findall(r"(\w+)\[([^\]<]+)", chart))
    by_name = {s.name: s for s in definition.stages}

    def stage(node: str) -> StageSpec:
        name = names[node]
        found = next((s for n, s in by_name.items() if n == name or n.startswith(name + "（")), None)
        assert found is not None, f"README 流程图中的“{name}”不是流程定义中的环节"
        return found

    arrows = re.findall(r"(\w+)(?:\[[^\]]*\])? -- ([^-]+?) --> (\w+)", chart)
    assert len(arrows) >= 10
    for source, labels, target in arrows:
        spec = stage(source)
        for label in labels.split(" / "):
            decision = next((d for d in spec.decisions if d.label.startswith(label.strip())), None)
            assert decision is not None, f"“{spec.name}”没有决定“{label}”"
            assert decision.target == stage(target).id, (spec.name, label, decision.target)
    assert {stage(n).id for n in names} >= {
        "drafting",
        "risk_assessment",
        "consultation",
        "legality_review",
        "deliberation",
        "publication",
        "filing",
        "filed",
    }
