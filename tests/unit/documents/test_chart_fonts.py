"""The CJK font for report charts is found even when matplotlib's font cache predates the font's
installation (the cache is never refreshed by matplotlib itself)."""

from __future__ import annotations

import shutil

import pytest

from reviewkit.documents import charts


def test_a_font_installed_after_the_cache_was_written_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    if not shutil.which("fc-list"):
        pytest.skip("no fontconfig on this machine")
    from matplotlib import font_manager

    cjk = [f for f in font_manager.fontManager.ttflist if f.name in charts.CJK_FAMILIES]
    if not cjk:
        charts.cjk_font.cache_clear()
        try:
            charts.cjk_font()
        except Exception:  # noqa: BLE001
            pytest.skip("no CJK font installed (.ci/run installs fonts-noto-cjk)")
        cjk = [f for f in font_manager.fontManager.ttflist if f.name in charts.CJK_FAMILIES]
    # a stale cache: the list as it was before the CJK font files were installed
    files = {f.fname for f in cjk}
    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [f for f in font_manager.fontManager.ttflist if f.fname not in files])
    charts.cjk_font.cache_clear()
    try:
        assert charts.cjk_font() in charts.CJK_FAMILIES
    finally:
        charts.cjk_font.cache_clear()
