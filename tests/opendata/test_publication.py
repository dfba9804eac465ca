"""O1, O2: what may be published, by whom, through which states."""

import pytest
from django.db import IntegrityError, transaction

from catalog.models import OpenType, Resource
from opendata.models import Dataset, DatasetUpdate
from opendata.services import datasets as ds
from opendata.services.distributions import dataset_data_generate
from portal.errors import IllegalTransition, NotPermitted, ValidationFailed
from portal.models import InboxItem
from portal.workflow import workflow_events

pytestmark = pytest.mark.django_db


# --- O1: never publish what is not open ------------------------------------------------------

def test_o1_not_open_entry_cannot_become_a_dataset(open_resource, data_admin):
    resource = open_resource(open_type=OpenType.NOT_OPEN)
    with pytest.raises(ValidationFailed) as exc:
        ds.dataset_create(actor=data_admin, resource=resource)
    assert "resource" in exc.value.fields
    assert not Dataset.objects.exists()


def test_o1_unregistered_entry_cannot_become_a_dataset(open_resource, data_admin):
    resource = open_resource(status=Resource.Status.SUBMITTED)
    with pytest.raises(ValidationFailed):
        ds.dataset_create(actor=data_admin, resource=resource)


def test_o1_open_flag_off_cannot_become_a_dataset(open_resource, data_admin):
    resource = open_resource(open_type=OpenType.UNCONDITIONAL, is_open=False)
    with pytest.raises(ValidationFailed):
        ds.dataset_create(actor=data_admin, resource=resource)


def test_o1_entry_closed_after_proposal_is_refused_at_approval(open_resource, upload, data_admin,
                                                               center):
    resource = open_resource()
    upload(resource)
    dataset = ds.dataset_create(actor=data_admin, resource=resource)
    ds.dataset_propose(actor=data_admin, dataset=dataset)
    Resource.objects.filter(pk=resource.pk).update(open_type=OpenType.NOT_OPEN, is_open=False)
    with pytest.raises(ValidationFailed):
        ds.dataset_approve(actor=center, dataset=dataset)
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.PROPOSED


def test_o1_database_refuses_not_open_dataset_row(open_resource, department):
    resource = open_resource()
    with pytest.raises(IntegrityError), transaction.atomic():
        Dataset.objects.create(name="x", resource=resource, publisher=department, title="x",
                               description="x", theme="other", open_type=OpenType.NOT_OPEN,
                               update_cycle="daily")


def test_o1_sweep_withdraws_datasets_whose_entry_was_closed(publish):
    dataset = publish()
    Resource.objects.filter(pk=dataset.resource_id).update(open_type=OpenType.NOT_OPEN)
    assert ds.datasets_withdraw_unopenable() == 1
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.WITHDRAWN
    assert "不予开放" in dataset.withdraw_reason
    assert ds.datasets_withdraw_unopenable() == 0


def test_o1_open_type_follows_catalog_change_to_conditional(publish):
    dataset = publish()
    Resource.objects.filter(pk=dataset.resource_id).update(open_type=OpenType.CONDITIONAL)
    assert ds.datasets_open_type_sync() == 1
    dataset.refresh_from_db()
    assert dataset.open_type == OpenType.CONDITIONAL


def test_o1_metadata_defaults_come_from_the_entry(open_resource, data_admin):
    resource = open_resource(open_type=OpenType.CONDITIONAL)
    dataset = ds.dataset_create(actor=data_admin, resource=resource)
    assert dataset.title == resource.name
    assert dataset.open_type == OpenType.CONDITIONAL
    assert dataset.licence == "gov-conditional-1.0"
    assert dataset.update_cycle == resource.update_cycle
    assert dataset.name == resource.code.lower()
    assert dataset.fields.count() == resource.items.count()


# --- O2: the workflow --------------------------------------------------------------------------

ACTIONS = {
    "propose": lambda actor, d: ds.dataset_propose(actor=actor, dataset=d),
    "approve": lambda actor, d: ds.dataset_approve(actor=actor, dataset=d),
    "return": lambda actor, d: ds.dataset_return(actor=actor, dataset=d, comment="补充说明"),
    "withdraw": lambda actor, d: ds.dataset_withdraw(actor=actor, dataset=d, reason="数据有误"),
}

# (role, status, action) → allowed; anything not listed is refused.
ALLOWED = {
    ("data_admin", "draft", "propose"), ("data_admin", "returned", "propose"),
    ("data_admin", "withdrawn", "propose"),
    ("center", "proposed", "approve"), ("center", "proposed", "return"),
    ("data_admin", "published", "withdraw"), ("center", "published", "withdraw"),
}


@pytest.fixture
def dataset_in(open_resource, upload, data_admin):
    def make(status):
        resource = open_resource()
        upload(resource)
        dataset = ds.dataset_create(actor=data_admin, resource=resource)
        Dataset.objects.filter(pk=dataset.pk).update(status=status)
        dataset.refresh_from_db()
        return dataset
    return make


@pytest.mark.parametrize("role", ["clerk", "data_admin", "center", "other_admin", "public_user"])
@pytest.mark.parametrize("status", ["draft", "proposed", "returned", "published", "withdrawn"])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_o2_workflow_matrix(request, dataset_in, role, status, action):
    actor = request.getfixturevalue(role)
    dataset = dataset_in(status)
    if (role, status, action) in ALLOWED:
        ACTIONS[action](actor, dataset)
        dataset.refresh_from_db()
        assert dataset.status != status
    else:
        with pytest.raises((NotPermitted, IllegalTransition)):
            ACTIONS[action](actor, dataset)
        dataset.refresh_from_db()
        assert dataset.status == status


def test_o2_propose_opens_center_task_with_deadline_and_approval_closes_it(
        open_resource, upload, data_admin, center):
    resource = open_resource()
    upload(resource)
    dataset = ds.dataset_create(actor=data_admin, resource=resource)
    dataset = ds.dataset_propose(actor=data_admin, dataset=dataset)
    task = InboxItem.objects.get(user=center,
                                 key__startswith=f"opendata:dataset:{dataset.pk}:review:")
    assert task.due_on == dataset.review_due_on and task.done_at is None
    ds.dataset_approve(actor=center, dataset=dataset, comment="同意")
    task.refresh_from_db()
    assert task.done_at is not None
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.PUBLISHED and dataset.first_published_at
    assert [e.action for e in workflow_events(dataset)] == ["propose", "approve"]


def _open_tasks(user, prefix: str) -> list[str]:
    return sorted(InboxItem.objects.filter(user=user, key__startswith=prefix,
                                           done_at__isnull=True).values_list("key", flat=True))


def test_o2_a_return_gives_the_department_a_task_closed_when_it_proposes_again(
        open_resource, upload, data_admin, center, publish):
    """Datasets and updates are sent back by one rule: the review task closes, the
    department's administrators get a task per return, and proposing again closes it."""
    resource = open_resource()
    upload(resource)
    dataset = ds.dataset_propose(actor=data_admin,
                                 dataset=ds.dataset_create(actor=data_admin, resource=resource))
    base = f"opendata:dataset:{dataset.pk}:"
    reviews = set(_open_tasks(center, base))
    for round_ in (1, 2):
        ds.dataset_return(actor=center, dataset=dataset, comment=f"第{round_}次：补充说明")
        assert _open_tasks(center, base) == []
        [returned] = _open_tasks(data_admin, base)
        assert returned.startswith(f"{base}returned:")
        dataset.refresh_from_db()
        assert dataset.review_comment == f"第{round_}次：补充说明"
        ds.dataset_propose(actor=data_admin, dataset=dataset)
        assert _open_tasks(data_admin, base) == []
        # Each proposal is a new review task for the center, not the closed one again.
        [review] = _open_tasks(center, base)
        assert review.startswith(f"{base}review:") and review not in reviews
        reviews.add(review)
    published = publish()
    update = ds.update_start(actor=data_admin, dataset=published)
    ds.update_edit(actor=data_admin, update=update, summary="更正名称", changes={"title": "新名"})
    ds.update_propose(actor=data_admin, update=update)
    base = f"opendata:update:{update.pk}:"
    with pytest.raises(ValidationFailed):
        ds.update_return(actor=center, update=update, comment="")
    ds.update_return(actor=center, update=update, comment="名称不规范")
    assert _open_tasks(center, base) == []
    [returned] = _open_tasks(data_admin, base)
    assert returned.startswith(f"{base}returned:")
    ds.update_propose(actor=data_admin, update=update)
    assert _open_tasks(data_admin, base) == []
    assert [key.rpartition(":")[0] for key in _open_tasks(center, base)] == [f"{base}review"]


def test_o2_propose_needs_a_data_version(open_resource, data_admin):
    dataset = ds.dataset_create(actor=data_admin, resource=open_resource())
    with pytest.raises(ValidationFailed) as exc:
        ds.dataset_propose(actor=data_admin, dataset=dataset)
    assert "data" in exc.value.fields


def test_o2_return_requires_comment(dataset_in, center):
    dataset = dataset_in("proposed")
    with pytest.raises(ValidationFailed):
        ds.dataset_return(actor=center, dataset=dataset, comment=" ")


def test_o2_withdrawal_reason_is_required_and_kept(publish, data_admin):
    dataset = publish()
    with pytest.raises(ValidationFailed):
        ds.dataset_withdraw(actor=data_admin, dataset=dataset, reason="")
    ds.dataset_withdraw(actor=data_admin, dataset=dataset, reason="源数据核查中")
    dataset.refresh_from_db()
    assert dataset.withdraw_reason == "源数据核查中" and dataset.withdrawn_at


def test_o2_clerk_prepares_but_cannot_propose(open_resource, upload, clerk):
    resource = open_resource()
    dataset = ds.dataset_create(actor=clerk, resource=resource)
    ds.dataset_edit(actor=clerk, dataset=dataset, data={"keywords": "不动产，登记"})
    dataset.refresh_from_db()
    assert dataset.keywords == ["不动产", "登记"]
    upload(resource)
    with pytest.raises(NotPermitted):
        ds.dataset_propose(actor=clerk, dataset=dataset)


def test_o2_other_department_cannot_create(open_resource, other_admin):
    with pytest.raises(NotPermitted):
        ds.dataset_create(actor=other_admin, resource=open_resource())


def test_o2_metadata_errors_name_the_field(open_resource, data_admin):
    dataset = ds.dataset_create(actor=data_admin, resource=open_resource())
    with pytest.raises(ValidationFailed) as exc:
        ds.dataset_edit(actor=data_admin, dataset=dataset,
                        data={"temporal_start": "2024-05-01", "temporal_end": "2024-01-01",
                              "licence": "nonsense"})
    assert set(exc.value.fields) == {"temporal_end", "licence"}


def test_o2_published_dataset_is_changed_only_through_a_reviewed_update(publish, data_admin,
                                                                        center):
    dataset = publish()
    with pytest.raises(NotPermitted):
        ds.dataset_edit(actor=data_admin, dataset=dataset, data={"title": "改名"})
    update = ds.update_start(actor=data_admin, dataset=dataset)
    assert ds.update_start(actor=data_admin, dataset=dataset) == update
    ds.update_edit(actor=data_admin, update=update, summary="更正名称",
                   changes={"title": "不动产登记信息（2024）"})
    ds.update_propose(actor=data_admin, update=update)
    dataset.refresh_from_db()
    assert dataset.title == "不动产登记信息"  # still the published version
    ds.update_approve(actor=center, update=update)
    dataset.refresh_from_db()
    update.refresh_from_db()
    assert dataset.title == "不动产登记信息（2024）"
    assert update.status == DatasetUpdate.Status.APPLIED


def test_o2_update_changing_rules_regenerates_data(publish, data_admin, center,
                                                   django_capture_on_commit_callbacks):
    dataset = publish()
    rules = [{"item": f.item_id, "included": f.column != "mobile", "mask_rule": f.mask_rule,
              "mask_params": f.mask_params} for f in dataset.fields.all()]
    update = ds.update_start(actor=data_admin, dataset=dataset)
    ds.update_edit(actor=data_admin, update=update, summary="不再开放手机号码", field_rules=rules)
    ds.update_propose(actor=data_admin, update=update)
    with django_capture_on_commit_callbacks(execute=True):
        ds.update_approve(actor=center, update=update)
    dataset.refresh_from_db()
    assert dataset.data_status == Dataset.DataStatus.READY
    assert "mobile" not in [c["name"] for c in dataset.data_columns]


def test_o2_new_data_version_is_picked_up_by_the_sweep(publish, upload):
    from opendata.services.distributions import datasets_mark_for_refresh

    dataset = publish()
    assert datasets_mark_for_refresh() == []
    upload(dataset.resource)
    assert datasets_mark_for_refresh() == [dataset.pk]
    assert dataset_data_generate(dataset_id=dataset.pk)
    dataset.refresh_from_db()
    assert dataset.source_version.number == 2
    assert datasets_mark_for_refresh() == []
