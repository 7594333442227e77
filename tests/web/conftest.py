"""The workbench on a temporary SQLite store: the test roster with PINs, and a case at 合法性审核."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reviewkit.services import identity
from reviewkit.services.actors import Actor
from tests.builders import build_docx, write_roster

PIN = "246813"
BASE = "http://127.0.0.1"


@dataclass
class Env:
    home: Path
    tmp: Path

    def client(self, base_url: str = BASE) -> TestClient:
        from reviewkit.web.app import create_app

        return TestClient(create_app(), base_url=base_url, follow_redirects=False)


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "SCRYPT_N", 2**10)


@pytest.fixture
def env(isolated_home: Path, tmp_path: Path) -> Iterator[Env]:
    from reviewkit.services.roster import add_user, import_roster, set_pin

    import_roster(write_roster(tmp_path / "roster.toml"))
    add_user("drafter2", "另一起草人", ["drafter"])
    add_user("admin1", "管理员", ["admin"])
    for user in ("drafter1", "drafter2", "head1", "counsel1", "fcr1", "leader1", "clerk1", "admin1"):
        set_pin(user, PIN)
    yield Env(isolated_home, tmp_path)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token in the page"
    return found.group(1)


def login(client: TestClient, username: str, pin: str = PIN) -> str:
    """Log in through the form; returns the session's CSRF token (from the inbox page)."""
    form = client.get("/login")
    response = client.post(
        "/login", data={"username": username, "pin": pin, "csrf_token": csrf_of(form.text)}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/inbox"
    return csrf_of(client.get("/inbox").text)


def person(username: str, channel: str = "cli") -> Actor:
    """``username`` proved with the roster PIN (as on the CLI), for setting a case up in-process."""
    return identity.authenticate_pin(username, PIN, channel=channel)


def file_material(case_id: int, name: str, user: str, tmp: Path) -> None:
    from reviewkit.services.attachments import attach

    attach(
        case_id, name, build_docx(tmp / f"{name}.docx", title=name, articles=[f"{name}正文。"]), person(user)
    )


def case_at_legality_review(tmp: Path) -> str:
    """RK-…-0001 by drafter1, walked (in-process, each person proved with their PIN) to 合法性审核; returns
    its number."""
    from reviewkit.services.cases import NewCase, start_case
    from reviewkit.services.workflow import decide, run_auto_stage

    articles = [
        "第一条 为规范专项资金管理，制定本办法。",
        "第二条 对违反本办法的单位，处以五万元罚款。",
        "第三条 本办法自发布之日起施行。",
    ]
    case = start_case(
        NewCase(
            kind="normative_document",
            title="某县财政专项资金管理办法",
            drafting_unit="预算股",
            drafter="drafter1",
            draft=build_docx(tmp / "v1.docx", articles=articles),
        ),
        person("drafter1"),
    )
    assert case.id is not None
    file_material(case.id, "起草说明", "drafter1", tmp)
    decide(case.id, "提交", person("drafter1"))
    file_material(case.id, "征求意见采纳情况", "head1", tmp)
    decide(
        case.id,
        "征求意见完成",
        person("head1"),  # #16: the consultation period and 制定依据 before review
        facts={
            "consultation_start": "2026-09-01",
            "consultation_end": "2026-10-09",
            "legal_basis": "《中华人民共和国预算法》",
        },
    )
    assert run_auto_stage(case.id) == "legality_review"
    return case.number
