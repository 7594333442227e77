"""Which stages of a case's process produce which papers: read from the definition the case runs on.

A case started before stages declared their papers (a snapshot without any ``papers`` key) keeps the
papers it always had: they are read, by stage id, from the current file of its kind. A file that
cannot be read then gives no papers (the decision stands; nothing is rendered)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reviewkit.domain.papers import adopt_papers, declares_papers, stages_declaring
from reviewkit.domain.process import ProcessDefinition, from_snapshot, load_definition
from reviewkit.errors import ConfigError, NotFound
from reviewkit.services.kernel import definition_of
from reviewkit.settings import get_settings
from reviewkit.store.models import Case


def paper_definition(case: Case) -> ProcessDefinition:
    """The case's own definition, with the papers of the current file when it declares none."""
    running = definition_of(case)
    if declares_papers(running):
        return running
    return _with_current_papers(case.process_snapshot, get_settings().templates_dir / "processes")


@lru_cache(maxsize=64)
def _with_current_papers(snapshot: str, processes_dir: Path) -> ProcessDefinition:
    # Cached per snapshot: the shipped files change with a release, and a process restarts with it.
    running = from_snapshot(snapshot)
    try:
        current = load_definition(running.kind, processes_dir)
    except (ConfigError, NotFound):
        return running
    return adopt_papers(running, current) if declares_papers(current) else running


def paper_stages(case: Case, paper_id: str) -> tuple[str, ...]:
    """The stages whose decision ``paper_id`` records, e.g. ``opinion`` → the review stage."""
    return stages_declaring(paper_definition(case), paper_id)
