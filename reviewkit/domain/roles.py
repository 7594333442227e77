"""Roles a person may hold, with the Chinese names users read."""

from __future__ import annotations

ROLE_NAMES: dict[str, str] = {
    "drafter": "起草人",
    "unit_head": "起草科室负责人",
    # 2026-12 (legal review P4): the 审核机构 (法制机构 staff, issues the 合法性审核意见书 in the 机构's name) is not
    # the 法律顾问/公职律师, who give a separate 法律意见 (国办发〔2018〕115号; 国务院令第713号 第28条).
    "legality_reviewer": "合法性审核机构审核人员",
    "counsel": "法律顾问/公职律师",
    # 政府信息公开条例 第33条第2款: an extension of the time to answer needs the consent of the 负责人 of the
    # 政府信息公开工作机构 (legal review P15), not of any 分管领导.
    "disclosure_head": "政府信息公开工作机构负责人",
    "fair_competition_reviewer": "公平竞争审查员",
    "leader": "分管领导/负责人",
    "filing_clerk": "备案员",
    "admin": "管理员",
    "system": "系统",
}


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)
