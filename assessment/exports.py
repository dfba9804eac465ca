"""Exports of results (A4): XLSX (openpyxl) and PDF (reportlab).

The PDFs embed a subset of a TrueType Chinese font (``ASSESSMENT_PDF_FONT``), so they
read on any viewer; without that font file they fall back to reportlab's CID font
STSong-Light, which relies on the viewer's fonts (a system check warns). Cells that start
with ``= + - @`` are prefixed so spreadsheets never run them as formulas.
"""

import logging
from decimal import Decimal
from functools import cache
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from assessment.models import Plan, Score, Unit
from assessment.selectors import heat_table, unit_scores
from assessment.templatetags.assessment_tags import figures

from .conf import assessment_setting

logger = logging.getLogger(__name__)

EMBEDDED_FONT, FALLBACK_FONT = "PortalCJK", "STSong-Light"
_FORMULA_START = ("=", "+", "-", "@")


def safe_cell(value):
    """Neutralise text that a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, Decimal):
        return float(value)
    return value


def plan_xlsx(plan: Plan) -> bytes:
    """The ranking with every indicator's score, and a sheet of values and inputs."""
    indicators, rows = heat_table(plan)
    book = Workbook(write_only=True)
    ranking = book.create_sheet(_("考核结果"))
    header = [_("排名"), _("考核对象"), _("类型"), _("总分"), _("等次")] + [
        f"{i.name}（{i.weight}）" for i in indicators]
    ranking.append([safe_cell(plan.title)])
    ranking.append([safe_cell(h) for h in header])
    for unit, cells in rows:
        ranking.append([safe_cell(v) for v in [
            unit.rank, unit.name, unit.get_kind_display(), unit.total,
            unit.get_grade_display() if unit.grade else "",
            *[c.score if c is not None else None for c in cells]]])
    detail = book.create_sheet(_("指标明细"))
    detail.append([safe_cell(h) for h in [_("考核对象"), _("指标"), _("指标值"), _("得分"),
                                          _("计算依据"), _("评审意见"), _("调整理由")]])
    for unit, cells in rows:
        for indicator, cell in zip(indicators, cells, strict=True):
            if cell is None:
                continue
            inputs = "；".join(f"{label} {v}" for label, v in figures(cell.inputs))
            detail.append([safe_cell(v) for v in [
                unit.name, indicator.name, cell.value, cell.score, inputs, cell.review_comment,
                cell.adjustment_reason]])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@cache
def pdf_font() -> str:
    """The font of the PDFs: the embedded TrueType font when its file is there."""
    path = assessment_setting("PDF_FONT")
    try:
        pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, path, subfontIndex=0))
        return EMBEDDED_FONT
    except (OSError, TTFError) as exc:
        logger.warning("PDF font %s not usable (%s): falling back to %s, not embedded",
                       path, exc, FALLBACK_FONT)
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
        return FALLBACK_FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = pdf_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=6),
        "body": ParagraphStyle("body", fontName=font, fontSize=10, leading=14),
        "small": ParagraphStyle("small", fontName=font, fontSize=8, leading=11,
                                textColor=colors.HexColor("#4b5563")),
    }


def _table(data: list[list], widths=None) -> Table:
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), pdf_font(), 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#d1d5db")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _fmt(value) -> str:
    return "—" if value is None else f"{value}"


def _footer(plan: Plan) -> str:
    state = _("已公布") if plan.status == Plan.Status.PUBLISHED else _("未公布（内部）")
    return _("%(state)s · 生成于 %(at)s") % {"state": state,
                                            "at": f"{timezone.localtime():%Y-%m-%d %H:%M}"}


def plan_pdf(plan: Plan) -> bytes:
    styles = _styles()
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=plan.title,
                            leftMargin=15 * mm, rightMargin=15 * mm)
    units = list(plan.units.order_by("rank", "name"))
    data = [[_("排名"), _("考核对象"), _("类型"), _("总分"), _("等次")]] + [
        [_fmt(u.rank), Paragraph(escape(u.name), styles["body"]), u.get_kind_display(), _fmt(u.total),
         u.get_grade_display() if u.grade else ""] for u in units]
    doc.build([
        Paragraph(escape(plan.title), styles["title"]),
        Paragraph(_("统计期：%(start)s 至 %(end)s") % {
            "start": f"{plan.period_start:%Y-%m-%d}", "end": f"{plan.period_end:%Y-%m-%d}"},
            styles["body"]),
        Spacer(1, 6 * mm),
        _table(data, widths=[18 * mm, 110 * mm, 35 * mm, 30 * mm, 30 * mm]),
        Spacer(1, 4 * mm),
        Paragraph(_footer(plan), styles["small"]),
    ])
    return buffer.getvalue()


SCORE_COLOUR, WEIGHT_COLOUR = colors.HexColor("#b91c1c"), colors.HexColor("#d1d5db")


def _breakdown_drawing(scores: list[Score]) -> Drawing:
    """Each indicator's points beside its weight, with a legend saying which is which."""
    font = pdf_font()
    height = 18 * len(scores) + 60
    drawing = Drawing(170 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 200, 20, 250, height - 50
    chart.data = [[float(s.score or 0) if s.applicable else 0 for s in scores],
                  [float(s.indicator.weight) for s in scores]]
    chart.categoryAxis.categoryNames = [
        s.indicator.name if s.applicable else _("%(name)s（不适用）") % {"name": s.indicator.name}
        for s in scores]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = SCORE_COLOUR
    chart.bars[1].fillColor = WEIGHT_COLOUR
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 200, height - 8
    legend.fontName, legend.fontSize = font, 8
    legend.alignment, legend.columnMaximum, legend.dx, legend.dy = "right", 1, 8, 8
    legend.colorNamePairs = [(SCORE_COLOUR, _("得分")), (WEIGHT_COLOUR, _("分值"))]
    drawing.add(legend)
    return drawing


def score_note(score: Score) -> str:
    """What a report says beside a score: an upheld objection's new score with its reason
    (the earlier review comment marked as replaced), or why the indicator does not count."""
    if not score.applicable:
        if score.inputs.get("unavailable"):
            return _("数据来源尚未接入，不计入总分。")
        return _("不适用：统计期内没有应办理的事项，不计入总分。")
    parts = []
    if score.adjusted_score is not None:
        parts.append(_("复核调整：原得分 %(before)s，调整为 %(after)s。理由：%(reason)s") % {
            "before": _fmt(score.base_score), "after": _fmt(score.adjusted_score),
            "reason": score.adjustment_reason})
        if score.review_comment:
            parts.append(_("（原评审意见：%(comment)s）") % {"comment": score.review_comment})
    elif score.review_comment:
        parts.append(score.review_comment)
    return "".join(parts)


def unit_pdf(unit: Unit) -> bytes:
    """A unit's report: total, rank, the breakdown chart and each indicator's basis."""
    styles = _styles()
    plan = unit.plan
    scores = unit_scores(unit)
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"{plan.title} · {unit.name}",
                            leftMargin=15 * mm, rightMargin=15 * mm)
    data = [[_("指标"), _("分值"), _("指标值"), _("得分"), _("说明")]]
    for s in scores:
        data.append([Paragraph(s.indicator.name, styles["body"]), _fmt(s.indicator.weight),
                     _fmt(s.value), _fmt(s.score) if s.applicable else _("不适用"),
                     Paragraph(escape(score_note(s)), styles["small"])])
    doc.build([
        Paragraph(escape(plan.title), styles["title"]),
        Paragraph(escape(_("考核对象：%(name)s　总分：%(total)s　排名：%(rank)s　等次：%(grade)s") % {
            "name": unit.name, "total": _fmt(unit.total), "rank": _fmt(unit.rank),
            "grade": unit.get_grade_display() if unit.grade else "—"}), styles["body"]),
        Paragraph(escape(_("计分分值 %(weight)s 分：不适用的指标不计入，总分按百分制折算。") % {
            "weight": _fmt(unit.weight_applied)}), styles["small"]),
        Spacer(1, 4 * mm),
        _breakdown_drawing(scores),
        Spacer(1, 4 * mm),
        _table(data, widths=[50 * mm, 15 * mm, 22 * mm, 15 * mm, 78 * mm]),
        Spacer(1, 4 * mm),
        Paragraph(_footer(plan), styles["small"]),
    ])
    return buffer.getvalue()
