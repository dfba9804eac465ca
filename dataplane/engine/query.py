"""SQL for online query and download over one Parquet file (S9).

The projection is exactly the columns the caller passes — the granted items — each
masked by its rule where masking is required, so nothing else can leave. Filters
compare against what the caller sees (the masked value for a masked column): a consumer
cannot probe raw values it is not allowed to read. Values are bound as parameters.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dataplane.masking import MaskedColumn, MaskRule, column_sql, quote_ident, quote_literal

from .types import EXPECTED, TEXT_TYPES, ColumnType

MAX_IN_VALUES = 100
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"
    IN = "in"
    CONTAINS = "contains"
    STARTSWITH = "startswith"
    ISNULL = "isnull"


COMPARISONS = {Op.EQ: "=", Op.NE: "<>", Op.LT: "<", Op.LTE: "<=", Op.GT: ">", Op.GTE: ">="}
OP_LABELS = {
    Op.EQ: "等于", Op.NE: "不等于", Op.LT: "小于", Op.LTE: "小于等于", Op.GT: "大于",
    Op.GTE: "大于等于", Op.IN: "属于（逗号分隔）", Op.CONTAINS: "包含", Op.STARTSWITH: "开头是",
    Op.ISNULL: "为空（true/false）",
}


class FilterError(ValueError):
    """A filter value does not fit its column; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class OutColumn:
    """A column that may leave: the name it leaves under, its type, its masking rule, and
    its Parquet column when that differs from the name (an item renamed since upload)."""

    name: str
    type: ColumnType
    rule: MaskRule | None = None
    source: str = ""

    @property
    def output_type(self) -> ColumnType:
        return ColumnType.STRING if self.rule else self.type

    def expression(self, *, secret: bytes) -> str:
        return column_sql(MaskedColumn(source=self.source or self.name, name=self.name,
                                       rule=self.rule), secret=secret)


@dataclass(frozen=True)
class Filter:
    column: OutColumn
    op: Op
    value: Any


def _parse_scalar(column_type: ColumnType, raw: str, name: str) -> Any:
    text = raw.strip()
    try:
        if column_type is ColumnType.INTEGER:
            return int(text)
        if column_type is ColumnType.DECIMAL:
            return float(text)
        if column_type is ColumnType.DATE:
            return dt.date.fromisoformat(text)
        if column_type is ColumnType.DATETIME:
            return dt.datetime.fromisoformat(text)
        if column_type is ColumnType.BOOLEAN:
            lowered = text.lower()
            if lowered in ("true", "1", "是", "yes"):
                return True
            if lowered in ("false", "0", "否", "no"):
                return False
            raise ValueError(text)
    except ValueError:
        raise FilterError(f"查询条件“{name}”的值“{raw}”不正确：{EXPECTED[column_type]}。") from None
    return raw


def parse_filter(column: OutColumn, op: Op, raw: str) -> Filter:
    """The filter ``column op raw`` with ``raw`` parsed for the column's output type."""
    if op is Op.ISNULL:
        return Filter(column, op, _parse_scalar(ColumnType.BOOLEAN, raw, column.name))
    if op in (Op.CONTAINS, Op.STARTSWITH):
        if not raw:
            raise FilterError(f"查询条件“{column.name}”的值不能为空。")
        return Filter(column, op, raw)
    if op is Op.IN:
        values = [v for v in raw.split(",") if v.strip()]
        if not values or len(values) > MAX_IN_VALUES:
            raise FilterError(f"查询条件“{column.name}”应给出 1 到 {MAX_IN_VALUES} 个逗号分隔的值。")
        return Filter(column, op, [_parse_scalar(column.output_type, v, column.name) for v in values])
    return Filter(column, op, _parse_scalar(column.output_type, raw, column.name))


def _where(filters: Sequence[Filter], *, secret: bytes, search: str = "",
           search_columns: Sequence[OutColumn] = ()) -> tuple[str, list[Any]]:
    """``WHERE`` for ``filters`` (all must hold) and ``search`` (in any of
    ``search_columns``; none to search in matches nothing)."""
    clauses, params = [], []
    for f in filters:
        expr = f.column.expression(secret=secret)
        if f.op is Op.ISNULL:
            clauses.append(f"({expr}) IS {'' if f.value else 'NOT '}NULL")
        elif f.op is Op.IN:
            clauses.append(f"({expr}) IN ({', '.join('?' for _ in f.value)})")
            params.extend(f.value)
        elif f.op is Op.CONTAINS:
            clauses.append(f"contains(CAST({expr} AS VARCHAR), ?)")
            params.append(f.value)
        elif f.op is Op.STARTSWITH:
            clauses.append(f"starts_with(CAST({expr} AS VARCHAR), ?)")
            params.append(f.value)
        else:
            clauses.append(f"({expr}) {COMPARISONS[f.op]} ?")
            params.append(f.value)
    if search:
        hits = [f"contains(CAST({c.expression(secret=secret)} AS VARCHAR), ?)"
                for c in search_columns]
        clauses.append(f"({' OR '.join(hits)})" if hits else "false")
        params.extend([search] * len(hits))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _escaped(expr: str) -> str:
    """Prefix a quote to text starting with a formula character (CSV/XLSX injection)."""
    prefixes = ", ".join(f"chr({ord(c)})" for c in FORMULA_PREFIXES)
    return f"CASE WHEN left({expr}, 1) IN ({prefixes}) THEN '''' || {expr} ELSE {expr} END"


@dataclass(frozen=True)
class Sort:
    column: OutColumn
    descending: bool = False


@dataclass(frozen=True)
class Query:
    """One read of a Parquet file: the columns that leave, filters, a text search over
    the text columns that leave, and an order. Every clause compares what the caller
    sees (masked values), and every value is a bound parameter."""

    path: str
    columns: Sequence[OutColumn]
    filters: Sequence[Filter] = ()
    secret: bytes = b""
    search: str = ""
    order: Sequence[Sort] = ()

    @property
    def relation(self) -> str:
        return f"read_parquet({quote_literal(self.path)})"

    def _value(self, column: OutColumn, *, for_files: bool, xml_safe: bool = False) -> str:
        expr = column.expression(secret=self.secret)
        if not for_files:
            return expr
        if column.output_type is ColumnType.DATETIME:
            return f"strftime({expr}, '%Y-%m-%d %H:%M:%S')"
        if column.output_type in TEXT_TYPES:
            if xml_safe:  # control characters are not allowed in XLSX cells
                expr = f"regexp_replace({expr}, '[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]', '', 'g')"
            return _escaped(expr)
        return expr

    def _condition(self) -> tuple[str, list[Any]]:
        return _where(self.filters, secret=self.secret, search=self.search,
                      search_columns=[c for c in self.columns if c.output_type in TEXT_TYPES])

    def _order_by(self) -> str:
        if not self.order:
            return ""
        return " ORDER BY " + ", ".join(
            f"{s.column.expression(secret=self.secret)} {'DESC' if s.descending else 'ASC'} "
            "NULLS LAST" for s in self.order)

    def rows_sql(self, *, limit: int | None = None, offset: int = 0, for_files: bool = False,
                 xml_safe: bool = False) -> tuple[str, list[Any]]:
        """Rows in ``order`` (else file order); ``for_files`` formats for CSV/XLSX and
        escapes formulas."""
        select = ", ".join(
            f"{self._value(c, for_files=for_files, xml_safe=xml_safe)} AS {quote_ident(c.name)}"
            for c in self.columns)
        where, params = self._condition()
        sql = f"SELECT {select} FROM {self.relation}{where}{self._order_by()}"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return sql, params

    def json_lines_sql(self) -> tuple[str, list[Any]]:
        """One JSON object per row, newline-terminated, built inside the engine."""
        pairs = ", ".join(f"{quote_literal(c.name)}, {self._value(c, for_files=False)}"
                          for c in self.columns)
        where, params = self._condition()
        return (f"SELECT json_object({pairs}) || chr(10) AS line FROM {self.relation}{where}"
                f"{self._order_by()}", params)

    def copy_parquet_sql(self, target: str) -> tuple[str, list[Any]]:
        """Write the rows (as :meth:`rows_sql`) to a new Parquet file at ``target``."""
        sql, params = self.rows_sql()
        return (f"COPY ({sql}) TO {quote_literal(target)} (FORMAT parquet, COMPRESSION zstd)",
                params)

    def count_sql(self) -> tuple[str, list[Any]]:
        where, params = self._condition()
        return f"SELECT count(*) FROM {self.relation}{where}", params
