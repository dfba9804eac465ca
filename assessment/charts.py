"""Charts drawn on the server as inline SVG: no JavaScript, no CDN (closed networks).

Every label is escaped; the functions return safe strings for templates.
"""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK, MUTED, LINE = "#1f2937", "#6b7280", "#e5e7eb"
BAR, BAR_BG, ACCENT = "#b91c1c", "#f3f4f6", "#2563eb"


def _num(value) -> float:
    return float(value or 0)


def _fmt(value) -> str:
    if value is None:
        return "—"
    value = Decimal(str(value)).normalize()
    return f"{value:f}"


def _svg(width: int, height: int, body: list[str], title: str) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def bar_chart(rows: Sequence[tuple[str, object, object]], *, title: str) -> SafeString:
    """Horizontal bars: (label, points, out of). The grey track is the indicator's weight."""
    label_w, bar_w, row_h, width = 190, 360, 26, 640
    height = row_h * len(rows) + 10
    body = []
    for i, (label, value, weight) in enumerate(rows):
        y = 5 + i * row_h
        share = _num(value) / _num(weight) if _num(weight) else 0
        body += [
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{escape(label)}</text>',
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="16" rx="3" fill="{BAR_BG}"/>',
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w * max(0.0, min(share, 1.0)):.1f}" '
            f'height="16" rx="3" fill="{BAR}"/>',
            f'<text x="{label_w + bar_w + 8}" y="{y + 16}" font-size="12" fill="{MUTED}">'
            f"{escape(_fmt(value))} / {escape(_fmt(weight))}</text>",
        ]
    return _svg(width, height, body, title)


def column_chart(points: Sequence[tuple[str, object]], *, title: str, maximum=None
                 ) -> SafeString:
    """Vertical columns, e.g. a unit's total by year."""
    width, height, top, bottom, left = 640, 220, 20, 30, 40
    plot_h = height - top - bottom
    peak = _num(maximum) or max((_num(v) for _, v in points), default=0) or 1
    step = (width - left - 10) / max(len(points), 1)
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
            f'stroke="{LINE}"/>']
    for i, (label, value) in enumerate(points):
        h = plot_h * _num(value) / peak
        x = left + i * step + step * 0.2
        w = step * 0.6
        y = height - bottom - h
        body += [
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{ACCENT}" rx="2"/>',
            f'<text x="{x + w / 2:.1f}" y="{y - 5:.1f}" text-anchor="middle" font-size="12" '
            f'fill="{INK}">{escape(_fmt(value))}</text>',
            f'<text x="{x + w / 2:.1f}" y="{height - 10}" text-anchor="middle" font-size="12" '
            f'fill="{MUTED}">{escape(label)}</text>',
        ]
    return _svg(width, height, body, title)


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[object], str]], *,
               title: str) -> SafeString:
    """Lines over the same labels: (name, values, colour) per series, each scaled to its max."""
    width, height, top, bottom, left = 640, 220, 30, 30, 40
    plot_h, plot_w = height - top - bottom, width - left - 20
    step = plot_w / max(len(labels) - 1, 1)
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - 20}" y2="{height - bottom}" '
            f'stroke="{LINE}"/>']
    for i, label in enumerate(labels):
        body.append(f'<text x="{left + i * step:.1f}" y="{height - 10}" text-anchor="middle" '
                    f'font-size="12" fill="{MUTED}">{escape(label)}</text>')
    for n, (name, values, colour) in enumerate(series):
        peak = max((_num(v) for v in values), default=0) or 1
        coords = [(left + i * step, height - bottom - plot_h * _num(v) / peak)
                  for i, v in enumerate(values)]
        if coords:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for (x, y), v in zip(coords, values, strict=True):
            body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>',
                     f'<text x="{x:.1f}" y="{y - 6:.1f}" text-anchor="middle" font-size="11" '
                     f'fill="{colour}">{escape(_fmt(v))}</text>']
        body.append(f'<text x="{left + n * 180}" y="16" font-size="12" fill="{colour}">'
                    f"■ {escape(name)}</text>")
    return _svg(width, height, body, title)


def heat_level(score, weight) -> int:
    """0–4 for colouring a heat-table cell by the share of the weight earned."""
    if score is None or not _num(weight):
        return -1
    share = _num(score) / _num(weight)
    return min(4, int(share * 5))
