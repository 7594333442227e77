"""Build the shipped 政府信息公开申请答复书 template (issue #11). Run once; the .docx is committed and meant
to be edited in Word afterwards. Uses the helpers (page, fonts, styles) of ``build_templates.py``."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_templates import CENTER, new, plain, signature, table  # noqa: E402


def disclosure_reply() -> object:
    doc = new("政府信息公开申请答复书")
    plain(doc, "（案件编号：{{案件.编号}}）", indent=False, align=CENTER)
    plain(doc, "{{申请.申请人}}：", indent=False)
    plain(
        doc,
        "本机关于{{申请.收到日期}}收到您提出的政府信息公开申请，申请公开：{{申请.内容}}。{{申请.延期}}"
        "根据《中华人民共和国政府信息公开条例》的规定，现答复如下：",
    )
    plain(doc, "{{答复.正文}}")
    table(
        doc,
        None,
        [
            ["答复类型", "{{答复.类型}}"],
            ["收到申请日期", "{{申请.收到日期}}"],
            ["法定答复期限", "{{申请.答复期限}}前"],
        ],
        [130, 320],
    )
    # The remedy differs by answer type (不予公开 is 复议前置: 行政复议法 第二十三条第一款第（四）项、第二款), so the
    # paragraph is filled from reviewkit.domain.remedies, not written here.
    plain(doc, "{{答复.救济}}")
    signature(doc, "{{机关.名称}}", "{{答复.日期}}")
    return doc


if __name__ == "__main__":
    doc = disclosure_reply()
    doc.save(str(HERE / "政府信息公开申请答复书.docx"))  # type: ignore[attr-defined]
    print("已生成 政府信息公开申请答复书.docx")
