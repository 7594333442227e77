"""Comment intake for the 征求意见采纳情况表: per article, with a reason where not (fully) adopted; CSV
import is all or nothing; refusals are audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from reviewkit.errors import InvalidInput, PermissionDenied
from reviewkit.services import consultation
from reviewkit.services.cases import NewCase, start_case
from reviewkit.services.consultation import NewComment
from reviewkit.services.documents import render_document
from reviewkit.services.roster import import_roster
from reviewkit.store.db import session_scope
from reviewkit.store.models import AuditEvent
from tests.actors import proven
from tests.builders import build_docx, write_roster
from tests.integration.test_documents import text_of

HEAD = "条款,意见提出人,类别,意见内容,采纳情况,理由,收到日期\n"


@pytest.fixture
def case_id(db_url: str, tmp_path: Path) -> int:
    import_roster(write_roster(tmp_path / "roster.toml"))
    case = start_case(
        NewCase(
            kind="normative_document",
            title="某县财政专项资金管理办法",
            drafting_unit="预算股",
            drafter="drafter1",
            draft=build_docx(tmp_path / "v1.docx"),
        ),
        proven("drafter1"),
    )
    assert case.id is not None
    return case.id


def _audited(action: str) -> int:
    with session_scope() as session:
        return len(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_reasons_roles_and_the_table(case_id: int) -> None:
    with pytest.raises(InvalidInput, match="不予采纳的意见须说明理由"):
        consultation.add(
            case_id, [NewComment("某企业", "删除第三条", "不采纳", "第三条")], proven("drafter1")
        )
    with pytest.raises(InvalidInput, match="采纳情况“同意”无法识别"):
        consultation.add(case_id, [NewComment("某企业", "删除第三条", "同意", "第三条")], proven("drafter1"))
    with pytest.raises(PermissionDenied, match="不能登记征求意见"):
        consultation.add(case_id, [NewComment("某企业", "删除第三条", "采纳", "第三条")], proven("counsel1"))
    assert _audited("consultation.refused") == 3
    n = consultation.add(
        case_id,
        [
            NewComment("某企业", "删除第三条", "不予采纳", "第三条", "上位法规定", "市场主体"),
            NewComment("市民", "增加公开", "部分采纳", "", "按条例公开"),
            NewComment("县工商联", "延长期限", "待研究", "第四条"),
        ],
        proven("head1"),
    )
    assert n == 3 and _audited("consultation.recorded") == 1
    rows = consultation.list_comments(case_id)
    assert [(r.article, r.disposition) for r in rows] == [
        ("第三条", "not_adopted"),
        ("", "partly"),
        ("第四条", "pending"),
    ]
    paras, table = text_of(render_document(case_id, "征求意见采纳情况表").data)
    assert "共收到意见3条，其中采纳0条，部分采纳1条，不予采纳1条，待研究1条。" in paras
    assert table[1] == ["1", "第三条", "某企业（市场主体）", "删除第三条", "不予采纳", "上位法规定"]
    assert table[2][1] == "总体"


def test_csv_import_is_all_or_nothing(case_id: int, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEAD + "第二条,某企业,,建议修改,采纳,,\n第三条,某协会,,建议删除,不予采纳,,\n", encoding="utf-8"
    )
    with pytest.raises(InvalidInput, match="第 3 行：不予采纳的意见须说明理由"):
        consultation.import_csv(case_id, bad, proven("drafter1"))
    assert consultation.list_comments(case_id) == []
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("条款,姓名,内容\n第二条,某企业,建议\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="缺少表头：意见提出人、意见内容、采纳情况"):
        consultation.import_csv(case_id, wrong, proven("drafter1"))
    dated = tmp_path / "dated.csv"
    dated.write_text(HEAD + "第二条,某企业,,建议修改,采纳,,2026/10/8\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="第 2 行：收到日期应为 YYYY-MM-DD"):
        consultation.import_csv(case_id, dated, proven("drafter1"))
    good = tmp_path / "good.csv"
    good.write_bytes(
        ("\ufeff" + HEAD + "第二条,某企业,市场主体,建议修改,采纳,,2026-10-08\n\n").encode("utf-8")
    )
    assert consultation.import_csv(case_id, good, proven("drafter1")) == 1
    assert consultation.list_comments(case_id)[0].received_on == "2026-10-08"
