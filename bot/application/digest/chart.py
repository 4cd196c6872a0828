"""The digest's chart: completion per agency as horizontal stacked bars (PNG), under
completion over the last weeks (a line, from the scope's snapshots) when there is
more than one week to draw.

`chart_data` decides what is drawn (pure, tested on its own); `to_png` draws it with
matplotlib's Agg canvas on a bare `Figure` (no pyplot and its global figures), one
drawing at a time (the scheduler's tick and a /tonghop may draw at once, and the
font settings are matplotlib's global rcParams). matplotlib is imported only when a
chart is drawn: it takes ~0.5 s to import and `bot ask` never needs it. Its bundled
DejaVu Sans has every Vietnamese letter.

Bars are shares of each agency's duties by status (so agencies with more duties
compare fairly), worst completion on top; a province-wide digest shows the
`MAX_BARS` lowest and says how many agencies it leaves out.
"""

from __future__ import annotations

import io
import textwrap
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.application.digest.model import STATUS_WORDS, STATUSES, Digest, lowest_first
from bot.domain.dates import vn_datetime
from bot.domain.numbers import vn_percent
from bot.domain.status import DONE

if TYPE_CHECKING:
    from PIL import Image

MAX_BARS = 40
COLORS = {
    "on_time": "#2e7d32",
    "late_done": "#9ccc65",
    "open": "#42a5f5",
    "overdue": "#e53935",
    "unreported": "#bdbdbd",
    "unreported_late": "#757575",
}
WIDTH_IN = 9.0
BAR_IN = 0.32  # height per bar
FRAME_IN = 2.3  # titles, axis label and legend
TREND_IN = 1.8  # the weekly completion above the bars
MIN_HEIGHT_IN = 3.6
DPI = 110
LABEL_CHARS = 30  # agency names wrap at this width, on two lines at most
_DRAWING = threading.Lock()


@dataclass(frozen=True)
class ChartBar:
    agency_id: str
    label: str
    counts: tuple[int, ...]  # per STATUSES
    total: int
    completion: float  # percent done (on time or late), as in the digest's text


@dataclass(frozen=True)
class ChartData:
    title: str
    subtitle: str
    bars: tuple[ChartBar, ...]  # top to bottom: lowest completion first
    hidden: int = 0  # agencies left out (the best ones)
    hidden_from: float = 0  # the lowest completion among those left out
    weeks: tuple[tuple[str, float], ...] = ()  # (label, completion), oldest first

    @property
    def note(self) -> str:
        if not self.hidden:
            return ""
        lowest = vn_percent(self.hidden_from)
        return f"… và {self.hidden} cơ quan khác (tỷ lệ hoàn thành từ {lowest} trở lên)."

    @property
    def caption(self) -> str:
        return " ".join(part for part in (self.title, self.note) if part)


def chart_data(
    digest: Digest, max_bars: int = MAX_BARS, weeks: tuple[tuple[str, float], ...] = ()
) -> ChartData:
    """One bar per agency of the digest: lowest completion first, capped at `max_bars`."""
    ranked = lowest_first(digest.agencies)
    shown, rest = ranked[:max_bars], ranked[max_bars:]
    bars = tuple(
        ChartBar(
            a.agency_id,
            unicodedata.normalize("NFC", a.agency),
            tuple(a.counts.get(s, 0) for s in STATUSES),
            a.total,
            a.completion,
        )
        for a in shown
    )
    subtitle = f"Tính đến {vn_datetime(digest.generated_at)}"
    if rest:
        subtitle += f"; {len(shown)} cơ quan có tỷ lệ hoàn thành thấp nhất"
    return ChartData(
        f"Tỷ lệ hoàn thành theo cơ quan — {digest.scope}",
        subtitle,
        bars,
        len(rest),
        min((a.completion for a in rest), default=0),
        weeks if len(weeks) > 1 else (),
    )


def _draw_weeks(axes: Any, weeks: tuple[tuple[str, float], ...]) -> None:
    """Completion of the whole scope week by week: a line with each week's value."""
    labels = [label for label, _ in weeks]
    values = [value for _, value in weeks]
    rows = list(range(len(weeks)))
    axes.plot(rows, values, color=COLORS["on_time"], marker="o", linewidth=2)
    top = min(max(max(values) * 1.35, 5.0), 115)
    for x, value in zip(rows, values, strict=True):
        # Plain text a little above the point (an annotation's offset transform costs
        # more to place than the whole line).
        axes.text(x, value + top * 0.05, vn_percent(value), ha="center", fontsize=8)
    axes.set_ylim(0, top)
    axes.set_xticks(rows, labels)
    axes.set_xlim(-0.5, len(weeks) - 0.5)
    axes.yaxis.set_major_formatter(lambda y, _: vn_percent(round(y, 2)))
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title("Tỷ lệ hoàn thành theo tuần", fontsize=9.5, loc="left")


def _label(name: str) -> str:
    lines = textwrap.wrap(name, LABEL_CHARS, max_lines=2, placeholder="…")
    return "\n".join(lines) or name


def _left_margin(labels: list[str]) -> float:
    """Inches left of the bars for their labels, estimated from the longest line (a
    9 pt DejaVu Sans character is ~0.075 in wide): measuring the text, as matplotlib's
    layout engines do, took most of the time a chart of 40 bars took to draw."""
    longest = max((len(line) for label in labels for line in label.split("\n")), default=0)
    return min(max(0.15 + 0.075 * longest, 0.7), 2.6)


def _draw_bars(axes: Any, bars: tuple[ChartBar, ...]) -> None:
    """The stacked bars as one collection (one artist instead of a patch a segment),
    each segment's count written inside it when it is wide enough to hold it, and the
    completion right of the bar."""
    from matplotlib.collections import PolyCollection

    boxes: list[list[tuple[float, float]]] = []
    colors: list[str] = []
    half = 0.35  # bars 0.7 of a row high
    for row, bar in enumerate(bars):
        left = 0.0
        for status, count in zip(STATUSES, bar.counts, strict=True):
            share = 100 * count / bar.total if bar.total else 0.0
            if share <= 0:
                continue
            right = left + share
            boxes.append(
                [(left, row - half), (right, row - half), (right, row + half), (left, row + half)]
            )
            colors.append(COLORS[status])
            if share >= 7:
                dark = status in ("late_done", "unreported")
                axes.text(
                    (left + right) / 2,
                    row,
                    str(count),
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="black" if dark else "white",
                )
            left = right
        done = sum(n for s, n in zip(STATUSES, bar.counts, strict=True) if s in DONE)
        completion = f"{vn_percent(bar.completion)} ({done}/{bar.total})"
        axes.text(101.5, row, completion, va="center", fontsize=8.5)
    axes.add_collection(
        PolyCollection(boxes, facecolors=colors, edgecolors="white", linewidths=0.5),
        autolim=False,
    )


def to_png(data: ChartData) -> bytes:
    """Draw the chart: 990 px wide, 0.32 in a bar, as an indexed-colour PNG (~50-75 KB
    for `MAX_BARS` bars instead of ~260 KB in full colour: it travels in outbox rows).
    The layout is set in inches (title, trend, bars, axis label and legend stacked top
    to bottom) rather than computed by a layout engine, which measures every text."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from PIL import Image  # a dependency of matplotlib's

    n = len(data.bars)
    bars_height = max(MIN_HEIGHT_IN, FRAME_IN + BAR_IN * n)
    height = bars_height + (TREND_IN if data.weeks else 0)
    labels = [_label(b.label) for b in data.bars]
    left = _left_margin(labels) / WIDTH_IN
    right = 1 - 0.15 / WIDTH_IN
    # Inches from the top: title, subtitle, then the trend (its title, the line, its
    # tick labels) and the bars; below the bars their tick labels, axis label, legend.
    top_in, bottom_in = 0.75, 1.35
    with _DRAWING, rc_context({"font.family": "DejaVu Sans", "font.size": 9}):
        figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
        canvas = FigureCanvasAgg(figure)
        bars_top = height - top_in
        if data.weeks:
            trend = figure.add_axes(
                (
                    left,
                    (height - top_in - 0.3 - TREND_IN + 0.75) / height,
                    right - left,
                    (TREND_IN - 0.75) / height,
                )
            )
            _draw_weeks(trend, data.weeks)
            bars_top -= TREND_IN
        axes = figure.add_axes(
            (left, bottom_in / height, right - left, (bars_top - bottom_in) / height)
        )
        _draw_bars(axes, data.bars)
        if not data.bars:
            axes.text(50, 0, "Không có nhiệm vụ nào trong phạm vi này.", ha="center", va="center")
        pad = max(0.0, (3 - n) / 2)  # one or two bars keep the thickness of many
        axes.set_ylim(max(n, 1) - 0.5 + pad, -0.5 - pad)  # the first (worst) bar on top
        axes.set_yticks(list(range(n)), labels)
        axes.set_xlim(0, 118)  # room for the completion on the right
        axes.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        axes.spines[["top", "right"]].set_visible(False)
        axes.spines["bottom"].set_bounds(0, 100)
        axes.tick_params(axis="y", length=0)
        xlabel = "Tỷ lệ nhiệm vụ theo tình trạng; bên phải: tỷ lệ hoàn thành (đã xong/tổng số)"
        axes.set_xlabel("\n".join(part for part in (xlabel, data.note) if part))
        figure.suptitle(data.title, fontsize=12, fontweight="bold", y=1 - 0.12 / height)
        figure.text(0.5, 1 - 0.45 / height, data.subtitle, ha="center", fontsize=9, color="#555555")
        legend = [Patch(color=COLORS[s], label=STATUS_WORDS[s]) for s in STATUSES]
        figure.legend(
            handles=legend,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.05 / height),
            ncols=3,
            frameon=False,
            fontsize=8.5,
        )
        canvas.draw()  # type: ignore[no-untyped-call]  # unannotated in matplotlib
        pixels = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
        image = Image.frombuffer("RGBA", canvas.get_width_height(), pixels)
    indexed = image.convert("RGB").quantize(palette=_palette(), dither=Image.Dither.NONE)
    out = io.BytesIO()
    # zlib's default level: `optimize` (level 9) saves 6 KB of 57 and takes 0.2 s.
    indexed.save(out, format="PNG")
    return out.getvalue()


@cache
def _palette() -> Image.Image:
    """A fixed palette: the chart's own colours, exactly, and their blends with white
    and black (anti-aliased edges and text). An adaptive palette gives the legend's
    small swatches whatever colour is left when one status fills most of the chart."""
    from PIL import Image

    colors: set[tuple[int, int, int]] = set()
    for base in [*COLORS.values(), "#555555", "#000000"]:
        r, g, b = (int(base[i : i + 2], 16) for i in (1, 3, 5))
        for end in (255, 0):
            for step in range(8):
                t = step / 7
                colors.add(
                    (round(r + (end - r) * t), round(g + (end - g) * t), round(b + (end - b) * t))
                )
    flat = [channel for color in sorted(colors) for channel in color]
    palette = Image.new("P", (1, 1))
    palette.putpalette(flat)
    return palette
