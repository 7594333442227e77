"""What a stage produces is declared in its process definition (``papers`` / ``papers_on_enter``) and
checked when the definition is loaded; no Prefect, no database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import reviewkit.cli.process  # noqa: F401  (attaches the commands)
from reviewkit.cli import app
from reviewkit.domain.papers import (
    PAPERS,
    adopt_papers,
    declares_papers,
    papers_after,
    papers_of_stage,
    papers_on_entering,
    stages_declaring,
)
from reviewkit.domain.process import list_definitions, parse_definition
from reviewkit.errors import ConfigError
from reviewkit.services.documents import KINDS, PAPER_KINDS, RENDERERS
from reviewkit.services.paper_stages import paper_definition
from reviewkit.store.models import Case

PROCESSES = Path(__file__).resolve().parents[3] / "templates" / "processes"
DEFS = {d.kind: d for d in list_definitions(PROCESSES)}

# The stage-id maps services/documents.py held before the papers moved into the definitions: every
# shipped process must produce exactly these, stage by stage.
OLD_AFTER_DECISION = {
    "consultation": ("consultation",),
    "fair_competition": ("fair_competition",),
    "legality_review": ("opinion",),
    "risk_assessment": ("risk",),
    "deliberation": ("deliberation",),
    "publication": ("register", "official_text", "filing_report"),
    "revision": ("redline",),
}
OLD_ON_ENTER = {
    "delivery": ("disclosure_reply",),
    "delivery_ext": ("disclosure_reply",),
    "filed": ("package",),
}

GOOD = """kind = "t"
name = "测试"
version = 1
start = "review"
[[stages]]
id = "review"
name = "审查"
roles = ["legality_reviewer"]
papers = ["opinion"]
decisions = [{ label = "合法", target = "done" }, { label = "应当予以修改", target = "fix", outcome = "revise" }]
[[stages]]
id = "fix"
name = "修改"
roles = ["drafter"]
papers = ["redline"]
decisions = [{ label = "提交修改稿", target = "review" }]
[[stages]]
id = "done"
name = "完"
kind = "end"
papers_on_enter = ["package"]
"""


@pytest.mark.parametrize("kind", sorted(DEFS))
def test_shipped_processes_produce_the_papers_they_always_did(kind: str) -> None:
    d = DEFS[kind]
    for stage in d.stages:
        assert papers_after(d, stage.id) == OLD_AFTER_DECISION.get(stage.id, ()), (kind, stage.id)
        assert papers_on_entering(d, stage.id) == OLD_ON_ENTER.get(stage.id, ()), (kind, stage.id)


def test_every_catalogued_paper_has_a_renderer_a_title_and_a_basis() -> None:
    assert set(RENDERERS) == set(PAPERS) == set(PAPER_KINDS)
    for p in PAPERS.values():
        assert p.title and p.attach_as and p.basis, p.id
    assert "package" not in {k.id for k in KINDS}  # made by make_package, not one at a time
    used = {i for d in DEFS.values() for s in d.stages for i in s.papers + s.papers_on_enter}
    assert used <= set(PAPERS)


def test_the_review_stage_is_the_one_declaring_the_opinion() -> None:
    d = parse_definition(GOOD, "t.toml")
    assert stages_declaring(d, "opinion") == ("review",)
    assert stages_declaring(d, "deliberation") == ()
    assert stages_declaring(DEFS["normative_document"], "opinion") == ("legality_review",)
    assert stages_declaring(DEFS["information_disclosure"], "disclosure_reply") == ()  # made on entering only
    assert papers_of_stage(DEFS["information_disclosure"], "delivery_ext") == ("disclosure_reply",)
    assert papers_after(d, "no_such_stage") == () and papers_on_entering(d, "no_such_stage") == ()


@pytest.mark.parametrize(
    ("old", "new", "key", "paper"),
    [
        ('papers = ["opinion"]', 'papers = ["opnion"]', "stages[review].papers", "opnion"),
        (
            'papers_on_enter = ["package"]',
            'papers_on_enter = ["pakage"]',
            "stages[done].papers_on_enter",
            "pakage",
        ),
    ],
)
def test_an_unknown_paper_is_one_line_naming_file_stage_and_kind(
    old: str, new: str, key: str, paper: str
) -> None:
    with pytest.raises(ConfigError) as info:
        parse_definition(GOOD.replace(old, new), "/defs/mine.toml")
    message = str(info.value)
    assert "\n" not in message
    assert "/defs/mine.toml" in message and key in message and f"“{paper}”" in message
    assert re.search("环节“(审查|完)”", message) and "opinion（合法性审核意见书）" in message


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            'papers = ["opinion"]',
            'papers = ["audit_record"]',
            "stages[review].papers",
        ),  # only inside the package
        ('papers = ["opinion"]', 'papers = ["opinion", "opinion"]', "stages[review].papers"),
        (
            'papers_on_enter = ["package"]',
            'papers = ["package"]',
            "stages[done].papers",
        ),  # an end stage decides nothing
    ],
)
def test_misplaced_papers_are_refused(old: str, new: str, key: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(key)):
        parse_definition(GOOD.replace(old, new), "/defs/mine.toml")


def _without_papers(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("papers"))


def test_a_definition_written_before_papers_keeps_its_papers() -> None:
    nd = DEFS["normative_document"]
    old = parse_definition(_without_papers(nd.source), "old.toml")
    assert not declares_papers(old)
    adopted = adopt_papers(old, nd)
    assert [(s.papers, s.papers_on_enter) for s in adopted.stages] == [
        (s.papers, s.papers_on_enter) for s in nd.stages
    ]
    assert adopted.fingerprint == old.fingerprint  # still the case's own snapshot


def test_a_case_on_an_old_snapshot_renders_what_the_current_file_declares() -> None:
    nd = DEFS["normative_document"]
    case = Case(
        number="RK-2026-0001",
        kind=nd.kind,
        title="t",
        drafting_unit="u",
        drafter="d",
        stage="drafting",
        process_version=nd.version,
        process_fingerprint="x",
        process_snapshot=_without_papers(nd.source),
    )
    assert papers_after(paper_definition(case), "legality_review") == ("opinion",)
    assert papers_on_entering(paper_definition(case), "filed") == ("package",)
    current = Case(
        number="RK-2026-0002",
        kind=nd.kind,
        title="t",
        drafting_unit="u",
        drafter="d",
        stage="drafting",
        process_version=nd.version,
        process_fingerprint=nd.fingerprint,
        process_snapshot=nd.source,
    )
    assert paper_definition(current) == nd


def test_process_show_lists_each_stages_papers_with_their_basis() -> None:
    result = CliRunner().invoke(app, ["process", "show", "normative_document"])
    assert result.exit_code == 0, result.output
    assert "决定后生成文书：合法性审核意见书；依据：国办发〔2018〕115号" in result.output
    assert "进入时生成文书：备案材料包" in result.output
