"""A3: self-assessment with evidence, reviewer scores with comments, objections and answers."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment.models import Evidence, ScoreObjection, SelfAssessment
from assessment.services import review
from assessment.services.plans import plan_publish
from portal.errors import Conflict, NotPermitted, ValidationFailed
from tests.assessment.helpers import activated, manual_score, manual_scores_given

pytestmark = pytest.mark.django_db


@pytest.fixture
def active(plan, authority):
    return activated(plan, authority)


def self_assess(actor, unit, plan, *, score="3", statement="制度已建立", files=()):
    indicator = plan.indicators.get(code="organisation")
    return review.self_assessment_save(actor=actor, unit=unit, indicator=indicator,
                                       claimed_score=score, statement=statement, files=files)


def test_a3_self_assessment_with_evidence_then_review(active, unit_a, clerk_a, head_a, authority):
    pdf = SimpleUploadedFile("制度.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    assessment = self_assess(clerk_a, unit_a, active, files=[pdf])
    assert Evidence.objects.filter(object_id=assessment.pk).count() == 1
    review.self_assessment_submit(actor=head_a, assessment=assessment)
    assert authority.inbox_items.filter(key=f"assessment:self:{assessment.pk}:review").exists()

    score = review.score_review(actor=authority, score=manual_score(active, unit_a),
                                points_given="3.5", comment="制度完备，缺奖惩机制")
    assessment.refresh_from_db()
    unit_a.refresh_from_db()
    assert (score.base_score, score.score, score.review_comment) == (
        D("3.50"), D("3.50"), "制度完备，缺奖惩机制")
    assert assessment.status == SelfAssessment.Status.REVIEWED
    assert not authority.inbox_items.filter(done_at__isnull=True, key__contains=":review").exists()
    assert unit_a.total >= D("3.50")


def test_a3_clerk_cannot_submit_and_other_department_cannot_edit(active, unit_a, clerk_a, admin_b):
    assessment = self_assess(clerk_a, unit_a, active)
    with pytest.raises(NotPermitted):
        review.self_assessment_submit(actor=clerk_a, assessment=assessment)
    with pytest.raises(NotPermitted):
        self_assess(admin_b, unit_a, active)


def test_a3_submission_needs_statement_and_score(active, unit_a, head_a):
    assessment = self_assess(head_a, unit_a, active, score=None, statement="")
    with pytest.raises(ValidationFailed) as exc:
        review.self_assessment_submit(actor=head_a, assessment=assessment)
    assert "statement" in exc.value.fields


def test_a3_claimed_score_cannot_exceed_weight(active, unit_a, head_a):
    with pytest.raises(ValidationFailed) as exc:
        self_assess(head_a, unit_a, active, score="99")
    assert "claimed_score" in exc.value.fields


def test_a3_evidence_format_and_size_checked(active, unit_a, head_a, settings):
    exe = SimpleUploadedFile("x.exe", b"MZ")
    with pytest.raises(ValidationFailed):
        self_assess(head_a, unit_a, active, files=[exe])
    settings.ASSESSMENT = {**settings.ASSESSMENT, "EVIDENCE_MAX_BYTES": 10}
    big = SimpleUploadedFile("big.pdf", b"x" * 11)
    with pytest.raises(ValidationFailed):
        self_assess(head_a, unit_a, active, files=[big])


def test_a3_returned_self_assessment_can_be_completed_again(active, unit_a, head_a, authority):
    assessment = self_assess(head_a, unit_a, active)
    review.self_assessment_submit(actor=head_a, assessment=assessment)
    review.self_assessment_return(actor=authority, assessment=assessment, comment="请补充制度文件")
    assessment = self_assess(head_a, unit_a, active, statement="已补充")
    assert assessment.status == SelfAssessment.Status.RETURNED
    review.self_assessment_submit(actor=head_a, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == SelfAssessment.Status.SUBMITTED


def test_a3_reviewer_scores_only_manual_indicators_within_weight(active, unit_a, authority):
    computed = manual_score(active, unit_a, "catalog_registered")
    with pytest.raises(Conflict):
        review.score_review(actor=authority, score=computed, points_given="1", comment="x")
    with pytest.raises(ValidationFailed):
        review.score_review(actor=authority, score=manual_score(active, unit_a),
                            points_given="5", comment="超出分值")
    with pytest.raises(ValidationFailed):
        review.score_review(actor=authority, score=manual_score(active, unit_a),
                            points_given="2", comment="")


def test_a3_objection_upheld_adjusts_score(active, unit_a, head_a, authority):
    score = manual_score(active, unit_a, "catalog_registered")
    objection = review.objection_raise(actor=head_a, score=score, reason="平台漏计 3 条目录")
    with pytest.raises(Conflict):
        review.objection_raise(actor=head_a, score=score, reason="重复")
    review.objection_answer(actor=authority, objection=objection, upheld=True,
                            answer="核实属实，予以调整", new_score="6")
    score.refresh_from_db()
    objection.refresh_from_db()
    assert score.score == D("6.00") and score.adjustment_reason == "核实属实，予以调整"
    assert objection.status == ScoreObjection.Status.UPHELD
    assert (objection.score_before, objection.score_after) == (D("0.00"), D("6.00"))
    assert head_a.notifications.filter(key=f"assessment:objection:{objection.pk}:answered").exists()


def test_a3_objection_rejected_keeps_score(active, unit_a, head_a, authority):
    score = manual_score(active, unit_a, "catalog_registered")
    objection = review.objection_raise(actor=head_a, score=score, reason="不认可")
    review.objection_answer(actor=authority, objection=objection, upheld=False,
                            answer="数据准确，维持原分")
    score.refresh_from_db()
    assert score.adjusted_score is None
    objection.refresh_from_db()
    assert objection.status == ScoreObjection.Status.REJECTED


def test_a3_upheld_objection_needs_new_score(active, unit_a, head_a, authority):
    objection = review.objection_raise(actor=head_a, score=manual_score(active, unit_a, "catalog_registered"),
                                       reason="不认可")
    with pytest.raises(ValidationFailed) as exc:
        review.objection_answer(actor=authority, objection=objection, upheld=True, answer="成立")
    assert "new_score" in exc.value.fields


def test_a3_only_unit_signers_object(active, unit_a, clerk_a, admin_b):
    score = manual_score(active, unit_a, "catalog_registered")
    for user in (clerk_a, admin_b):
        with pytest.raises(NotPermitted):
            review.objection_raise(actor=user, score=score, reason="x")


def test_a4_publication_waits_for_open_objections_and_reviews(active, unit_a, head_a, authority):
    objection = review.objection_raise(actor=head_a, score=manual_score(active, unit_a, "catalog_registered"),
                                       reason="不认可")
    with pytest.raises(Conflict):
        plan_publish(actor=authority, plan=active)
    review.objection_answer(actor=authority, objection=objection, upheld=False, answer="维持")
    assessment = self_assess(head_a, unit_a, active)
    review.self_assessment_submit(actor=head_a, assessment=assessment)
    with pytest.raises(Conflict):
        plan_publish(actor=authority, plan=active)
    review.score_review(actor=authority, score=manual_score(active, unit_a), points_given="3",
                        comment="良好")
    # Every unit's manual indicators must be scored, a self-assessment or not.
    with pytest.raises(Conflict) as refused:
        plan_publish(actor=authority, plan=active)
    assert "人工评审指标未评分" in str(refused.value)
    manual_scores_given(active, authority)
    assert plan_publish(actor=authority, plan=active).status == "published"


def test_a1_a3_self_assessment_closes_at_the_deadline(active, unit_a, head_a):
    from datetime import timedelta

    from django.utils import timezone

    assessment = self_assess(head_a, unit_a, active)
    type(active).objects.filter(pk=active.pk).update(
        self_assessment_due=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationFailed) as exc:
        review.self_assessment_submit(actor=head_a, assessment=assessment)
    assert "截止" in exc.value.message
