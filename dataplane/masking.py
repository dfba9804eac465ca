"""The desensitization engine (脱敏, S9 item 4, O3): a masking rule per data item.

A pure module — no Django models — so the shared-data plane, the open-data app and the
interface gateway use the same rules. Each kind of :class:`MaskRule` is written once, as
an expression of ``dataplane.maskexpr`` (``_expression``, the rule table), which compiles
to a DuckDB SQL expression over one input column (:func:`mask_sql`) — the query layer
puts it in its select list, so masking runs vectorised inside the engine on the way out
and the raw value never reaches Python — and to a Python function (:func:`mask_function`,
:func:`records_masker`) for records that are already in Python (the gateway's JSON
answers), with the same results.
:func:`preview_rows` and :func:`preview_parquet` give before/after pairs for a sample, for
the provider's masking page and the open-data reviewer.

Keyed hashing is HMAC-SHA256 (in SQL written out after RFC 2104 over DuckDB's ``sha256``), so a
hashed column is a stable pseudonym: the same value hashes the same way in every download
made with the same secret, and nobody without the secret can confirm a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

import duckdb
import pyarrow as pa

from portal.params import ParameterInvalid, int_value

from . import maskexpr as X


class MaskKind(StrEnum):
    ID_NUMBER = "id_number"
    MOBILE = "mobile"
    NAME = "name"
    ADDRESS = "address"
    BANK_CARD = "bank_card"
    DATE_GENERALIZE = "date_generalize"
    NUMBER_GENERALIZE = "number_generalize"
    HASH = "hash"
    SUPPRESS = "suppress"


# Characters kept at the start / end of partially masked values, by kind (overridable
# with the ``keep_head`` / ``keep_tail`` parameters).
PARTIAL_DEFAULTS: dict[MaskKind, tuple[int, int]] = {
    MaskKind.ID_NUMBER: (6, 4),   # 460100********1234: region code and check digits stay
    MaskKind.MOBILE: (3, 4),      # 138****5678
    MaskKind.NAME: (1, 0),        # 张**
    MaskKind.BANK_CARD: (0, 4),   # ************1234
}
ADDRESS_DEFAULT_KEEP = 6          # 海南省海口市****
DATE_GRANULARITIES = {"year": "%Y", "month": "%Y-%m"}
HASH_LENGTHS = range(16, 65)
MASK_CHAR = "*"


@dataclass(frozen=True)
class MaskRule:
    """One rule: its kind and the kind's parameters (see :func:`rule_errors`)."""

    kind: MaskKind
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", MaskKind(self.kind))
        object.__setattr__(self, "params", dict(self.params or {}))


class RuleError(ValueError):
    """A rule's parameters are invalid; ``messages`` are in Chinese, for the user."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


# --- SQL helpers -----------------------------------------------------------------------

def quote_ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _int_param(params: Mapping[str, Any], name: str, default: int, errors: list[str],
               *, low: int = 0, high: int = 64) -> int:
    try:
        return int_value(params.get(name, default), name=name, low=low, high=high)
    except ParameterInvalid as exc:
        errors.append(str(exc))
        return default


def _step_param(params: Mapping[str, Any], errors: list[str]) -> Decimal:
    raw = params.get("step", 10)
    try:
        step = Decimal(str(raw))
    except InvalidOperation:
        errors.append("参数“step”（区间宽度）应为正数。")
        return Decimal(10)
    if not step.is_finite() or step <= 0:
        errors.append("参数“step”（区间宽度）应为正数。")
        return Decimal(10)
    return step


def rule_errors(rule: MaskRule) -> list[str]:
    """What is wrong with the rule's parameters, in Chinese; empty when valid."""
    errors: list[str] = []
    _expression(rule, secret=b"validation", errors=errors)
    return errors


def _checked(rule: MaskRule, secret: bytes) -> X.Node:
    errors: list[str] = []
    expression = _expression(rule, secret=secret, errors=errors)
    if errors:
        raise RuleError(errors)
    return expression


def mask_sql(rule: MaskRule, column_sql: str, *, secret: bytes) -> str:
    """The DuckDB expression that masks ``column_sql`` by ``rule`` (NULL stays NULL).

    Raises :class:`RuleError` when the rule's parameters are invalid.
    """
    return _checked(rule, secret).sql(column_sql)


def mask_function(rule: MaskRule, *, secret: bytes) -> Callable[[Any], Any]:
    """The same rule as a Python function of one value (``None`` stays ``None``): what
    :func:`mask_sql` computes, for values already in Python (compiled from the same
    expression, see ``dataplane.maskexpr``). Raises :class:`RuleError` like it."""
    return _checked(rule, secret).fn()


def _partial(text: X.Node, head: int, tail: int) -> X.Node:
    """Keep ``head`` leading and ``tail`` trailing characters; mask the rest.

    Values no longer than head + tail are masked entirely, so short values never leak.
    (``overlay`` measured ~40% faster in DuckDB than concatenating ``left``/``right``.)
    """
    kept = X.Lit(head + tail)
    hidden = X.Sub(X.Length(text), kept)
    return X.Case(X.Gt(X.Length(text), kept),
                  X.Overlay(text, X.Repeat(X.Lit(MASK_CHAR), hidden), X.Lit(head + 1), hidden),
                  X.Repeat(X.Lit(MASK_CHAR), X.Length(text)))


def _decimal_places(step: Decimal) -> int:
    exponent = step.normalize().as_tuple().exponent
    return max(0, -int(exponent))


def _expression(rule: MaskRule, *, secret: bytes, errors: list[str]) -> X.Node:
    """The rule table: each kind's expression over the input value, written once."""
    params = rule.params
    value = X.Input()
    text = X.Text(value)
    kind = rule.kind
    if kind in PARTIAL_DEFAULTS:
        head_default, tail_default = PARTIAL_DEFAULTS[kind]
        head = _int_param(params, "keep_head", head_default, errors)
        tail = _int_param(params, "keep_tail", tail_default, errors)
        return _partial(text, head, tail)
    if kind is MaskKind.ADDRESS:
        keep = _int_param(params, "keep_head", ADDRESS_DEFAULT_KEEP, errors)
        # A fixed-length mask, so the length says nothing; short values keep at most half.
        shown = X.Least(X.Lit(keep), X.IntDiv(X.Length(text), X.Lit(2)))
        return X.Concat(X.Left(text, shown), X.Lit(MASK_CHAR * 4))
    if kind is MaskKind.DATE_GENERALIZE:
        granularity = params.get("granularity", "month")
        if granularity not in DATE_GRANULARITIES:
            errors.append("参数“granularity”应为 year（年）或 month（年月）。")
            granularity = "month"
        stamp = X.Timestamp(value)  # DuckDB reads "infinity" as a timestamp: not a date
        return X.Case(X.IsFinite(stamp), X.Strftime(stamp, DATE_GRANULARITIES[granularity]),
                      X.Null())
    if kind is MaskKind.NUMBER_GENERALIZE:
        step = _step_param(params, errors)
        places = _decimal_places(step)
        number, width = X.Double(value), X.Lit(float(step))
        low = X.Mul(X.Floor(X.Div(number, width)), width)
        high = X.Add(low, width)
        if places == 0:
            band = X.Concat(X.Concat(X.BigintText(low), X.Lit("~")), X.BigintText(high))
        else:
            band = X.Printf(f"%.{places}f~%.{places}f", low, high)
        return X.Case(X.IsFinite(number), band, X.Null())
    if kind is MaskKind.HASH:
        length = _int_param(params, "length", 64, errors, low=HASH_LENGTHS.start,
                            high=HASH_LENGTHS.stop - 1)
        if not secret:
            errors.append("未配置脱敏密钥，不能使用加密哈希规则。")
        return X.HmacHex(text, secret, length)
    if kind is MaskKind.SUPPRESS:
        return X.Null()
    errors.append(f"未知的脱敏规则“{kind}”。")  # pragma: no cover - MaskKind is closed
    return X.Null()


# --- select lists and previews ---------------------------------------------------------

@dataclass(frozen=True)
class MaskedColumn:
    """An output column: the source column, the name it leaves under, its rule if any."""

    source: str
    name: str
    rule: MaskRule | None = None


def column_sql(column: MaskedColumn, *, secret: bytes) -> str:
    """The column's value expression (masked when it has a rule), without alias."""
    source = quote_ident(column.source)
    return mask_sql(column.rule, source, secret=secret) if column.rule else source


def select_list(columns: Sequence[MaskedColumn], *, secret: bytes) -> str:
    return ", ".join(f"{column_sql(c, secret=secret)} AS {quote_ident(c.name)}" for c in columns)


def _preview(con: duckdb.DuckDBPyConnection, relation: str, columns: Sequence[MaskedColumn],
             *, secret: bytes, limit: int, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    before = ", ".join(f"{quote_ident(c.source)} AS {quote_ident(f'b{i}')}"
                       for i, c in enumerate(columns))
    after = ", ".join(f"{column_sql(c, secret=secret)} AS {quote_ident(f'a{i}')}"
                      for i, c in enumerate(columns))
    sql = f"SELECT {before}, {after} FROM {relation} LIMIT {int(limit)}"
    rows = con.sql(sql, params=list(params) or None).fetchall()
    width = len(columns)
    return [
        {
            "before": {c.name: row[i] for i, c in enumerate(columns)},
            "after": {c.name: row[width + i] for i, c in enumerate(columns)},
        }
        for row in rows
    ]


def _arrow_column(values: list[Any]) -> pa.Array:
    """Typed when the sample's values agree on a type, else as text."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def preview_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[MaskedColumn], *,
                 secret: bytes, limit: int = 20) -> list[dict[str, Any]]:
    """Before/after pairs for in-memory sample rows (keys are the columns' sources)."""
    if not rows:
        return []
    table = pa.table({c.source: _arrow_column([row.get(c.source) for row in rows])
                      for c in columns})
    con = duckdb.connect()
    try:
        con.register("sample_rows", table)
        return _preview(con, "sample_rows", columns, secret=secret, limit=limit)
    finally:
        con.close()


def preview_parquet(con: duckdb.DuckDBPyConnection, path: str, columns: Sequence[MaskedColumn],
                    *, secret: bytes, limit: int = 20) -> list[dict[str, Any]]:
    """Before/after pairs for the first ``limit`` rows of a Parquet file, on ``con``."""
    return _preview(con, "read_parquet($1)", columns, secret=secret, limit=limit,
                    params=[str(path)])


# --- records from elsewhere (the gateway's JSON answers) -------------------------------

def records_masker(columns: Sequence[MaskedColumn], *,
                   secret: bytes) -> Callable[[Iterable[Mapping[str, Any]]], list[dict]]:
    """A function projecting records (keyed by the columns' sources) to the columns (keyed
    by their names), masked by the same rules as the data plane's queries — each rule's
    one expression compiled to Python (:func:`mask_function`). Compile once, apply to
    every batch."""
    compiled = [(c.source, c.name, mask_function(c.rule, secret=secret) if c.rule else None)
                for c in columns]

    def run(rows: Iterable[Mapping[str, Any]]) -> list[dict]:
        return [{name: fn(row.get(source)) if fn else row.get(source)
                 for source, name, fn in compiled} for row in rows]
    return run


def mask_records(rows: Sequence[Mapping[str, Any]], columns: Sequence[MaskedColumn], *,
                 secret: bytes) -> list[dict[str, Any]]:
    """:func:`records_masker` applied once."""
    return records_masker(columns, secret=secret)(rows)
