"""C10: a clerk's own sheet in the national compilation guide's wording (《政务信息资源目录
编制指南（试行）》) — a title block above a two-row header with group cells, merged cells
over each entry's rows, platform columns to leave out — imports; the problems of a bad
sheet come back as a spreadsheet naming each entry; the template carries drop-downs."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from catalog.models import ImportJob, Resource
from catalog.services.imports import import_job_create
from catalog.spreadsheet import COLUMNS, HEADERS

pytestmark = pytest.mark.django_db

# Row 3 holds the groups, row 4 the names under them; single columns span both rows.
UPPER = ["序号", "信息资源名称", "信息资源代码", "信息资源分类", "信息资源摘要", "信息资源格式",
         "信息项信息", "信息项信息", "信息项信息", "共享属性", "共享属性", "共享属性",
         "更新周期", "联系人", "联系电话", "备注说明"]
LOWER = [None, None, None, None, None, None, "信息项名称", "数据类型", "数据长度",
         "共享类型", "共享条件", "共享方式", None, None, None, None]
EXTRA = ["法律依据", "依据类型"]
ENTRIES = [
    {"序号": 1, "信息资源名称": "不动产登记信息", "信息资源分类": "部门信息资源",
     "信息资源摘要": "不动产权利人、坐落和面积", "信息资源格式": "数据库", "共享类型": "有条件共享",
     "共享条件": "限不动产交易核验", "共享方式": "联机查询", "更新周期": "每日", "联系人": "王五",
     "联系电话": "0898-66000000",
     "items": [("权利人姓名", "字符型", 50), ("不动产单元号", "字符型", 28), ("建筑面积", "数值型", 12)]},
    {"序号": 2, "信息资源名称": "房屋租赁备案信息", "信息资源分类": "部门信息资源",
     "信息资源摘要": "租赁合同备案", "信息资源格式": "电子表格", "共享类型": "无条件共享",
     "共享条件": "", "共享方式": "批量下载", "更新周期": "每月", "联系人": "赵六",
     "联系电话": "0898-66000001",
     "items": [("承租人姓名", "字符型", 50), ("备案日期", "日期型", None)]},
]


def guide_sheet(entries=ENTRIES, legal_basis="《不动产登记暂行条例》第二十七条"):
    wb = Workbook()
    ws = wb.active
    width = len(UPPER) + 1
    ws.append(["海南省自然资源和规划厅政务信息资源目录（2026 年）"] + [None] * (width - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append(["填报单位：海南省自然资源和规划厅", None, None, None, "填报日期：2026-03-01"])
    ws.append(UPPER + EXTRA)
    ws.append(LOWER + [None, None])
    for col, (_top, bottom) in enumerate(zip(UPPER + EXTRA, LOWER + [None, None], strict=True), start=1):
        if bottom is None:
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    ws.merge_cells("G3:I3")
    ws.merge_cells("J3:L3")
    row = 5
    for entry in entries:
        first = row
        for name, data_type, length in entry["items"]:
            conditional = entry["共享类型"] != "无条件共享"
            values = {**entry, "信息项名称": name, "数据类型": data_type, "数据长度": length,
                      "法律依据": legal_basis if conditional else "",
                      "依据类型": "行政法规" if conditional else ""}
            names = [bottom or top for top, bottom in zip(UPPER, LOWER, strict=True)] + EXTRA
            ws.append([values.get(n) if n not in ("信息资源代码", "备注说明") else None for n in names])
            row += 1
        # The entry's own cells are merged over its item rows, as clerks do.
        for col, name in enumerate([*UPPER, *EXTRA], start=1):
            bottom = LOWER[col - 1] if col <= len(LOWER) else None
            if bottom in (None,) and name not in ("信息资源代码", "备注说明") and row - first > 1:
                letter = get_column_letter(col)
                ws.merge_cells(f"{letter}{first}:{letter}{row - 1}")
            elif bottom in ("共享类型", "共享条件", "共享方式") and row - first > 1:
                letter = get_column_letter(col)
                ws.merge_cells(f"{letter}{first}:{letter}{row - 1}")
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("自然资源厅目录.xlsx", buffer.getvalue())


@pytest.fixture
def run_import(clerk, department, django_capture_on_commit_callbacks):
    def run(upload):
        with django_capture_on_commit_callbacks(execute=True):
            job = import_job_create(actor=clerk, department=department, upload=upload)
        job.refresh_from_db()
        return job
    return run


def test_c10_guide_wording_title_rows_and_merged_cells_import(run_import, department, web, clerk):
    job = run_import(guide_sheet())
    assert job.status == ImportJob.Status.SUCCEEDED, job.report
    assert job.created_count == 2 and job.header_row == 4 and job.total_rows == 5
    land = Resource.objects.get(name="不动产登记信息")
    assert land.provider == department and land.status == Resource.Status.DRAFT
    assert land.sharing_type == "conditional" and land.sharing_conditions == "限不动产交易核验"
    assert land.legal_basis == "《不动产登记暂行条例》第二十七条" and land.sharing_method == ["online_query"]
    assert list(land.items.order_by("position").values_list("name", "data_type", "length")) == [
        ("权利人姓名", "string", 50), ("不动产单元号", "string", 28), ("建筑面积", "decimal", 12)]
    lease = Resource.objects.get(name="房屋租赁备案信息")
    assert lease.format == "spreadsheet" and lease.items.count() == 2

    recognised = {c["text"]: c["column"] for c in job.recognised_columns}
    assert recognised["信息资源名称"] == "资源名称" and recognised["信息资源摘要"] == "资源摘要"
    assert recognised["信息项名称"] == "信息项名称" and recognised["共享条件"] == "共享条件"
    assert recognised["序号"] == "资源序号"
    ignored = {c["text"]: c["note"] for c in job.ignored_columns}
    assert "资源代码由平台" in ignored["信息资源代码"] and "未识别" in ignored["备注说明"]
    page = web(clerk).get(reverse("catalog:import_detail", args=[job.pk])).content.decode()
    assert "表头在第 4 行" in page and "信息资源名称 → 资源名称" in page


def test_c10_problems_download_as_a_sheet_naming_each_entry(run_import, web, clerk):
    broken = [dict(ENTRIES[0], items=[("权利人姓名", "字符型", 50), ("建筑面积", "面积型", 12)]),
              ENTRIES[1]]
    job = run_import(guide_sheet(broken, legal_basis=""))
    assert job.status == ImportJob.Status.FAILED and not Resource.objects.exists()
    blamed = {(p["row"], p["header"], p["name"]) for p in job.report}
    assert (6, "数据类型", "不动产登记信息") in blamed          # an unknown data type, row 6
    assert (5, "法律依据", "不动产登记信息") in blamed          # C2: conditional needs a basis
    response = web(clerk).get(reverse("catalog:import_report", args=[job.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == ["行号", "资源序号", "信息资源名称", "列", "问题"]
    assert [6, "1", "不动产登记信息", "数据类型"] == rows[[r[0] for r in rows].index(6)][:4]
    assert all(r[2] == "不动产登记信息" and r[4] for r in rows[1:])


def test_c10_a_sheet_without_a_recognisable_header_says_so(run_import):
    wb = Workbook()
    wb.active.append(["名称", "内容"])
    wb.active.append(["甲", "乙"])
    buffer = io.BytesIO()
    wb.save(buffer)
    job = run_import(SimpleUploadedFile("x.xlsx", buffer.getvalue()))
    assert job.status == ImportJob.Status.FAILED and "找不到表头" in job.report[0]["message"]


def test_c10_missing_columns_are_named_with_what_was_recognised(run_import):
    wb = Workbook()
    wb.active.append(["信息资源名称", "信息项名称", "数据类型"])
    wb.active.append(["不动产登记信息", "姓名", "字符型"])
    buffer = io.BytesIO()
    wb.save(buffer)
    job = run_import(SimpleUploadedFile("x.xlsx", buffer.getvalue()))
    message = job.report[0]["message"]
    assert "缺少必需的列" in message and "资源分类" in message and "信息资源名称→资源名称" in message


def test_c10_template_has_a_drop_down_on_every_enumerated_column(web, clerk):
    response = web(clerk).get(reverse("catalog:import_template", args=["xlsx"]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["信息资源目录"]
    options = workbook["选项"]
    assert options.sheet_state == "hidden"
    covered = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        for cell_range in validation.sqref.ranges:
            covered[cell_range.min_col] = (validation, cell_range)
    enumerated = [i for i, c in enumerate(COLUMNS, start=1) if c.options()]
    assert sorted(covered) == enumerated and len(enumerated) >= 15
    index = HEADERS.index("更新周期") + 1
    validation, cell_range = covered[index]
    assert cell_range.min_row == 2 and cell_range.max_row >= 1000
    letter = get_column_letter(index)
    listed = [options[f"{letter}{r}"].value for r in range(2, 10)]
    assert listed == ["实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期"]
    assert validation.showErrorMessage  # a single choice: anything else is refused
    assert not covered[HEADERS.index("共享方式") + 1][0].showErrorMessage  # several allowed
