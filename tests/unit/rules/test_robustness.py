"""Rules never crash on odd text: any paragraphs give a list of well-formed findings."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewkit.documents.parse import parse_text
from reviewkit.rules import CATEGORIES, run_rules

PIECES = st.sampled_from(
    ["第一条　", "第十章", "附件：1.", "《合同法》", "〔2024〕", "2024年02月30日", "处", "罚款", "须经", "批准",
     "后方可", "不得", "本地", "优先", "有效期", "99年", "自2024年1月1日起施行", "\n", "，", "。", "（一）", "某县办法"]
)  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40))
def test_run_rules_never_raises(parts: list[str]) -> None:
    text = "".join(parts)
    doc = parse_text(text, "fuzz.txt")
    for f in run_rules(doc, today=date(2025, 6, 30)):
        assert f.category in CATEGORIES
        if f.paragraph is not None:
            para = doc.paragraphs[f.paragraph].text
            assert f.start < 0 or para[f.start :].startswith(f.text)
