"""The demo assessment shows the product as it is used: last year's published ranking has
a spread of grades, the department that did nothing fails, an upheld objection carries
its new score and reason, and loading the demo again changes nothing."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessment.models import Grade, Plan, Score, ScoreObjection

pytestmark = pytest.mark.django_db


def test_demo_ranking_has_a_spread_and_loads_once(tmp_path):
    out = open(tmp_path / "out.txt", "w")
    call_command("seed_demo", "--organisation-only", stdout=out)
    for command in ("seed_demo_catalog", "seed_demo_sharing", "seed_demo_assessment"):
        call_command(command, stdout=out)
    plan = Plan.objects.get(year=timezone.localdate().year - 1)
    assert plan.status == Plan.Status.PUBLISHED
    units = list(plan.units.order_by("rank"))
    grades = Counter(u.grade for u in units)
    assert set(grades) == set(Grade.values) and max(grades.values()) <= len(units) // 2
    totals = [u.total for u in units]
    assert len(set(totals)) == len(totals) and totals[0] - totals[-1] > 50
    idle = plan.units.get(name="海南电网有限责任公司")
    assert idle.grade == Grade.FAIL and idle.rank == len(units)
    upheld = ScoreObjection.objects.get(score__plan=plan, status=ScoreObjection.Status.UPHELD)
    assert upheld.score.adjusted_score is not None and upheld.score.adjustment_reason
    assert not Score.objects.filter(plan=plan, indicator__kind="manual", score__isnull=True).exists()

    call_command("seed_demo_assessment", stdout=out)
    assert [u.total for u in plan.units.order_by("rank")] == totals
