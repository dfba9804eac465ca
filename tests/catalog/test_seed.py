"""The demo catalog loader is idempotent and goes through the services."""

import pytest
from django.core.management import call_command

from catalog.models import ChangeEvent, Project, Resource

pytestmark = pytest.mark.django_db


def test_seed_demo_catalog_twice(django_capture_on_commit_callbacks):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_catalog", verbosity=0)
    registered = set(Resource.objects.filter(status=Resource.Status.REGISTERED).values_list("code", flat=True))
    assert len(registered) >= 8 and all(registered)
    assert Resource.objects.filter(status=Resource.Status.SUBMITTED).exists()
    call_command("seed_demo_catalog", verbosity=0)
    assert set(Resource.objects.filter(status=Resource.Status.REGISTERED)
               .values_list("code", flat=True)) == registered
    assert ChangeEvent.objects.count() == 1 and Project.objects.count() == 1
