"""Every CLI command is documented in the README, and the README shows the two set-up commands."""

from __future__ import annotations

from pathlib import Path

import typer.main

from reviewkit.cli import _register, app

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _command_paths() -> list[str]:
    _register()
    root = typer.main.get_command(app)
    paths: list[str] = []

    def walk(cmd: object, prefix: str) -> None:
        sub = getattr(cmd, "commands", None)
        if sub:
            for name, child in sub.items():
                walk(child, f"{prefix} {name}")
        else:
            paths.append(prefix)

    walk(root, "reviewkit")
    return paths


def test_every_command_is_in_the_readme() -> None:
    missing = []
    for path in _command_paths():
        words = path.split()
        # "reviewkit server up" may be written as "reviewkit server up" or in a "/ status / down" row.
        if path not in README and not (len(words) == 3 and f"`{words[2]}`" in README and f"reviewkit {words[1]}" in README):
            missing.append(path)
    assert missing == []


def test_readme_shows_install_and_test_commands() -> None:
    assert 'pip install -e . && reviewkit demo' in README
    assert 'pip install -e ".[test]" && python -m pytest' in README
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest" in ci
