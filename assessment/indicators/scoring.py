"""Scoring rules: from an indicator's value to points out of its weight."""

from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


def _clip(fraction: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), fraction))


def rule_score(
    *,
    rule: str,
    weight: Decimal,
    value: Decimal | None,
    best: Decimal | None,
    worst: Decimal | None,
    no_data: str,
    peak: Decimal | None,
    higher_is_better: bool,
) -> Decimal | None:
    """Points for ``value`` under ``rule``.

    - ``linear``: full points at ``best``, none at ``worst``, linear in between (``best``
      below ``worst`` means lower is better).
    - ``threshold``: full points when ``value`` reaches ``best`` (in the indicator's
      direction), else none.
    - ``relative``: points in proportion to the best value among the plan's units
      (``peak``): ``value / peak`` when higher is better, ``peak / value`` otherwise.
    - ``manual``: scored by a reviewer; no points from a rule.

    A missing value (a ratio without a denominator) scores per ``no_data``: ``exclude``
    gives no score (the indicator does not apply; see :func:`applies`), ``zero`` none,
    ``full`` the weight.
    """
    weight = Decimal(weight)
    if rule == "manual":
        return None
    if value is None:
        if no_data == "exclude":
            return None
        return weight if no_data == "full" else Decimal("0.00")
    if rule == "linear":
        if best is None or worst is None or best == worst:
            raise ValueError("linear scoring needs distinct best and worst values")
        fraction = _clip((Decimal(value) - worst) / (best - worst))
    elif rule == "threshold":
        if best is None:
            raise ValueError("threshold scoring needs a best value")
        meets = value >= best if higher_is_better else value <= best
        fraction = Decimal(1 if meets else 0)
    elif rule == "relative":
        if higher_is_better:
            fraction = _clip(Decimal(value) / peak) if peak else Decimal(0)
        else:
            fraction = Decimal(1) if not value else _clip(Decimal(peak or 0) / Decimal(value))
    else:
        raise ValueError(f"unknown scoring rule {rule!r}")
    return (weight * fraction).quantize(TWO_PLACES, ROUND_HALF_UP)


def applies(*, rule: str, value: Decimal | None, no_data: str) -> bool:
    """Whether an indicator counts in a unit's total: not when it has no value and the
    plan says ``exclude`` (不适用). (An indicator whose source is not available does not
    count either; the computation knows that before any value.)"""
    if rule == "manual":
        return True
    return value is not None or no_data != "exclude"
