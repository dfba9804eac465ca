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


def _fmt(value, places: int | None = None) -> str:
    """A figure without trailing zeros, rounded to ``places`` decimals when given."""
    if value is None:
        return "—"
    value = Decimal(str(value))
    if places is not None:
        value = round(value, places)
    return f"{value.normalize():f}"


def _svg(width: int, height: int, body: list[str], title: str) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def bar_chart(rows: Sequence[tuple[str, object, object]], *, title: str,
              value_label: str = "得分", track_label: str = "分值",
              missing_label: str = "不适用") -> SafeString:
    """Horizontal bars: (label, points, out of), under a legend saying what the bar and
    its grey track are. A row without points (``None``) shows ``missing_label``."""
    label_w, bar_w, row_h, width, top = 190, 360, 26, 640, 28
    height = row_h * len(rows) + top + 6
    body = [
        f'<rect x="{label_w}" y="6" width="12" height="12" rx="2" fill="{BAR}"/>',
        f'<text x="{label_w + 18}" y="16" font-size="12" fill="{INK}">{escape(value_label)}</text>',
        f'<rect x="{label_w + 90}" y="6" width="12" height="12" rx="2" fill="{BAR_BG}" '
        f'stroke="{LINE}"/>',
        f'<text x="{label_w + 108}" y="16" font-size="12" fill="{INK}">{escape(track_label)}</text>',
    ]
    for i, (label, value, weight) in enumerate(rows):
        y = top + i * row_h
        share = _num(value) / _num(weight) if _num(weight) else 0
        body += [
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{escape(label)}</text>',
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="16" rx="3" fill="{BAR_BG}"/>',
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w * max(0.0, min(share, 1.0)):.1f}" '
            f'height="16" rx="3" fill="{BAR}"/>',
            f'<text x="{label_w + bar_w + 8}" y="{y + 16}" font-size="12" fill="{MUTED}">'
            f"{escape(_fmt(value) if value is not None else missing_label)} / "
            f"{escape(_fmt(weight))}</text>",
        ]
    return _svg(width, height, body, title)


def column_chart(points: Sequence[tuple[str, object]], *, title: str, maximum=None,
                 unit: str = "", places: int = 1) -> SafeString:
    """Vertical columns over one labelled axis (0, half, top, with ``unit``), e.g. a
    unit's total by year; values rounded to ``places`` decimals."""
    width, height, top, bottom, left = 640, 220, 24, 30, 56
    plot_h = height - top - bottom
    peak = _num(maximum) or max((_num(v) for _, v in points), default=0) or 1
    step = (width - left - 10) / max(len(points), 1)
    body = []
    for fraction in (0, 0.5, 1):
        y = height - bottom - plot_h * fraction
        body += [f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="{LINE}"/>',
                 f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                 f'fill="{MUTED}">{escape(_fmt(peak * fraction, places))}</text>']
    if unit:
        body.append(f'<text x="{left - 6}" y="12" text-anchor="end" font-size="11" '
                    f'fill="{MUTED}">{escape(unit)}</text>')
    for i, (label, value) in enumerate(points):
        h = plot_h * _num(value) / peak
        x = left + i * step + step * 0.2
        w = min(step * 0.6, 80)
        y = height - bottom - h
        body += [
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{ACCENT}" rx="2"/>',
            f'<text x="{x + w / 2:.1f}" y="{y - 5:.1f}" text-anchor="middle" font-size="12" '
            f'fill="{INK}">{escape(_fmt(value, places))}</text>',
            f'<text x="{x + w / 2:.1f}" y="{height - 10}" text-anchor="middle" font-size="12" '
            f'fill="{MUTED}">{escape(label)}</text>',
        ]
    return _svg(width, height, body, title)


def heat_level(score, weight) -> int:
    """0–4 for colouring a heat-table cell by the share of the weight earned."""
    if score is None or not _num(weight):
        return -1
    share = _num(score) / _num(weight)
    return min(4, int(share * 5))
