"""P16 (legal review 2026-12): the 政府信息公开申请答复书 states the remedy the law gives each answer type.
行政复议法 (2023) 第二十三条第一款第（四）项: 申请政府信息公开，行政机关不予公开 → 复议前置; 第二款: the agency must say so.
Other answers: 复议 within 60 days (第二十条第一款) or 诉讼 within 6 months (行政诉讼法 第四十六条第一款)."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from reviewkit.documents.render import Properties, placeholders, render
from reviewkit.domain.remedies import PRIOR_REVIEW_BASIS, remedy_for

TEMPLATE = Path(__file__).resolve().parents[3] / "templates" / "docx" / "政府信息公开申请答复书.docx"
BODY = "某县人民政府"


def test_refusal_is_prior_review_and_says_so_citing_article_23() -> None:
    r = remedy_for("不予公开", BODY)
    assert r.prior_review
    assert "第二十三条第一款第（四）项、第二款" in r.text
    assert f"应当先自知道该行政行为之日起六十日内向{BODY}申请行政复议" in r.text
    assert "十五日内依法向人民法院提起行政诉讼" in r.text  # 行政诉讼法 第四十五条, after the 复议 decision
    assert "或者自知道" not in r.text  # no direct suit offered


def test_partial_disclosure_prior_review_for_the_refused_part_only() -> None:
    r = remedy_for("部分公开", BODY)
    assert r.prior_review and "不予公开的部分不服" in r.text and "应当先" in r.text
    assert "对本答复的其他内容不服的" in r.text and "六个月内" in r.text


@pytest.mark.parametrize("answer", ["予以公开", "已主动公开，告知获取途径", "信息不存在", "非本机关负责公开"])
def test_other_answers_keep_the_choice_of_review_or_suit(answer: str) -> None:
    r = remedy_for(answer, BODY)
    assert not r.prior_review and "应当先" not in r.text
    assert "六十日内" in r.text and "六个月内依法向人民法院提起行政诉讼" in r.text
    assert "第二十条第一款" in r.basis and "第四十六条第一款" in r.basis


def _letter(answer: str) -> str:
    context: dict[str, Any] = {}
    for name in placeholders(TEMPLATE):
        group, key = name.split(".")
        context.setdefault(group, {})[key] = "x"
    context["答复"]["类型"] = answer
    context["答复"]["救济"] = remedy_for(answer, BODY).text
    data = render(TEMPLATE, context, Properties("答复书", "测试", datetime(2026, 12, 5)))
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_rendered_refusal_letter_tells_the_applicant_to_apply_for_review_first() -> None:
    text = _letter("不予公开")
    assert PRIOR_REVIEW_BASIS in text and "应当先" in text
    assert "或者自收到本答复书之日起六个月内向人民法院提起行政诉讼" not in text  # the old, wrong sentence


def test_rendered_disclosure_letter_offers_review_or_suit() -> None:
    text = _letter("予以公开")
    assert "六个月内依法向人民法院提起行政诉讼" in text and "应当先" not in text
