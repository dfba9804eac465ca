"""The demo catalog loader is idempotent and goes through the services."""

import pytest
from django.core.management import call_command

from assessment.demo import MARK as DEMO_RECORD_MARK
from catalog.models import ChangeEvent, Project, Resource

pytestmark = pytest.mark.django_db


def test_seed_demo_catalog_twice(django_capture_on_commit_callbacks):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_catalog", verbosity=0)
    registered = set(Resource.objects.filter(status=Resource.Status.REGISTERED).values_list("code", flat=True))
    assert len(registered) >= 8 and all(registered)
    assert Resource.objects.filter(status=Resource.Status.SUBMITTED).exists()
    events = ChangeEvent.objects.count()
    call_command("seed_demo_catalog", verbosity=0)
    assert set(Resource.objects.filter(status=Resource.Status.REGISTERED)
               .values_list("code", flat=True)) == registered
    assert ChangeEvent.objects.count() == events and Project.objects.count() == 1
    # One open change event of this year; the others are last year's assessment record.
    assert ChangeEvent.objects.exclude(title__startswith=DEMO_RECORD_MARK).count() == 1
