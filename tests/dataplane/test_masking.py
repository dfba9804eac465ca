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
