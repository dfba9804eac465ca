"""C10: spreadsheet import (row-by-row report, all or nothing, Celery task, progress) and
XLSX export of any catalog view (formula-injection safe)."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from catalog.models import ImportJob, Resource
from catalog.services.imports import import_job_create
from catalog.spreadsheet import HEADERS, TEMPLATE_EXAMPLE, safe_cell
from portal.errors import ValidationFailed
from tests.catalog.factories import make_resource

pytestmark = pytest.mark.django_db


def row(key, item, **values):
    base = {"资源序号": key, "信息项名称": item, "数据类型": "字符型", "数据长度": "50"}
    base.update(values)
    return [base.get(h, "") for h in HEADERS]


def first(key, name, item, **values):
    resource = {"资源名称": name, "资源分类": "部门信息资源", "资源摘要": "摘要", "资源格式": "数据库",
                "共享类型": "无条件共享", "共享方式": "联机查询、批量下载", "更新周期": "每日",
                "联系人": "王五", "联系电话": "0898-66000000", "信息主体": "自然人", "信息属地": "海南省"}
    return row(key, item, **{**resource, **values})


GOOD = [
    first("R1", "不动产登记信息", "姓名"),
    row("R1", "身份证号码", 数据长度="18", 可作查询条件="是"),
    first("R2", "房屋租赁备案信息", "承租人姓名", 共享类型="有条件共享", 共享条件="限住建部门",
          依据类型="规章", 法律依据="《商品房屋租赁管理办法》第十九条"),
]
BAD = [
    first("R1", "不动产登记信息", "姓名"),
    row("R1", "面积", 数据类型="数值型", 数据长度=""),                       # row 3: length missing
    first("R2", "租赁信息", "承租人", 共享类型="有条件共享"),                   # row 4: C2
    first("R3", "其他", "项目", 更新周期="每十年"),                            # row 5: bad choice
    row("", "孤儿行"),                                                        # row 6: no key
]


@pytest.fixture
def run_import(clerk, department, django_capture_on_commit_callbacks):
    """Upload a file and run the queued Celery task (it is queued on commit)."""
    def run(upload):
        with django_capture_on_commit_callbacks(execute=True):
            job = import_job_create(actor=clerk, department=department, upload=upload)
        job.refresh_from_db()
        return job
    return run


def xlsx_file(rows, name="目录.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(list(HEADERS))
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(rows, encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile("目录.csv", buffer.getvalue().encode(encoding))


def test_c10_good_xlsx_imports_every_entry_with_items(run_import, department):
    job = run_import(xlsx_file(GOOD))
    assert job.status == ImportJob.Status.SUCCEEDED and job.created_count == 2, job.report
    assert job.total_rows == 3 and job.progress_percent == 100
    r1 = Resource.objects.get(name="不动产登记信息")
    assert r1.status == Resource.Status.DRAFT and r1.provider == department
    assert list(r1.items.values_list("name", "is_key")) == [("姓名", False), ("身份证号码", True)]
    assert r1.sharing_method == ["online_query", "bulk_download"]
    assert Resource.objects.get(name="房屋租赁备案信息").legal_basis_kind == "rule"


def test_c10_mixed_file_imports_nothing_and_reports_each_bad_row(run_import):
    job = run_import(xlsx_file(BAD))
    assert job.status == ImportJob.Status.FAILED and job.created_count == 0
    assert not Resource.objects.exists()
    problems = {(p["row"], p["column"]) for p in job.report}
    assert (3, "数据长度") in problems
    assert (4, "法律依据") in problems and (4, "共享条件") in problems
    assert (5, "更新周期") in problems
    assert (6, "资源序号") in problems
    assert all(p["message"] for p in job.report)
    assert 2 not in {p["row"] for p in job.report}  # the good row is not blamed


def test_c10_formula_cells_without_values_are_refused_with_their_cells(run_import):
    """A formula saved without its result would import as a blank: the file is refused
    and the report names each cell."""
    rows = [list(r) for r in GOOD]
    rows[0][HEADERS.index("资源名称")] = '=CONCATENATE("不动产", "登记信息")'
    job = run_import(xlsx_file(rows))
    assert job.status == ImportJob.Status.FAILED and not Resource.objects.exists()
    column = get_column_letter(HEADERS.index("资源名称") + 1)
    assert any(p["row"] == 2 and p["column"] == column and f"{column}2" in p["message"]
               for p in job.report)
    assert "没有计算结果" in job.report[0]["message"]


def test_c10_csv_in_gb18030_is_read(run_import):
    job = run_import(csv_file(GOOD, "gb18030"))
    assert job.status == ImportJob.Status.SUCCEEDED, job.report


def test_c10_inconsistent_resource_cells_are_reported(run_import):
    rows = [first("R1", "甲", "姓名"), row("R1", "身份证号码", 资源名称="乙")]
    job = run_import(csv_file(rows))
    assert job.report[0]["row"] == 3 and job.report[0]["column"] == "资源名称"


def test_c10_refuses_wrong_type_and_bad_containers(run_import, clerk, department):
    with pytest.raises(ValidationFailed):
        import_job_create(actor=clerk, department=department,
                          upload=SimpleUploadedFile("x.exe", b"MZ"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "not a workbook")
    job = run_import(SimpleUploadedFile("fake.xlsx", buffer.getvalue()))
    assert job.status == ImportJob.Status.FAILED and "XLSX" in job.report[0]["message"]


def test_c10_template_downloads_and_upload_page(web, clerk, django_capture_on_commit_callbacks):
    client = web(clerk)
    response = client.get(reverse("catalog:import_template", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == list(HEADERS)
    assert len(TEMPLATE_EXAMPLE[0]) == len(HEADERS) == len(TEMPLATE_EXAMPLE[1])
    csv_body = client.get(reverse("catalog:import_template", args=["csv"])).content.decode("utf-8-sig")
    assert csv_body.splitlines()[0].split(",")[0] == "资源序号"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalog:import"), {"file": xlsx_file(BAD)})
    job = ImportJob.objects.get()
    assert response.url == reverse("catalog:import_detail", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "未导入任何数据" in page and "更新周期" in page
    progress = client.get(response.url, {"format": "json"}).json()
    assert progress["status"] == "failed" and progress["progress"] == 100


def test_c10_template_itself_imports(run_import):
    job = run_import(csv_file(TEMPLATE_EXAMPLE))
    assert job.status == ImportJob.Status.SUCCEEDED, job.report


def test_safe_cell_escapes_formula_starts():
    assert [safe_cell(v) for v in ("=1+1", "+1", "-2", "@x", "正常", 5)] == ["'=1+1", "'+1", "'-2", "'@x", "正常", 5]


def test_c10_export_of_the_platform_view_is_formula_safe(web, clerk, department):
    make_resource(department, name="=HYPERLINK(\"http://evil\")", summary="@SUM(A1)")
    make_resource(department, name="不动产登记信息")
    response = web(clerk).get(reverse("catalog:export"), {"q": "HYPERLINK"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    name_col, summary_col = header.index("资源名称"), header.index("资源摘要")
    assert len(rows) == 1 + 3  # one row per item of the single matching entry
    assert rows[1][name_col].startswith("'=") and rows[1][summary_col].startswith("'@")


def test_c10_export_of_the_department_view_includes_drafts(web, clerk, department, other_department):
    make_resource(department, status=Resource.Status.DRAFT, name="本部门草稿")
    make_resource(other_department, name="别人的")
    response = web(clerk).get(reverse("catalog:export"), {"scope": "department"})
    names = {r[3 + HEADERS.index("资源名称")] for r in
             load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert names == {"本部门草稿"}
