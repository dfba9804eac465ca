"""A tiny expression language in which each masking rule is written once.

A rule (``dataplane.masking``) is built from these nodes; each node compiles both to a
DuckDB SQL expression (:meth:`Node.sql`, for Parquet queries, vectorised in the engine)
and to a Python function of one value (:meth:`Node.fn`, for records that are already in
Python — the gateway's JSON answers — where a DuckDB query per call would cost more than
the call). Every node follows SQL's NULL rules (``None`` in, ``None`` out; a NULL
condition takes the ``ELSE`` branch), and its Python side follows DuckDB's semantics for
the values a rule can meet (text casts, ``TRY_CAST`` to DOUBLE and TIMESTAMP, code-point
lengths); ``tests/dataplane/test_masking.py`` evaluates every rule both ways over the same
values and requires equal results.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

Fn = Callable[[Any], Any]


def _sql_literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, float):
        return f"CAST('{value!r}' AS DOUBLE)"
    return str(int(value))


class Node:
    def sql(self, column: str) -> str:
        raise NotImplementedError

    def fn(self) -> Fn:
        raise NotImplementedError


class Input(Node):
    """The value being masked."""

    def sql(self, column: str) -> str:
        return column

    def fn(self) -> Fn:
        return lambda v: v


class Lit(Node):
    def __init__(self, value: Any) -> None:
        self.value = value

    def sql(self, column: str) -> str:
        return "NULL" if self.value is None else _sql_literal(self.value)

    def fn(self) -> Fn:
        value = self.value
        return lambda v: value


class _Call(Node):
    """A function of its arguments' values; NULL if any argument is NULL."""

    template = ""

    def __init__(self, *args: Node) -> None:
        self.args = args

    def sql(self, column: str) -> str:
        return self.template.format(*(a.sql(column) for a in self.args))

    @staticmethod
    def apply(*values: Any) -> Any:
        raise NotImplementedError

    def fn(self) -> Fn:
        fns, apply = [a.fn() for a in self.args], self.apply
        if len(fns) == 1:
            (f,) = fns

            def one(v):
                x = f(v)
                return None if x is None else apply(x)
            return one

        def many(v):
            values = [f(v) for f in fns]
            return None if any(x is None for x in values) else apply(*values)
        return many


def duck_text(value: Any) -> str:
    """``CAST(value AS VARCHAR)`` as DuckDB writes the value's type."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)   # shortest round trip, as DuckDB writes a DOUBLE
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)        # str, int, Decimal, date, datetime


class Text(_Call):
    template = "CAST({0} AS VARCHAR)"
    apply = staticmethod(duck_text)


def try_double(value: Any) -> float | None:
    """``TRY_CAST(value AS DOUBLE)``: numbers and ASCII number text, else NULL."""
    if isinstance(value, (bool, int, float, Decimal)):
        return float(value)
    if isinstance(value, str) and value.isascii():
        try:
            return float(value)
        except ValueError:
            return None
    return None


class Double(_Call):
    template = "TRY_CAST({0} AS DOUBLE)"
    apply = staticmethod(try_double)


_STAMP = re.compile(
    r"\s*(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})"
    r"(?:(?:T| +)(?P<H>\d{1,2}):(?P<M>\d{1,2})(?::(?P<S>\d{1,2})(?:\.(?P<f>\d{1,6})\d*)?)?"
    r"(?: ?(?:[+-]\d{2}(?::?\d{2})?|UTC|utc))?\s*)?")


def try_timestamp(value: Any) -> dt.datetime | None:
    """``TRY_CAST(value AS TIMESTAMP)`` for dates, timestamps and ISO-like date text
    (``1990-01-01``, ``1990/1/1``, ``1990-01-01 12:00[:00[.ffffff]]`` with ``T`` or spaces,
    an offset or ``UTC`` being ignored as DuckDB ignores it; leading white space, and
    trailing after a time, as DuckDB accepts them); anything else is NULL."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    match = _STAMP.fullmatch(value)
    if match is None:
        return None
    g = match.groupdict()
    try:
        return dt.datetime(int(g["y"]), int(g["m"]), int(g["d"]), int(g["H"] or 0),
                           int(g["M"] or 0), int(g["S"] or 0), int((g["f"] or "0").ljust(6, "0")))
    except ValueError:
        return None


class Timestamp(_Call):
    template = "TRY_CAST({0} AS TIMESTAMP)"
    apply = staticmethod(try_timestamp)


class Length(_Call):
    template = "length({0})"
    apply = staticmethod(len)


class Repeat(_Call):
    template = "repeat({0}, {1})"
    apply = staticmethod(lambda s, n: s * max(0, n))


class Overlay(_Call):
    """Replace ``count`` characters from position ``start`` (1-based) by ``piece``."""

    template = "overlay({0} PLACING {1} FROM {2} FOR {3})"
    apply = staticmethod(lambda s, piece, start, count: s[:start - 1] + piece
                         + s[start - 1 + count:])


class Left(_Call):
    template = "left({0}, {1})"
    apply = staticmethod(lambda s, n: s[:max(0, n)])


class Concat(_Call):
    template = "({0} || {1})"
    apply = staticmethod(lambda a, b: a + b)


class Least(_Call):
    template = "least({0}, {1})"
    apply = staticmethod(min)


class Sub(_Call):
    template = "({0} - {1})"
    apply = staticmethod(lambda a, b: a - b)


class Add(_Call):
    template = "({0} + {1})"
    apply = staticmethod(lambda a, b: a + b)


class Mul(_Call):
    template = "({0} * {1})"
    apply = staticmethod(lambda a, b: a * b)


class Div(_Call):
    """Division of DOUBLEs."""

    template = "({0} / {1})"
    apply = staticmethod(lambda a, b: a / b)


class IntDiv(_Call):
    template = "({0} // {1})"
    apply = staticmethod(lambda a, b: a // b)


class Floor(_Call):
    template = "floor({0})"
    apply = staticmethod(lambda x: float(math.floor(x)))


class Gt(_Call):
    template = "({0} > {1})"
    apply = staticmethod(lambda a, b: a > b)


class IsFinite(_Call):
    """Not infinite or NaN (a DOUBLE or a TIMESTAMP; Python's datetimes are all finite)."""

    template = "isfinite({0})"
    apply = staticmethod(lambda x: math.isfinite(x) if isinstance(x, float) else True)


class BigintText(_Call):
    """An integral DOUBLE written as an integer."""

    template = "CAST(CAST({0} AS BIGINT) AS VARCHAR)"
    apply = staticmethod(lambda x: str(int(x)))


class Strftime(Node):
    """Year (``%Y``) or year and month (``%Y-%m``) of a timestamp, zero-padded."""

    PYTHON = {"%Y": "{0.year:04d}", "%Y-%m": "{0.year:04d}-{0.month:02d}"}

    def __init__(self, value: Node, fmt: str) -> None:
        self.value, self.fmt = value, fmt
        self.python = self.PYTHON[fmt]

    def sql(self, column: str) -> str:
        return f"strftime({self.value.sql(column)}, {_sql_literal(self.fmt)})"

    def fn(self) -> Fn:
        f, fmt = self.value.fn(), self.python
        return lambda v: None if (x := f(v)) is None else fmt.format(x)


class Printf(Node):
    """``printf`` of DOUBLEs with ``%.Nf`` placeholders."""

    def __init__(self, fmt: str, *args: Node) -> None:
        self.format, self.args = fmt, args

    def sql(self, column: str) -> str:
        args = ", ".join(a.sql(column) for a in self.args)
        return f"printf({_sql_literal(self.format)}, {args})"

    def fn(self) -> Fn:
        fns, fmt = [a.fn() for a in self.args], self.format

        def run(v):
            values = tuple(f(v) for f in fns)
            return None if any(x is None for x in values) else fmt % values
        return run


class Case(Node):
    """``CASE WHEN cond THEN a ELSE b END`` (a NULL condition takes ``b``)."""

    def __init__(self, cond: Node, then: Node, otherwise: Node) -> None:
        self.cond, self.then, self.otherwise = cond, then, otherwise

    def sql(self, column: str) -> str:
        return (f"CASE WHEN {self.cond.sql(column)} THEN {self.then.sql(column)} "
                f"ELSE {self.otherwise.sql(column)} END")

    def fn(self) -> Fn:
        c, a, b = self.cond.fn(), self.then.fn(), self.otherwise.fn()
        return lambda v: a(v) if c(v) else b(v)


class HmacHex(Node):
    """HMAC-SHA256(secret, UTF-8 bytes of the text) as lowercase hex, first ``length``
    characters; in SQL written out after RFC 2104 over DuckDB's ``sha256``."""

    def __init__(self, text: Node, secret: bytes, length: int) -> None:
        self.text, self.secret, self.length = text, secret, length

    def sql(self, column: str) -> str:
        key = hashlib.sha256(self.secret).digest() if len(self.secret) > 64 else self.secret
        key = key.ljust(64, b"\0")
        ipad = bytes(b ^ 0x36 for b in key).hex()
        opad = bytes(b ^ 0x5C for b in key).hex()
        text = self.text.sql(column)
        inner = f"unhex(sha256(unhex('{ipad}') || encode({text})))"
        digest = f"sha256(unhex('{opad}') || {inner})"
        return digest if self.length == 64 else f"left({digest}, {self.length})"

    def fn(self) -> Fn:
        f, secret, length = self.text.fn(), self.secret, self.length

        def run(v):
            x = f(v)
            if x is None:
                return None
            return hmac.new(secret, x.encode(), hashlib.sha256).hexdigest()[:length]
        return run


class Null(Node):
    def sql(self, column: str) -> str:
        return "CAST(NULL AS VARCHAR)"

    def fn(self) -> Fn:
        return lambda v: None
