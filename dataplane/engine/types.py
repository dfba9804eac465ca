"""Column types of the engine and how text is checked and cast to each (S9)."""

from dataclasses import dataclass
from enum import StrEnum


class ColumnType(StrEnum):
    """The declared type of a data item (the catalog's ``DataType`` values)."""

    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    BINARY = "binary"


TEXT_TYPES = frozenset({ColumnType.STRING, ColumnType.TEXT, ColumnType.BINARY})

STORAGE_TYPE: dict[ColumnType, str] = {
    ColumnType.STRING: "VARCHAR",
    ColumnType.TEXT: "VARCHAR",
    ColumnType.BINARY: "VARCHAR",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.DECIMAL: "DOUBLE",
    ColumnType.DATE: "DATE",
    ColumnType.DATETIME: "TIMESTAMP",
    ColumnType.BOOLEAN: "BOOLEAN",
}

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y.%m.%d")
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y%m%d%H%M%S", *DATE_FORMATS,
)
TRUE_WORDS = ("true", "t", "1", "y", "yes", "是")
FALSE_WORDS = ("false", "f", "0", "n", "no", "否")

# What the clerk is told for a value that does not parse, per type.
EXPECTED: dict[ColumnType, str] = {
    ColumnType.INTEGER: "应为整数",
    ColumnType.DECIMAL: "应为数值",
    ColumnType.DATE: "应为日期（如 2024-01-31）",
    ColumnType.DATETIME: "应为日期时间（如 2024-01-31 08:30:00）",
    ColumnType.BOOLEAN: "应为 是/否（或 true/false、1/0）",
}


def _formats(formats: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + f + "'" for f in formats) + "]"


def cast_sql(column_type: ColumnType, text: str) -> str:
    """The typed value of ``text`` (a VARCHAR expression, already NULL for blanks);
    NULL where it does not parse (see :func:`invalid_sql` for the full check)."""
    trimmed = f"trim({text})"
    if column_type in TEXT_TYPES:
        return text
    if column_type is ColumnType.INTEGER:
        return f"TRY_CAST({trimmed} AS BIGINT)"
    if column_type is ColumnType.DECIMAL:
        return f"TRY_CAST({trimmed} AS DOUBLE)"
    # ISO text casts fast; the format list is tried only where the cast fails.
    if column_type is ColumnType.DATE:
        return (f"coalesce(TRY_CAST({trimmed} AS DATE), "
                f"CAST(try_strptime({trimmed}, {_formats(DATE_FORMATS)}) AS DATE))")
    if column_type is ColumnType.DATETIME:
        return (f"coalesce(TRY_CAST({trimmed} AS TIMESTAMP), "
                f"try_strptime({trimmed}, {_formats(DATETIME_FORMATS)}))")
    if column_type is ColumnType.BOOLEAN:
        words = lambda ws: ", ".join("'" + w + "'" for w in ws)  # noqa: E731
        return (f"CASE WHEN lower({trimmed}) IN ({words(TRUE_WORDS)}) THEN true "
                f"WHEN lower({trimmed}) IN ({words(FALSE_WORDS)}) THEN false END")
    raise ValueError(column_type)


def invalid_sql(column_type: ColumnType, text: str) -> str:
    """True where ``text`` holds a value that is not a valid ``column_type``."""
    value = cast_sql(column_type, text)
    if column_type is ColumnType.DECIMAL:  # 'nan' and 'inf' cast, but are not data
        return f"({text} IS NOT NULL AND ({value} IS NULL OR NOT isfinite({value})))"
    return f"({text} IS NOT NULL AND {value} IS NULL)"


@dataclass(frozen=True)
class Column:
    """A data item as the engine sees it.

    ``name`` is the column name in the Parquet file and the name it leaves under;
    ``aliases`` are other headers accepted for it on upload (e.g. the item's field id).
    """

    item_id: int
    name: str
    type: ColumnType
    length: int | None = None
    aliases: tuple[str, ...] = ()
    is_key: bool = False
