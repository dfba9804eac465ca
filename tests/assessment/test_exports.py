"""A4 exports: XLSX with every score and its inputs (formula injection neutralised), PDF
in Chinese."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

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


def test_a4_pdfs_render(plan, authority, unit_a):
    activated(plan, authority)
    assert plan_pdf(plan).startswith(b"%PDF")
    assert unit_pdf(unit_a).startswith(b"%PDF")
