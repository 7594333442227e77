"""Charts for the period report (matplotlib, Agg).

Chinese labels need a CJK font. A system 黑体 or 仿宋 is preferred where the machine has one, then any
other common CJK family the system offers; otherwise the Noto Sans CJK SC that reviewkit brings with it
through pip (the `mplfonts` wheel ships it, SIL Open Font License 1.1), so a report never fails for want
of a font on a fresh machine."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from reviewkit.errors import ConfigError

# Preference order: the families of Chinese official documents first (黑体 reads best at chart sizes,
# then 仿宋), then the CJK families Debian, macOS and Windows commonly have.
PREFERRED_FAMILIES = (
    "SimHei",
    "黑体",
    "Heiti SC",
    "STHeiti",
    "FangSong",
    "仿宋",
    "FangSong_GB2312",
    "仿宋_GB2312",
    "STFangsong",
)
SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
)
CJK_FAMILIES = PREFERRED_FAMILIES + SYSTEM_FAMILIES
BUNDLED_FONT = "NotoSansCJKsc-Regular.otf"  # in mplfonts/fonts/; its family is "Noto Sans CJK SC"


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The font family the charts are drawn in: a system one if present, else the bundled one."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    for attempt in range(2):
        # a cache may name files removed since it was written: count only fonts still on disk
        available = {
            f.name
            for f in font_manager.fontManager.ttflist
            if f.name in CJK_FAMILIES and Path(f.fname).is_file()
        }
        for family in CJK_FAMILIES:
            if family in available:
                return family
        if attempt == 0:
            _add_fonts_installed_since_the_cache(font_manager)
    return _bundled_family(font_manager)


def bundled_font_path() -> Path | None:
    """The CJK font file installed with reviewkit's dependencies (None if the install is broken).
    Found without importing mplfonts, whose import pulls in more than a path."""
    spec = importlib.util.find_spec("mplfonts")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "fonts" / BUNDLED_FONT
        if path.is_file():
            return path
    return None


def _bundled_family(font_manager) -> str:  # type: ignore[no-untyped-def]
    path = bundled_font_path()
    if path is None:
        raise ConfigError(
            "reviewkit 自带的中文字体缺失（mplfonts 包未安装完整），请重新执行 pip install -e ."
        )
    font_manager.fontManager.addfont(str(path))
    for entry in font_manager.fontManager.ttflist:
        if Path(entry.fname) == path:
            return str(entry.name)
    raise ConfigError(f"无法读取 reviewkit 自带的中文字体 {path.name}，请重新执行 pip install -e .")


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


def bar_chart(
    path: Path,
    title: str,
    labels: list[str],
    values: list[float],
    *,
    unit: str = "",
    horizontal: bool = False,
    limit: float | None = None,
) -> Path:
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
