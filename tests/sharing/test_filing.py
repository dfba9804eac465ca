"""First-access filing (S6): filed by the department, acknowledged by the center."""

from datetime import date

import pytest

from portal.errors import IllegalTransition, NotPermitted, ValidationFailed
from portal.models import InboxItem, Role
from sharing.models import Filing
from sharing.services.filings import (
    filing_acknowledge,
    filing_return,
    filing_revoke,
    filing_save,
    filing_submit,
)
from tests.sharing.factories import commitment_file

pytestmark = pytest.mark.django_db

COMPLETE = {
    "responsible_person": "张局长", "security_officer": "李安全", "contact_person": "王联系",
    "contact_phone": "0898-66001234", "systems": "行政审批系统", "data_uses": "审批核验",
    "security_measures": "专网、分级授权、日志审计", "commitment_accepted": True,
    "signed_on": date(2026, 1, 5),
}


@pytest.fixture
def staff(make_user, department):
    return {role: make_user(department=department, roles=[role])
            for role in (Role.CLERK, Role.DATA_ADMIN, Role.HEAD, Role.SECURITY_OFFICER)}


def test_s6_filing_is_drafted_submitted_and_acknowledged(staff, department, make_user):
    center = make_user(roles=[Role.CENTER_REVIEWER])
    filing = filing_save(actor=staff[Role.CLERK], department=department,
                         data={**COMPLETE, "commitment_document": commitment_file()})
    with pytest.raises(NotPermitted):
        filing_submit(actor=staff[Role.CLERK], filing=filing)
    filing = filing_submit(actor=staff[Role.HEAD], filing=filing)
    assert filing.status == Filing.Status.SUBMITTED
    assert InboxItem.objects.filter(user=center, done_at__isnull=True).exists()
    filing = filing_acknowledge(actor=center, filing=filing)
    assert filing.status == Filing.Status.ACKNOWLEDGED and filing.acknowledged_by == center
    assert not InboxItem.objects.filter(user=center, done_at__isnull=True).exists()


def test_s6_submission_names_what_is_missing(staff, department):
    filing = filing_save(actor=staff[Role.DATA_ADMIN], department=department,
                         data={"responsible_person": "张局长"})
    with pytest.raises(ValidationFailed) as exc:
        filing_submit(actor=staff[Role.DATA_ADMIN], filing=filing)
    assert {"commitment_document", "systems", "commitment_accepted"} <= set(exc.value.fields)


def test_s6_commitment_must_be_a_real_document(staff, department):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("承诺书.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationFailed) as exc:
        filing_save(actor=staff[Role.CLERK], department=department,
                    data={**COMPLETE, "commitment_document": fake})
    assert "commitment_document" in exc.value.fields


@pytest.mark.parametrize("action", ["return", "revoke"])
def test_s6_return_and_revoke_need_a_reason_and_only_the_center(staff, department, make_user,
                                                                 action):
    center = make_user(roles=[Role.CENTER_REVIEWER])
    filing = filing_save(actor=staff[Role.CLERK], department=department,
                         data={**COMPLETE, "commitment_document": commitment_file()})
    filing = filing_submit(actor=staff[Role.DATA_ADMIN], filing=filing)
    if action == "revoke":
        filing = filing_acknowledge(actor=center, filing=filing)
    service = filing_return if action == "return" else filing_revoke
    with pytest.raises(NotPermitted):
        service(actor=staff[Role.HEAD], filing=filing, comment="理由")
    with pytest.raises(ValidationFailed):
        service(actor=center, filing=filing, comment="")
    filing = service(actor=center, filing=filing, comment="材料不全")
    assert filing.is_editable
    assert filing_submit(actor=staff[Role.DATA_ADMIN], filing=filing).status == "submitted"


def test_s6_acknowledged_filing_cannot_be_edited_or_acknowledged_twice(staff, department,
                                                                       make_user):
    center = make_user(roles=[Role.CENTER_REVIEWER])
    filing = filing_save(actor=staff[Role.CLERK], department=department,
                         data={**COMPLETE, "commitment_document": commitment_file()})
    filing = filing_acknowledge(actor=center, filing=filing_submit(actor=staff[Role.HEAD],
                                                                   filing=filing))
    with pytest.raises(NotPermitted):
        filing_save(actor=staff[Role.CLERK], department=department, data={"systems": "x"})
    with pytest.raises(IllegalTransition):
        filing_acknowledge(actor=center, filing=filing)
