"""A4 exports: XLSX with every score and its inputs (formula injection neutralised), PDF
in Chinese."""

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assessment.conf import assessment_setting
from assessment.exports import plan_pdf, plan_xlsx, safe_cell, unit_pdf
from tests.assessment import builders
from tests.assessment.helpers import activated

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2", "@SUM(A1)"])
def test_a4_cells_starting_a_formula_are_escaped(text):
    assert safe_cell(text) == "'" + text


def test_a4_xlsx_has_ranking_and_inputs(plan, authority, unit_a, department):
    builders.resource(department)
    unit_a.name = "=HYPERLINK(\"http://x\")"
    unit_a.save()
    activated(plan, authority)
    book = load_workbook(BytesIO(plan_xlsx(plan)), read_only=True)
    ranking = list(book.worksheets[0].iter_rows(values_only=True))
    assert ranking[1][:5] == ("排名", "考核对象", "类型", "总分", "等次")
    names = [row[1] for row in ranking[2:]]
    assert "'=HYPERLINK(\"http://x\")" in names
    detail = list(book.worksheets[1].iter_rows(values_only=True))
    registered = next(r for r in detail if r[1] == "已注册目录数量" and r[0].startswith("'="))
    assert "已注册目录 1" in registered[4]


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages).replace("\n", "")


def _embedded_fonts(data: bytes) -> list[str]:
    """Names of the fonts whose program is inside the file (FontFile/2/3)."""
    from pypdf import PdfReader

    found = []
    for page in PdfReader(BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts") or [font]
            for part in descendants:
                descriptor = part.get_object().get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor else {}
                if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    found.append(str(part.get_object()["/BaseFont"]))
    return found


@pytest.mark.skipif(not Path(assessment_setting("PDF_FONT")).is_file(),
    reason="ASSESSMENT_PDF_FONT not installed (fonts-wqy-zenhei)")
def test_a4_unit_pdf_embeds_its_font_and_says_what_changed(plan, authority, unit_a, head_a):
    """The report reads without Chinese fonts on the viewer's machine (the font is in the
    file), an upheld objection shows the new score with its reason (the old comment marked
    as replaced), a not-applicable indicator says so, and the chart has its legend."""
    from assessment.services import review
    from tests.assessment.helpers import manual_score, manual_scores_given

    activated(plan, authority)
    manual_scores_given(plan, authority, points="1")
    objection = review.objection_raise(actor=head_a, score=manual_score(plan, unit_a),
                                       reason="材料已补充")
    review.objection_answer(actor=authority, objection=objection, upheld=True,
                            answer="经复核制度文件齐全，异议成立", new_score="3.5")
    data = unit_pdf(unit_a)
    assert _embedded_fonts(data), "no embedded font"
    text = _pdf_text(data)
    assert "复核调整：原得分1.00，调整为3.50。理由：经复核制度文件齐全，异议成立" in text.replace(" ", "")
    assert "原评审意见：按材料评分" in text
    assert "不适用：统计期内没有应办理的事项" in text
    assert "得分" in text and "分值" in text
    assert _embedded_fonts(plan_pdf(plan))
