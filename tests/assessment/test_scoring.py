"""A2/A4: scoring rules turn an indicator's value into points out of its weight."""

from decimal import Decimal as D

import pytest

from assessment.indicators.scoring import rule_score


def score(rule, value, *, best=None, worst=None, peak=None, higher=True, no_data="full"):
    return rule_score(rule=rule, weight=D("10"), value=value, best=best, worst=worst,
                      no_data=no_data, peak=peak, higher_is_better=higher)


@pytest.mark.parametrize(("value", "expected"), [
    (D("100"), D("10.00")), (D("75"), D("5.00")), (D("50"), D("0.00")), (D("20"), D("0.00")),
    (D("120"), D("10.00")),
])
def test_a2_linear_between_worst_and_best(value, expected):
    assert score("linear", value, best=D("100"), worst=D("50")) == expected


def test_a2_linear_lower_is_better_when_best_below_worst():
    assert score("linear", D("10"), best=D("0"), worst=D("40")) == D("7.50")
    assert score("linear", D("50"), best=D("0"), worst=D("40")) == D("0.00")


def test_a2_threshold_in_the_indicator_direction():
    assert score("threshold", D("95"), best=D("95")) == D("10.00")
    assert score("threshold", D("94.99"), best=D("95")) == D("0.00")
    assert score("threshold", D("3"), best=D("5"), higher=False) == D("10.00")


def test_a2_relative_to_best_unit():
    assert score("relative", D("30"), peak=D("120")) == D("2.50")
    assert score("relative", D("0"), peak=D("0")) == D("0.00")
    assert score("relative", D("4"), peak=D("2"), higher=False) == D("5.00")
    assert score("relative", D("0"), peak=D("0"), higher=False) == D("10.00")


def test_a2_missing_value_follows_no_data_policy():
    assert score("linear", None, best=D("100"), worst=D("0")) == D("10")
    assert score("linear", None, best=D("100"), worst=D("0"), no_data="zero") == D("0.00")


def test_a3_manual_rule_gives_no_points():
    assert score("manual", D("5")) is None


def test_linear_rule_needs_distinct_bounds():
    with pytest.raises(ValueError):
        score("linear", D("5"), best=D("1"), worst=D("1"))
