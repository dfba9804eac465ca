"""Numeric request parameters: one parser, bounded on both sides.

Every page number, page size, offset, limit and count that a client sends goes through
``int_param``: it accepts plain ASCII digits (an optional sign), refuses anything else and
anything outside ``[low, high]`` with ``ParameterInvalid`` (a ``ValidationFailed``, so the
API answers 400 with ``{"<name>": ["…"]}``). The default upper bound keeps every value
far inside what PostgreSQL, SQLite and DuckDB accept for ``LIMIT``/``OFFSET`` even after
multiplying a page number by a page size, so no huge number reaches a query.
"""

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from portal.errors import ValidationFailed

# The largest value any numeric parameter may take (PostgreSQL ``integer``).
MAX_INT = 2**31 - 1

_INTEGER = re.compile(r"[+-]?[0-9]{1,20}")


class ParameterInvalid(ValidationFailed):
    """A numeric parameter is not an integer or lies outside its bounds."""

    code = "invalid_parameter"

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message, fields={name: [message]})
        self.name = name


def int_param(params: Mapping[str, Any], name: str, *, default: int, low: int = 0,
              high: int = MAX_INT) -> int:
    """``params[name]`` as an integer in ``[low, high]``; ``default`` when absent or empty.

    ``params`` is a ``QueryDict`` (the last value counts, as in ``QueryDict.get``) or a
    plain mapping such as a parsed JSON body, whose values may already be integers or
    lists (the last one counts).
    """
    raw = params.get(name)
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    return int_value(raw, name=name, low=low, high=high)


def int_value(raw: Any, *, name: str, low: int = 0, high: int = MAX_INT) -> int:
    """One raw value as an integer in ``[low, high]`` (see ``int_param``)."""
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        value = None
    if value is None:
        raise ParameterInvalid(name, _("参数“%(name)s”应为整数。") % {"name": name})
    if not low <= value <= high:
        raise ParameterInvalid(name, _("参数“%(name)s”应在 %(low)d 到 %(high)d 之间。")
                               % {"name": name, "low": low, "high": high})
    return value


_ID = re.compile(r"[0-9]{1,10}")


def object_id(raw: Any) -> int | None:
    """``raw`` as a row id when it is one to ten ASCII digits within ``MAX_INT``, else
    None. (``str.isdigit`` is true for "²" and "١٢", which ``int`` or the database then
    refuse: a lookup by such a value must miss, not fail.)"""
    text = str(raw).strip() if raw is not None else ""
    if not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_INT else None
