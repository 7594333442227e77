"""The remedy an answer letter (政府信息公开申请答复书) must state, per answer type.

行政复议法 (2023年修订, 施行 2024-01-01) 第二十三条第一款第（四）项: "申请政府信息公开，行政机关不予公开" is one of
the cases where the applicant 应当先向行政复议机关申请行政复议，对行政复议决定不服的，可以再依法向人民法院提起行政诉讼
(复议前置); 第二款: 对前款规定的情形，行政机关在作出行政行为时应当告知公民、法人或者其他组织先向行政复议机关申请行政复议.
Checked against the list of 第二十三条第一款 as published by 沈阳市司法局 (sfj.shenyang.gov.cn, 2023-12-28); the
wording of 第二款 is from memory of the statute and a secondary commentary (法治日报 e.mzyfz.org.cn, "强化告知程序").

Every other answer: 复议 within 60 days of learning of the act (行政复议法 第二十条第一款) or 诉讼 within 6 months
(行政诉讼法 第四十六条第一款). After a 复议 decision, suit within 15 days of receiving it (行政诉讼法 第四十五条).

A 部分公开 answer refuses part of the information: for that part the refusal is a 不予公开 and 复议前置 applies;
the letter says so for the refused part. 信息不存在 and 非本机关负责公开 are not a refusal to disclose in the sense of
第二十三条第一款第（四）项 (courts treat them as separate answer types under 政府信息公开条例 第三十六条第（四）（五）项),
so they carry the ordinary choice. This classification is a reading of the statute, not a quoted rule: a
province may direct otherwise, so the set is a module constant with its basis, not buried in the template.
"""

from __future__ import annotations

from dataclasses import dataclass

PRIOR_REVIEW_BASIS = "《中华人民共和国行政复议法》第二十三条第一款第（四）项、第二款"
PRIOR_REVIEW_ANSWERS = frozenset({"不予公开", "部分公开"})


@dataclass(frozen=True)
class Remedy:
    """What the letter tells the applicant: the text, and whether 复议 must come first."""

    text: str
    prior_review: bool
    basis: str


def remedy_for(answer: str, review_body: str) -> Remedy:
    """The remedy paragraph of the answer letter for ``answer`` (one of the 承办答复 decisions)."""
    choice = (
        f"可以自知道该行政行为之日起六十日内向{review_body}申请行政复议，或者自知道或者应当知道该行政行为之日起"
        "六个月内依法向人民法院提起行政诉讼"
    )
    ordinary_basis = (
        "《中华人民共和国行政复议法》第二十条第一款、《中华人民共和国行政诉讼法》第四十六条第一款"
    )
    if answer == "不予公开":
        return Remedy(
            f"如对本答复不服，根据{PRIOR_REVIEW_BASIS}的规定，应当先自知道该行政行为之日起六十日内向{review_body}"
            "申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。",
            True,
            PRIOR_REVIEW_BASIS,
        )
    if answer == "部分公开":
        return Remedy(
            f"如对本答复中不予公开的部分不服，根据{PRIOR_REVIEW_BASIS}的规定，应当先自知道该行政行为之日起六十日内向"
            f"{review_body}申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院"
            f"提起行政诉讼。对本答复的其他内容不服的，{choice}。",
            True,
            PRIOR_REVIEW_BASIS,
        )
    return Remedy(f"如对本答复不服，{choice}。", False, ordinary_basis)
