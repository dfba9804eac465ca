"""The desensitization engine (S9 item 4, O3): every rule kind as SQL, keyed hashing,
parameter validation and the before/after preview. Pure: no database."""

import hashlib
import hmac
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dataplane.masking import (
    MaskedColumn,
    MaskKind,
    MaskRule,
    RuleError,
    mask_sql,
    preview_parquet,
    preview_rows,
    rule_errors,
)

SECRET = b"test-secret"


def masked(rule: MaskRule, value):
    con = duckdb.connect()
    return con.sql(f"SELECT {mask_sql(rule, 'v', secret=SECRET)} FROM (SELECT $1 AS v)",
                   params=[value]).fetchall()[0][0]


@pytest.mark.parametrize(("kind", "params", "value", "expected"), [
    (MaskKind.ID_NUMBER, {}, "460100199001011234", "460100********1234"),
    (MaskKind.ID_NUMBER, {}, "12345", "*****"),                    # short values hide fully
    (MaskKind.MOBILE, {}, "13812345678", "138****5678"),
    (MaskKind.NAME, {}, "张三丰", "张**"),
    (MaskKind.NAME, {}, "李", "*"),
    (MaskKind.ADDRESS, {}, "海南省海口市美兰区人民大道58号", "海南省海口市****"),
    (MaskKind.ADDRESS, {"keep_head": 3}, "海南省海口市美兰区", "海南省****"),
    (MaskKind.BANK_CARD, {}, "6222021234567890123", "***************0123"),
    (MaskKind.BANK_CARD, {"keep_head": 6, "keep_tail": 4}, "6222021234567890123",
     "622202*********0123"),
    (MaskKind.DATE_GENERALIZE, {"granularity": "year"}, "1990-05-06", "1990"),
    (MaskKind.DATE_GENERALIZE, {}, "1990-05-06", "1990-05"),
    (MaskKind.NUMBER_GENERALIZE, {"step": 1000}, "12345", "12000~13000"),
    (MaskKind.NUMBER_GENERALIZE, {"step": "0.5"}, "1.3", "1.0~1.5"),
    (MaskKind.SUPPRESS, {}, "秘密", None),
])
def test_rule_kinds_o3(kind, params, value, expected):
    """O3: each rule kind masks as specified."""
    assert masked(MaskRule(kind, params), value) == expected


@pytest.mark.parametrize("kind", list(MaskKind))
def test_null_stays_null(kind):
    assert masked(MaskRule(kind), None) is None


def test_keyed_hash_is_hmac_sha256_o3():
    """O3 hashing: HMAC-SHA256 with the configured secret — stable, not guessable without it."""
    rule = MaskRule(MaskKind.HASH)
    expected = hmac.new(SECRET, b"460100199001011234", hashlib.sha256).hexdigest()
    assert masked(rule, "460100199001011234") == expected
    assert masked(MaskRule(MaskKind.HASH, {"length": 16}), "张三") == hmac.new(
        SECRET, "张三".encode(), hashlib.sha256).hexdigest()[:16]
    other = duckdb.connect().sql(
        f"SELECT {mask_sql(rule, 'v', secret=b'other')} FROM (SELECT 'x' AS v)").fetchall()[0][0]
    assert other != masked(rule, "x")


def test_long_secret_is_hashed_first_per_rfc2104():
    secret = b"k" * 100
    sql = mask_sql(MaskRule(MaskKind.HASH), "v", secret=secret)
    value = duckdb.connect().sql(f"SELECT {sql} FROM (SELECT 'abc' AS v)").fetchall()[0][0]
    assert value == hmac.new(secret, b"abc", hashlib.sha256).hexdigest()


@pytest.mark.parametrize(("rule", "fragment"), [
    (MaskRule(MaskKind.NUMBER_GENERALIZE, {"step": "-1"}), "step"),
    (MaskRule(MaskKind.NUMBER_GENERALIZE, {"step": "abc"}), "step"),
    (MaskRule(MaskKind.HASH, {"length": 3}), "length"),
    (MaskRule(MaskKind.DATE_GENERALIZE, {"granularity": "day"}), "granularity"),
    (MaskRule(MaskKind.ID_NUMBER, {"keep_head": "x"}), "keep_head"),
    (MaskRule(MaskKind.MOBILE, {"keep_tail": 99}), "keep_tail"),
])
def test_invalid_parameters_are_named(rule, fragment):
    errors = rule_errors(rule)
    assert errors and fragment in errors[0]
    with pytest.raises(RuleError):
        mask_sql(rule, "v", secret=SECRET)


def test_valid_rules_have_no_errors():
    assert all(rule_errors(MaskRule(kind)) == [] for kind in MaskKind)


def test_preview_rows_before_and_after_o3():
    """O3: the reviewer sees a before/after sample."""
    columns = [MaskedColumn("id", "身份证号码", MaskRule(MaskKind.ID_NUMBER)),
               MaskedColumn("birth", "出生日期", MaskRule(MaskKind.DATE_GENERALIZE,
                                                      {"granularity": "year"}))]
    rows = [{"id": "460100199001011234", "birth": date(1990, 1, 1)},
            {"id": "460100198502023456", "birth": "1985-02-02"}]  # mixed types are tolerated
    preview = preview_rows(rows, columns, secret=SECRET)
    assert preview[0]["before"]["身份证号码"] == "460100199001011234"
    assert preview[0]["after"] == {"身份证号码": "460100********1234", "出生日期": "1990"}
    assert preview[1]["after"]["出生日期"] == "1985"
    assert preview_rows([], columns, secret=SECRET) == []


def test_preview_parquet_limits_rows(tmp_path: Path):
    path = tmp_path / "sample.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT '1380000' || lpad(i::VARCHAR, 4, '0') AS phone FROM range(50) t(i)) "
        f"TO '{path}' (FORMAT parquet)")
    preview = preview_parquet(duckdb.connect(), str(path), [MaskedColumn("phone", "手机", MaskRule(MaskKind.MOBILE))],
                              secret=SECRET, limit=5)
    assert len(preview) == 5
    assert preview[1]["before"]["手机"] == "13800000001"
    assert preview[1]["after"]["手机"] == "138****0001"


# One definition, two compilations: the rule table's SQL (Parquet path) and its Python
# function (the gateway's JSON records) give the same result for every value.
SAME_VALUES = [
    None, "", "4", "460100199001011234", "12345", "13812345678", "张三丰", "李", "O'Brien",
    "海南省海口市美兰区人民大道58号", "海南", "6222021234567890123", "1990-05-06", "1990/5/6",
    "1990-05-06 12:30", "1990-05-06T12:30:15.123", "1990-05-06 12:30:15+08:00",
    "1990-05-06 12:30:15 UTC", "0990-01-31", "19900506", "1990-13-01", "1990-02-30",
    " 1990-05-06", "\t1990-05-06", "1990-05-06 ", "1990-05-06  12:00:00 ", "12345", " 12 ", "1_000", "1e3", "-7.25", ".5", "inf", "nan", "-infinity", "１２",
    "12abc", 0, 7, -3, 12345, 2**40, 0.5, 1.3, -0.75, 52000.5, 1e16, 1e-7, 1e15, True, False,
    date(1990, 5, 6),
]
SAME_RULES = [
    MaskRule(MaskKind.ID_NUMBER), MaskRule(MaskKind.MOBILE), MaskRule(MaskKind.NAME),
    MaskRule(MaskKind.BANK_CARD, {"keep_head": 6, "keep_tail": 4}),
    MaskRule(MaskKind.ADDRESS), MaskRule(MaskKind.ADDRESS, {"keep_head": 2}),
    MaskRule(MaskKind.DATE_GENERALIZE), MaskRule(MaskKind.DATE_GENERALIZE,
                                                 {"granularity": "year"}),
    MaskRule(MaskKind.NUMBER_GENERALIZE, {"step": 1000}),
    MaskRule(MaskKind.NUMBER_GENERALIZE, {"step": "0.5"}),
    MaskRule(MaskKind.NUMBER_GENERALIZE, {"step": "2.25"}),
    MaskRule(MaskKind.HASH), MaskRule(MaskKind.HASH, {"length": 24}),
    MaskRule(MaskKind.SUPPRESS),
]


@pytest.mark.parametrize("rule", SAME_RULES, ids=lambda r: f"{r.kind}{r.params or ''}")
def test_one_rule_definition_same_result_in_sql_and_python_o3(rule):
    """O3 / S9 item 4: each rule is written once and compiles to DuckDB SQL and to Python;
    both give the same result for the same values (text, numbers, dates, NULL)."""
    from dataplane.masking import mask_function

    con = duckdb.connect()
    python = mask_function(rule, secret=SECRET)
    sql = mask_sql(rule, "v", secret=SECRET)
    for value in SAME_VALUES:
        if isinstance(value, (int, float, date)) and rule.kind is MaskKind.DATE_GENERALIZE \
                and not isinstance(value, date):
            continue  # DuckDB has no cast of a number to TIMESTAMP (a binder error)
        expected = con.execute(f"SELECT {sql} FROM (SELECT $1 AS v)", [value]).fetchone()[0]
        assert python(value) == expected, (rule, value)


def test_records_masker_projects_and_masks_records_o3():
    from dataplane.masking import records_masker

    columns = [MaskedColumn("xm", "姓名"), MaskedColumn("sfzh", "身份证号码",
                                                        MaskRule(MaskKind.ID_NUMBER))]
    run = records_masker(columns, secret=SECRET)
    rows = [{"sfzh": "460100199001011234", "xm": "张三", "extra": "不外传"}, {"xm": "李四"}]
    assert run(rows) == [{"姓名": "张三", "身份证号码": "460100********1234"},
                         {"姓名": "李四", "身份证号码": None}]
    assert [list(r) for r in run(rows)] == [["姓名", "身份证号码"]] * 2

