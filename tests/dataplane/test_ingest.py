"""Reading and checking uploads (S9): encodings, formats, whole-file type checks and the
problem report. Engine level, no database."""

import json
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from dataplane.engine.ingest import ingest
from dataplane.engine.types import Column
from dataplane.engine.types import ColumnType as T

COLUMNS = [
    Column(1, "编号", T.INTEGER, aliases=("no",)),
    Column(2, "姓名", T.STRING, length=10),
    Column(3, "出生日期", T.DATE),
    Column(4, "金额", T.DECIMAL),
    Column(5, "在册", T.BOOLEAN),
    Column(6, "登记时间", T.DATETIME),
]
HEADER = "编号,姓名,出生日期,金额,在册,登记时间"
GOOD = [
    "1,张三,1990-01-01,1.5,是,2024-01-02 08:30:00",
    "2,李四,1985/2/3,2,否,2024-01-02T09:00:00",
]


def run(tmp_path: Path, content: bytes, fmt="csv", columns=COLUMNS, **kwargs):
    source = tmp_path / f"upload.{fmt}"
    source.write_bytes(content)
    target = tmp_path / "out.parquet"
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    report = ingest(source, fmt, columns, target, work_dir=work, **kwargs)
    rows = duckdb.sql(f"SELECT * FROM '{target}'").fetchall() if report.ok else None
    return report, rows


def csv_bytes(lines, encoding="utf-8", header=HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode(encoding)


@pytest.mark.parametrize(("encoding", "label"), [
    ("gbk", "gbk"), ("gb18030", "gbk"), ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
    ("utf-16", "utf-16"),
])
def test_csv_encodings_import_s9(tmp_path, encoding, label):
    """S9: GBK, UTF-8 with and without BOM (and UTF-16 with BOM) import correctly."""
    report, rows = run(tmp_path, csv_bytes(GOOD, encoding))
    assert report.ok, report.problems
    assert report.encoding == label
    assert [r[1] for r in rows] == ["张三", "李四"]
    assert str(rows[1][2]) == "1985-02-03"
    assert rows[0][4] is True and rows[1][4] is False


def test_declared_utf8_refuses_gbk(tmp_path):
    report, _rows = run(tmp_path, csv_bytes(GOOD, "gbk"), encoding="utf-8")
    assert not report.ok
    assert "UTF-8" in report.problems[0].message


def test_types_are_checked_on_every_row_s9(tmp_path):
    """S9: each bad value is reported with its row (header excluded), column and problem."""
    lines = [*GOOD,
             "x,王五,1990-02-30,abc,也许,2024-13-01 00:00:00",
             "4,名字太长太长太长太长太长,1990-01-01,1,是,2024-01-01"]
    report, _rows = run(tmp_path, csv_bytes(lines))
    assert not report.ok
    found = {(p.row, p.column) for p in report.problems}
    assert found == {(3, "编号"), (3, "出生日期"), (3, "金额"), (3, "在册"), (3, "登记时间"),
                     (4, "姓名")}
    assert report.problem_count == 6
    bad_date = next(p for p in report.problems if p.column == "出生日期")
    assert bad_date.value == "1990-02-30" and "日期" in bad_date.message


def test_malformed_records_are_reported_by_line(tmp_path):
    lines = [*GOOD, "3,王五,1990-01-01,1,是,2024-01-01,多余", '4,"未闭合,1990-01-01,1,是,2024-01-01']
    report, _rows = run(tmp_path, csv_bytes(lines))
    assert not report.ok
    assert [(p.row, p.message) for p in report.problems] == [
        (3, "列数多于表头"), (4, "引号不成对（值中含有未闭合的双引号）")]


def test_headers_match_names_or_field_ids_in_any_order(tmp_path):
    header = "登记时间,在册,金额,出生日期,姓名,NO,备注"
    lines = ["2024-01-02 08:30:00,是,1.5,1990-01-01,张三,1,随便"]
    report, rows = run(tmp_path, csv_bytes(lines, header=header))
    assert report.ok
    assert rows == [(1, "张三", rows[0][2], 1.5, True, rows[0][5])]
    assert "备注" in report.warnings[0]


def test_missing_column_is_named(tmp_path):
    report, _rows = run(tmp_path, csv_bytes(["1,张三"], header="编号,姓名"))
    assert not report.ok
    assert {p.column for p in report.problems} == {"出生日期", "金额", "在册", "登记时间"}
    assert "缺少信息项“出生日期”" in report.problems[0].message


def test_semicolon_and_tab_delimiters(tmp_path):
    for delimiter in (";", "\t"):
        lines = [line.replace(",", delimiter) for line in GOOD]
        report, rows = run(tmp_path, csv_bytes(lines, header=HEADER.replace(",", delimiter)))
        assert report.ok and len(rows) == 2


def test_blank_rows_are_skipped_but_counted(tmp_path):
    lines = [GOOD[0], ",,,,,", GOOD[1].replace("2,", "x,", 1)]
    report, _rows = run(tmp_path, csv_bytes(lines))
    assert [(p.row, p.column) for p in report.problems] == [(3, "编号")]


def test_empty_file(tmp_path):
    report, _rows = run(tmp_path, csv_bytes([]))
    assert not report.ok and "没有数据行" in report.problems[0].message
    report, _rows = run(tmp_path, b"")
    assert not report.ok


def test_json_array_and_lines(tmp_path):
    records = [{"编号": 1, "姓名": "张三", "出生日期": "1990-01-01", "金额": 1.5, "在册": True,
                "登记时间": "2024-01-02 08:30:00"},
               {"no": 2, "姓名": "李四", "出生日期": "1985-02-03", "金额": "2", "在册": "否",
                "登记时间": None}]
    report, rows = run(tmp_path, json.dumps(records[:1], ensure_ascii=False).encode("utf-8-sig"),
                       fmt="json")
    assert report.ok, report.problems
    assert rows[0][1] == "张三"
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
    report, _rows = run(tmp_path, lines, fmt="json")
    assert not report.ok  # "no" and "编号" both map to the same item
    bad = "\n".join(json.dumps({**records[0], "金额": "很多"}, ensure_ascii=False)
                    for _ in range(3)).encode()
    report, _rows = run(tmp_path, bad, fmt="json")
    assert [(p.row, p.column) for p in report.problems] == [(1, "金额"), (2, "金额"), (3, "金额")]
    broken = (json.dumps(records[0], ensure_ascii=False) + "\n" + '{"编号": 2, "姓名": ').encode()
    report, _rows = run(tmp_path, broken, fmt="json")
    assert not report.ok and report.problems[0].row is None
    assert "JSON" in report.problems[0].message or "无法解析" in report.problems[0].message


def xlsx(path: Path, rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path.read_bytes()


def test_xlsx_import_with_real_cell_types(tmp_path):
    from datetime import date, datetime

    content = xlsx(tmp_path / "in.xlsx", [
        HEADER.split(","),
        [1, "张三", date(1990, 1, 1), 1.5, True, datetime(2024, 1, 2, 8, 30)],
        [2.0, "李四", "1985-02-03", 2, "否", "2024-01-02 09:00:00", None],
    ])
    report, rows = run(tmp_path, content, fmt="xlsx")
    assert report.ok, report.problems
    assert rows[1][0] == 2 and rows[0][5].hour == 8


def test_xlsx_formula_without_a_computed_value_is_refused_with_row_and_column_s9(tmp_path):
    """openpyxl (like many export tools) writes formulas without their results; read as
    values they would be blanks. The upload is refused, naming each cell."""
    content = xlsx(tmp_path / "in.xlsx", [
        HEADER.split(","),
        [1, "张三", "1990-01-01", 1.5, "是", "2024-01-02 08:30"],
        [2, "李四", "1985-02-03", "=D2*2", "否", "2024-01-02 09:00"],
        [3, "王五", "1985-02-03", "=SUM(D2:D3)", "否", "2024-01-02 09:00"],
    ])
    report, _rows = run(tmp_path, content, fmt="xlsx")
    assert not report.ok
    assert "2 个公式单元格没有计算结果" in report.problems[0].message
    assert [(p.row, p.column) for p in report.problems[1:]] == [(2, "金额"), (3, "金额")]
    assert "D3" in report.problems[1].message


def test_xlsx_formula_with_its_cached_value_is_read(tmp_path):
    source = tmp_path / "cached.xlsx"
    xlsx(source, [HEADER.split(","), [1, "张三", "1990-01-01", "=1+1", "是", "2024-01-02"]])
    # Give the formula the cached result Excel would have saved beside it.
    with zipfile.ZipFile(source) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")
    with zipfile.ZipFile(source, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    report, rows = run(tmp_path, source.read_bytes(), fmt="xlsx")
    assert report.ok, report.problems
    assert float(rows[0][3]) == 2


def test_xlsx_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    from dataplane.engine.duck import EngineConfig

    report, _rows = run(tmp_path, path.read_bytes(), fmt="xlsx",
                        config=EngineConfig(xlsx_max_uncompressed=1_000_000))
    assert not report.ok and "解压后过大" in report.problems[0].message
    report, _rows = run(tmp_path, b"not a zip", fmt="xlsx")
    assert not report.ok and "XLSX" in report.problems[0].message


def test_problem_list_is_capped_but_counted(tmp_path):
    from dataplane.engine.duck import EngineConfig

    lines = [f"{i},张三,bad,1,是,2024-01-01" for i in range(1, 501)]
    report, _rows = run(tmp_path, csv_bytes(lines), config=EngineConfig(max_problems=50))
    assert report.problem_count == 500
    assert len(report.problems) == 50
    assert report.summary == ["“出生日期”共有 500 个值应为日期（如 2024-01-31）。"]
