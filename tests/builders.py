"""Real .docx files built by the tests."""

from __future__ import annotations

from pathlib import Path

from docx import Document

CLEAN_ARTICLES = [
    "第一条　为规范本县财政专项资金管理，根据《中华人民共和国预算法》等规定，结合本县实际，制定本办法。",
    "第二条　本办法适用于县级财政安排的专项资金。",
    "第三条　县财政局负责专项资金的预算管理和监督。",
    "第四条　本办法自2027年1月1日起施行，有效期5年。",
]


def build_docx(
    path: Path, title: str = "某县财政专项资金管理办法", articles: list[str] | None = None
) -> Path:
    doc = Document()
    doc.add_paragraph(title)
    for text in articles or CLEAN_ARTICLES:
        doc.add_paragraph(text)
    doc.core_properties.title = title
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


ROSTER = """
[[users]]
username = "drafter1"
name = "起草人甲"
roles = ["drafter"]

[[users]]
username = "head1"
name = "科长乙"
roles = ["unit_head"]

[[users]]
username = "counsel1"
name = "审核员丙"
roles = ["legality_reviewer", "counsel"]

[[users]]
username = "odhead1"
name = "公开办主任庚"
roles = ["disclosure_head"]

[[users]]
username = "fcr1"
name = "审查员丁"
roles = ["fair_competition_reviewer"]

[[users]]
username = "leader1"
name = "局长戊"
roles = ["leader"]

[[users]]
username = "clerk1"
name = "备案员己"
roles = ["filing_clerk"]

[[users]]
username = "gone1"
name = "已停用庚"
roles = ["counsel"]
active = false
"""


def write_roster(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ROSTER, encoding="utf-8")
    return path
