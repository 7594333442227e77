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
    monkeypatch.setattr(
        font_manager.fontManager,
        "ttflist",
        [f for f in font_manager.fontManager.ttflist if f.fname not in files],
    )
    charts.cjk_font.cache_clear()
    try:
        assert charts.cjk_font() in charts.CJK_FAMILIES
    finally:
        charts.cjk_font.cache_clear()


HIDDEN_FONTS_SCRIPT = r"""
import warnings
from matplotlib import font_manager
from reviewkit.documents import charts

leaked = [f for f in font_manager.findSystemFonts() if "cjk" in f.lower() or "wqy" in f.lower()]
assert not leaked, f"system CJK fonts still visible: {leaked[:3]}"
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    charts.bar_chart(OUT, "各环节超期件次", ["公平竞争审查", "合法性审核"], [3, 5], horizontal=True)
    charts.rates_chart(OUT.with_name("rates.png"), "主要指标（%）", {"审核率": 100.0, "报备率": None})
missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
assert not missing, missing
print(charts.cjk_font())
"""


def test_charts_render_chinese_with_the_system_fonts_hidden(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A fresh machine has no CJK font: the report's charts must still draw every character, in the font
    reviewkit brings through pip. The system's font folders are hidden under empty tmpfs mounts in a
    private mount namespace (needs root or user namespaces; skipped where that is not possible)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare(1) on this machine")
    home = Path.home()
    folders = [
        d
        for d in (
            "/usr/share/fonts",
            "/usr/local/share/fonts",
            str(home / ".fonts"),
            str(home / ".local/share/fonts"),
        )
        if Path(d).is_dir()
    ]
    mounts = " && ".join(f"mount -t tmpfs none '{d}'" for d in folders) or "true"
    probe = subprocess.run(
        [unshare, "-m", "--propagation", "private", "sh", "-c", mounts], capture_output=True, text=True
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot hide the system fonts here: {probe.stderr.strip()[:120]}")
    out = tmp_path / "chart.png"
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    script = f"from pathlib import Path\nOUT = Path({str(out)!r})\n" + HIDDEN_FONTS_SCRIPT
    r = subprocess.run(
        [
            unshare,
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            f'{mounts} && exec "$0" -c "$1"',
            sys.executable,
            script,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "Noto Sans CJK SC"
    assert out.stat().st_size > 10_000 and out.with_name("rates.png").is_file()
