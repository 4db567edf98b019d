"""A grouped bar chart (a case's benefits table: one group per year, one bar per number column), laid out once and
drawn twice from the same shapes: SVG for the web page (inline, nothing fetched) and PNG for the .docx.

Hand-written rather than matplotlib: one small chart does not need a plotting library and its dependencies, the
layout depends only on the data (text widths are counted in ems, as pipeline.text counts them, never measured with
a font), so the SVG is byte-stable and the PNG the same picture; the PNG is drawn with Pillow (already installed
with pdfplumber) in the Hei face that fontconfig maps 黑体 to (pipeline.render.fonts: Noto Sans CJK here), so
Chinese labels never fall back to a face without the glyphs."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from pipeline.text import em_width

# the house colours of the association's documents: a blue, an ochre, a green; then greys
PALETTE = ("#1F4E79", "#C0792B", "#4E7D3A", "#7F7F7F", "#A5A5A5")
INK, GRID, AXIS = "#262626", "#D9D9D9", "#595959"
FONT_STACK = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','SimHei',sans-serif"
HEI = "黑体"  # the face the PNG is drawn in, found by fontconfig (templates/fonts/fonts.conf)


@dataclass(frozen=True)
class BarChart:
    """The data: categories along the axis (years), and series (a label and one value per category; None: none)."""

    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    unit: str = ""


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float = 1.0


@dataclass(frozen=True)
class Text:
    """Text whose baseline is at y; anchor start, middle or end at x."""

    x: float
    y: float
    text: str
    size: float
    anchor: str = "start"
    fill: str = INK
    bold: bool = False


Shape = Rect | Line | Text


@dataclass(frozen=True)
class Drawing:
    """The laid-out chart: its size in px and its shapes, back to front."""

    width: float
    height: float
    shapes: tuple[Shape, ...]
    label: str  # what the chart shows, for screen readers


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` intervals over `span`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


def number_text(x: float, decimals: int = 1) -> str:
    """A value as a label: `decimals` places (the form's 万元 have one), thousands not grouped."""
    return f"{x:.{decimals}f}"


def tick_text(x: float) -> str:
    """An axis tick: no decimals unless the step needs them (2.5)."""
    return number_text(x, 0 if float(x).is_integer() else 1)


def _text_px(text: str, size: float) -> float:
    return em_width(text) * size


def layout(chart: BarChart, width: float = 640, height: float = 360) -> Drawing:
    """Where everything goes: title, legend, axis with round ticks (zero always on it), the bars with their values."""
    shapes: list[Shape] = []
    title_size, label_size, value_size = 16.0, 12.0, 10.5
    shapes.append(Text(width / 2, 24, chart.title, title_size, "middle", bold=True))
    # legend: one row of swatches under the title, centred
    items = [(label, PALETTE[i % len(PALETTE)]) for i, (label, _) in enumerate(chart.series)]
    widths = [14 + 6 + _text_px(label, label_size) for label, _ in items]
    gap = 22.0
    x = (width - (sum(widths) + gap * max(0, len(items) - 1))) / 2
    for (label, colour), w in zip(items, widths, strict=True):
        shapes.append(Rect(x, 38, 14, 10, colour))
        shapes.append(Text(x + 20, 47.5, label, label_size))
        x += w + gap
    values = [v for _, vs in chart.series for v in vs if v is not None]
    top_value = max([0.0, *values])
    bottom_value = min([0.0, *values])
    step = nice_step(top_value - bottom_value or 1.0)
    top = math.ceil(top_value / step) * step if top_value > 0 else 0.0
    bottom = math.floor(bottom_value / step) * step if bottom_value < 0 else 0.0
    if top == bottom:
        top = step
    ticks = [bottom + i * step for i in range(round((top - bottom) / step) + 1)]
    tick_labels = [tick_text(t) for t in ticks]
    left = 14 + max(_text_px(t, label_size) for t in tick_labels) + 8
    if chart.unit:
        shapes.append(Text(14, 72, f"单位：{chart.unit}", label_size, "start", AXIS))
    plot_top, plot_bottom, right = 86.0, height - 34.0, width - 16.0

    def y_of(v: float) -> float:
        return plot_bottom - (v - bottom) / (top - bottom) * (plot_bottom - plot_top)

    for t, text in zip(ticks, tick_labels, strict=True):
        y = y_of(t)
        shapes.append(Line(left, y, right, y, GRID if t else AXIS, 1.0))
        shapes.append(Text(left - 8, y + label_size * 0.35, text, label_size, "end", AXIS))
    groups = max(1, len(chart.categories))
    group_w = (right - left) / groups
    n = max(1, len(chart.series))
    bar_w = min(44.0, group_w * 0.72 / n)
    zero = y_of(0.0)
    for g, category in enumerate(chart.categories):
        centre = left + group_w * (g + 0.5)
        start = centre - bar_w * n / 2
        for i, (_, vs) in enumerate(chart.series):
            v = vs[g] if g < len(vs) else None
            if v is None:
                continue
            y = y_of(v)
            bx = start + i * bar_w
            shapes.append(Rect(bx + 1, min(y, zero), bar_w - 2, abs(zero - y), PALETTE[i % len(PALETTE)]))
            label_y = y - 4 if v >= 0 else y + value_size + 2
            shapes.append(Text(bx + bar_w / 2, label_y, number_text(v), value_size, "middle", INK))
        shapes.append(Text(centre, plot_bottom + 22, category, label_size, "middle", INK))
    parts = []
    for g, category in enumerate(chart.categories):
        given = [(name, vs[g]) for name, vs in chart.series if g < len(vs)]
        parts.append(f"{category} " + "，".join(f"{name} {number_text(v)}" for name, v in given if v is not None))
    label = f"{chart.title}：" + "；".join(parts)
    return Drawing(width, height, tuple(shapes), label + (f"（单位：{chart.unit}）" if chart.unit else ""))


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def svg(chart: BarChart, width: float = 640, height: float = 360) -> str:
    """The chart as an SVG element for a page (presentation attributes only: no style attribute, which the site's
    content security policy would refuse)."""
    d = layout(chart, width, height)
    anchor = {"start": "start", "middle": "middle", "end": "end"}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {_f(d.width)} {_f(d.height)}" '
           f'role="img" aria-label="{escape(d.label)}" font-family="{escape(FONT_STACK)}">',
           f"<title>{escape(d.label)}</title>",
           f'<rect x="0" y="0" width="{_f(d.width)}" height="{_f(d.height)}" fill="#FFFFFF"/>']
    for s in d.shapes:
        if isinstance(s, Rect):
            out.append(f'<rect x="{_f(s.x)}" y="{_f(s.y)}" width="{_f(s.w)}" height="{_f(s.h)}" fill="{s.fill}"/>')
        elif isinstance(s, Line):
            out.append(f'<line x1="{_f(s.x1)}" y1="{_f(s.y1)}" x2="{_f(s.x2)}" y2="{_f(s.y2)}" stroke="{s.stroke}" '
                       f'stroke-width="{_f(s.width)}"/>')
        else:
            weight = ' font-weight="bold"' if s.bold else ""
            out.append(f'<text x="{_f(s.x)}" y="{_f(s.y)}" font-size="{_f(s.size)}" text-anchor="{anchor[s.anchor]}" '
                       f'fill="{s.fill}"{weight}>{escape(s.text)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def png(chart: BarChart, width: float = 640, height: float = 360, scale: float = 3.0) -> bytes:
    """The same chart as a PNG (scale 3: sharp when printed 15 cm wide), Chinese in the installed Hei face."""
    from PIL import Image, ImageDraw, ImageFont

    from pipeline.render.fonts import font_face_for

    d = layout(chart, width, height)
    face = font_face_for(HEI)
    fonts: dict[tuple[float, bool], ImageFont.FreeTypeFont] = {}

    def font(size: float, bold: bool) -> ImageFont.FreeTypeFont:
        key = (size, bold)
        if key not in fonts:
            fonts[key] = ImageFont.truetype(str(face.path), round(size * scale), index=face.index)
        return fonts[key]

    image = Image.new("RGB", (round(d.width * scale), round(d.height * scale)), "#FFFFFF")
    draw = ImageDraw.Draw(image)
    anchors = {"start": "ls", "middle": "ms", "end": "rs"}
    for s in d.shapes:
        if isinstance(s, Rect):
            if s.h > 0 and s.w > 0:
                draw.rectangle([s.x * scale, s.y * scale, (s.x + s.w) * scale - 1, (s.y + s.h) * scale - 1],
                               fill=s.fill)
        elif isinstance(s, Line):
            draw.line([s.x1 * scale, s.y1 * scale, s.x2 * scale, s.y2 * scale], fill=s.stroke,
                      width=max(1, round(s.width * scale)))
        else:
            draw.text((s.x * scale, s.y * scale), s.text, fill=s.fill, font=font(s.size, s.bold),
                      anchor=anchors[s.anchor], stroke_width=round(scale * 0.3) if s.bold else 0,
                      stroke_fill=s.fill)
    raw = io.BytesIO()
    image.save(raw, "PNG", optimize=True, dpi=(round(96 * scale), round(96 * scale)))
    return raw.getvalue()


def chart_texts(chart: BarChart) -> Sequence[str]:
    """Every text the chart draws (for the glyph check of its face)."""
    return [s.text for s in layout(chart).shapes if isinstance(s, Text)]
