"""The role × action matrix, pair by pair, against an expected table written out here (so a change
to templates/permissions.toml must be made on purpose, in two places)."""

from __future__ import annotations

import pytest

from reviewkit.domain.permissions import (
    HUMAN_ROLES,
    authorship_conflict,
    delegable,
    load_matrix,
    parse_matrix,
    require,
    signer_conflict,
)
from reviewkit.errors import ConfigError, PermissionDenied
from reviewkit.settings import get_settings

D, U, C, F, L, K, A = (
    "drafter",
    "unit_head",
    "counsel",
    "fair_competition_reviewer",
    "leader",
    "filing_clerk",
    "admin",
)
R = "legality_reviewer"  # the 审核机构, split from counsel (legal review 2026-12, P4)
OD = "disclosure_head"  # 政府信息公开工作机构负责人 (P15, 条例第33条)
EXPECTED: dict[str, set[str]] = {
    "case.start": {D, U},
    "version.submit": {D, U},
    "case.decide": {D, U, R, C, OD, F, L, K},
    "case.publish": {K, U},
    "case.file": {K},
    "user.manage": {A},
    "token.issue": {A},
    "delegation.self": {D, U, R, C, OD, F, L, K},
    "delegation.manage": {A},
    "task.reassign": {A},
    "audit.read": {A, U, R, C, L, K},
    "audit.export": {A, U, R, C, L, K},
    "settings.change": {A},
    "store.gc": {A},
}
PAIRS = [(role, action) for action in EXPECTED for role in sorted(HUMAN_ROLES)]


@pytest.fixture(scope="module")
def matrix():  # type: ignore[no-untyped-def]
    return load_matrix(get_settings().templates_dir / "permissions.toml")


def test_matrix_lists_exactly_the_expected_actions(matrix) -> None:  # type: ignore[no-untyped-def]
    assert set(matrix.actions) == set(EXPECTED)


@pytest.mark.parametrize(("role", "action"), PAIRS, ids=[f"{r}-{a}" for r, a in PAIRS])
def test_each_role_action_pair(matrix, role: str, action: str) -> None:  # type: ignore[no-untyped-def]
    expected = role in EXPECTED[action]
    assert matrix.allows(role, action) is expected
    if expected:
        assert require(matrix, "某人", {role}, action) == role
    else:
        with pytest.raises(PermissionDenied, match=f"某人无权{matrix.action(action).name}"):
            require(matrix, "某人", {role}, action)


def test_stage_decisions_map_to_actions(matrix) -> None:  # type: ignore[no-untyped-def]
    assert matrix.decision_action("legality_review") == "case.decide"
    assert matrix.decision_action("publication") == "case.publish"
    assert matrix.decision_action("filing") == "case.file"
    assert matrix.is_independent("legality_review") and not matrix.is_independent("fair_competition")
    assert "admin" not in delegable(matrix, HUMAN_ROLES)


def test_authors_cannot_decide_an_independent_stage(matrix) -> None:  # type: ignore[no-untyped-def]
    authors = ["drafter1", "head1"]
    assert authorship_conflict(matrix, "legality_review", "合法性审核", {"counsel1": "丙"}, authors) is None
    reason = authorship_conflict(
        matrix, "legality_review", "合法性审核", {"both1": "甲", "head1": "乙"}, authors
    )
    assert reason is not None and "乙" in reason and "职责分离" in reason
    assert authorship_conflict(matrix, "deliberation", "集体审议", {"head1": "乙"}, authors) is None


def test_signers_must_be_distinct_people() -> None:
    assert signer_conflict([("a", None)], "b", None) is None
    assert signer_conflict([("a", None)], "a", None) is not None
    assert signer_conflict([("b", "a")], "a", None) is not None  # a already signed through b
    assert signer_conflict([("a", None)], "b", "a") is not None  # b may not sign again for a
    assert signer_conflict([("b", "c")], "b", "d") is not None  # one person, one seat


def test_bad_matrix_files_are_refused() -> None:
    with pytest.raises(ConfigError, match="未知的角色"):
        parse_matrix('[actions."x"]\nname = "某"\nroles = ["pope"]\n', "t.toml")
    with pytest.raises(ConfigError, match="未定义的操作"):
        parse_matrix('[actions."x"]\nname = "某"\n[decisions]\ndefault = "y"\n', "t.toml")
    with pytest.raises(ConfigError, match="不是有效的 TOML"):
        parse_matrix("[[", "t.toml")
