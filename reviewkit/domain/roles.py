"""Roles a person may hold, with the Chinese names users read."""

from __future__ import annotations

ROLE_NAMES: dict[str, str] = {
    "drafter": "起草人",
    "unit_head": "起草科室负责人",
    "counsel": "法制审核员/法律顾问",
    "fair_competition_reviewer": "公平竞争审查员",
    "leader": "分管领导/负责人",
    "filing_clerk": "备案员",
    "admin": "管理员",
    "system": "系统",
}


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)
