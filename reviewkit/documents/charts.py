"""Charts for the period report (matplotlib, Agg). Chinese needs a CJK font: Debian's fonts-noto-cjk
or fonts-wqy-zenhei (see README); without one the labels would render as empty boxes, so we refuse."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reviewkit.errors import ConfigError

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
                "Source Han Sans SC", "SimHei", "Microsoft YaHei")


@lru_cache(maxsize=1)
def cjk_font() -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    for attempt in range(2):
        available = {f.name for f in font_manager.fontManager.ttflist}
        for family in CJK_FAMILIES:
            if family in available:
                return family
        if attempt == 0:
            _add_fonts_installed_since_the_cache(font_manager)
    raise ConfigError("未找到中文字体，图表中的汉字无法显示：请安装 fonts-noto-cjk 或 fonts-wqy-zenhei")


def _add_fonts_installed_since_the_cache(font_manager) -> None:  # type: ignore[no-untyped-def]
    """matplotlib keeps its font list in a cache (~/.cache/matplotlib) and does not look again: a CJK
    font installed after matplotlib first ran stays invisible. Look at the system's fonts once more."""
    known = {f.fname for f in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue  # a font file matplotlib cannot read: skip it


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = [cjk_font()]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def bar_chart(path: Path, title: str, labels: list[str], values: list[float], *, unit: str = "",
              horizontal: bool = False, limit: float | None = None) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.4), dpi=150)
    colors = "#3b6ea8"
    if horizontal:
        bars = ax.barh(labels[::-1], values[::-1], color=colors)
    else:
        bars = ax.bar(labels, values, color=colors)
    ax.bar_label(bars, labels=[f"{v:g}{unit}" for v in (values[::-1] if horizontal else values)], fontsize=8)
    if limit is not None:
        (ax.set_xlim if horizontal else ax.set_ylim)(0, limit)
    ax.set_title(title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def rates_chart(path: Path, title: str, rates: dict[str, float | None]) -> Path:
    labels = list(rates)
    values = [float(v) if v is not None else 0.0 for v in rates.values()]
    return bar_chart(path, title, labels, values, unit="%", limit=110)
