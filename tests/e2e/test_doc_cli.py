"""``reviewkit consult`` and ``reviewkit doc`` end to end, as a clerk would type them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document

from tests.builders import build_docx, write_roster
from tests.e2e.cli import run

PIN = {"REVIEWKIT_PIN": "864213"}


@pytest.fixture
def case(tmp_path: Path) -> tuple[Path, str]:
    home = tmp_path / "var"
    assert (
        run(
            home,
            "user",
            "add",
            "admin1",
            "--name",
            "管理员",
            "--role",
            "admin",
            "--new-pin",
            PIN["REVIEWKIT_PIN"],
        ).code
        == 0
    )
    assert (
        run(
            home, "user", "import", str(write_roster(tmp_path / "roster.toml")), "--as", "admin1", env=PIN
        ).code
        == 0
    )
    r = run(home, "user", "set-pin", "drafter1", "--new-pin", PIN["REVIEWKIT_PIN"], "--as", "admin1", env=PIN)
    assert r.code == 0, r.err
    r = run(
        home,
        "case",
        "new",
        str(build_docx(tmp_path / "送审稿.docx")),
        "--title",
        "某县财政专项资金管理办法",
        "--unit",
        "预算股",
        "--drafter",
        "drafter1",
        "--json",
        env=PIN,
    )
    assert r.code == 0, r.err
    return home, json.loads(r.out)["case"]["number"]


def _texts(path: Path) -> str:
    doc = Document(str(path))
    return "\n".join(
        [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    )


def test_comments_in_then_the_adoption_table_out(case: tuple[Path, str], tmp_path: Path) -> None:
    home, number = case
    r = run(
        home,
        "consult",
        "add",
        number,
        "--from",
        "县工商联",
        "--content",
        "建议删除第三条",
        "--article",
        "第三条",
        "--disposition",
        "不予采纳",
        "--as",
        "admin1",
        env=PIN,
    )
    assert (
        r.code == 1
        and r.err.startswith("错误：")
        and "须说明理由" in r.err
        and len(r.err.strip().splitlines()) == 1
    )
    r = run(
        home,
        "consult",
        "add",
        number,
        "--from",
        "县工商联",
        "--kind",
        "行业协会",
        "--content",
        "建议删除第三条",
        "--article",
        "第三条",
        "--disposition",
        "不予采纳",
        "--reason",
        "第三条系上位法规定的职责",
        "--as",
        "admin1",
        env=PIN,
    )
    assert r.code == 0, r.err
    csv_path = tmp_path / "意见.csv"
    csv_path.write_bytes(
        "条款,意见提出人,类别,意见内容,采纳情况,理由,收到日期\n"
        "第二条,某企业,市场主体,适用范围应包括乡镇,采纳,,2026-10-08\n"
        ",市民李某,公众,建议增加公开内容,部分采纳,公开内容按政府信息公开条例执行,\n".encode("gb18030")
    )
    r = run(home, "consult", "import", number, str(csv_path), "--as", "admin1", env=PIN)
    assert r.code == 0 and "登记 2 条" in r.out, r.err
    rows = json.loads(run(home, "consult", "list", number, "--json").out)
    assert [(x["article"], x["disposition_name"]) for x in rows] == [
        ("第三条", "不予采纳"),
        ("第二条", "采纳"),
        ("", "部分采纳"),
    ]

    out = tmp_path / "采纳情况表.docx"
    r = run(home, "doc", "render", number, "征求意见采纳情况表", "-o", str(out))
    assert r.code == 0, r.err
    text = _texts(out)
    assert "共收到意见3条，其中采纳1条，部分采纳1条，不予采纳1条。" in text
    assert "第三条系上位法规定的职责" in text and "县工商联（行业协会）" in text


def test_render_attach_templates_and_errors(case: tuple[Path, str], tmp_path: Path) -> None:
    home, number = case
    out = tmp_path / "意见书.docx"
    r = run(
        home,
        "doc",
        "render",
        number,
        "合法性审核意见书",
        "-o",
        str(out),
        "--decision",
        "应当予以修改",
        "--opinion",
        "第三条表述不清",
        "--attach",
        "--as",
        "admin1",
        env=PIN,
    )
    assert r.code == 0, r.err
    assert "已作为“审核意见书”归档" in r.out
    text = _texts(out)
    assert (
        "☐合法　☑应当予以修改　☐不合法" in text and "第三条表述不清" in text and "（经办人：管理员" in text
    )  # #16 D3: the 审核机构 signs; the person handling it is in the 附注
    assert Document(str(out)).core_properties.title == "《某县财政专项资金管理办法》合法性审核意见书"
    filed = json.loads(run(home, "doc", "list", number, "--json").out)
    assert [(m["name"], m["generated"]) for m in filed] == [("审核意见书", True)]
    copy = tmp_path / "归档的意见书.docx"
    r = run(home, "doc", "export", number, "审核意见书", "-o", str(copy))
    assert r.code == 0, r.err
    assert "☑应当予以修改" in _texts(copy)

    kinds = json.loads(run(home, "doc", "templates", "--json").out)
    opinion = next(k for k in kinds if k["title"] == "合法性审核意见书")
    assert "案件.标题" in opinion["placeholders"] and "发现.条款" in opinion["placeholders"]

    r = run(home, "doc", "render", number, "任命书")
    assert r.code == 1 and r.err.startswith("错误：没有文书“任命书”") and len(r.err.strip().splitlines()) == 1
    r = run(home, "doc", "package", number, "--as", "admin1", env=PIN)
    assert r.code == 1 and "尚未统一编号印发" in r.err
    r = run(home, "doc", "void", "某财规〔2026〕9号", "--reason", "测试", "--as", "admin1", env=PIN)
    assert r.code == 1 and "登记簿中没有文号" in r.err
    assert json.loads(run(home, "doc", "numbers", "--json").out) == []
