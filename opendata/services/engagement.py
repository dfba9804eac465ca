"""Ratings, moderated comments (O4) and conditional-open applications (O5)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import OpenType
from portal.deadlines import deadline_start
from portal.errors import Conflict, NotPermitted, ValidationFailed
from portal.models import Role, User
from portal.rules import region_due
from portal.selectors import users_with_role
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.workflow import transition_apply, workflow_start

from .. import deadlines, policies
from ..conf import opendata_setting
from ..models import (
    APPLICATION_TRANSITIONS,
    COMMENT_TRANSITIONS,
    AccessApplication,
    Comment,
    Dataset,
    Rating,
)


def _published(dataset: Dataset) -> Dataset:
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if dataset.status != Dataset.Status.PUBLISHED:
        raise Conflict(_("该数据集未发布，不能进行此操作。"), target=dataset, action="engage")
    return dataset


# --- ratings and comments ------------------------------------------------------------------

@transaction.atomic
def rating_set(*, actor: User, dataset: Dataset, score: int) -> Rating:
    """Rate a dataset 1–5; rating again replaces the earlier score."""
    if not policies.can_engage(actor):
        raise NotPermitted(_("请先登录后再评分。"), target=dataset, action="rate")
    if not 1 <= int(score) <= 5:
        raise ValidationFailed(_("评分应为 1 到 5 星。"), fields={"score": [_("请选择 1 到 5 星。")]})
    dataset = _published(dataset)
    rating = Rating.objects.select_for_update().filter(dataset=dataset, user=actor).first()
    if rating is None:
        rating = Rating.objects.create(dataset=dataset, user=actor, score=score)
        Dataset.objects.filter(pk=dataset.pk).update(rating_count=F("rating_count") + 1,
                                                     rating_total=F("rating_total") + score)
    else:
        delta = int(score) - rating.score
        rating.score = score
        rating.save()
        Dataset.objects.filter(pk=dataset.pk).update(rating_total=F("rating_total") + delta)
    return rating


def _moderators(dataset: Dataset) -> list[User]:
    return list(users_with_role(Role.DATA_ADMIN, department=dataset.publisher_id))


@transaction.atomic
def comment_add(*, actor: User, dataset: Dataset, body: str) -> Comment:
    """A comment waits for moderation by the publishing department or the center."""
    if not policies.can_engage(actor):
        raise NotPermitted(_("请先登录后再留言。"), target=dataset, action="comment")
    body = body.strip()
    if not body:
        raise ValidationFailed(_("留言内容不能为空。"), fields={"body": [_("请填写留言内容。")]})
    dataset = _published(dataset)
    comment = Comment.objects.create(dataset=dataset, author=actor, body=body[:1000])
    inbox_add(users=_moderators(dataset), key=f"opendata:comment:{comment.pk}:moderate",
              title=_("待审核留言：%(title)s") % {"title": dataset.title},
              url=reverse("opendata:manage_comments"), target=comment)
    return comment


@transaction.atomic
def comment_moderate(*, actor: User, comment: Comment, action: str, reply: str = "") -> Comment:
    comment = (Comment.objects.select_for_update(of=("self",)).select_related("dataset")
               .get(pk=comment.pk))
    if not policies.can_moderate_comment(actor, comment):
        raise NotPermitted(_("只有发布部门的数据管理员或信息中心可以审核留言。"), target=comment,
                           action=action)
    if action not in ("approve", "reject"):
        raise ValidationFailed(_("未知的审核操作。"), fields={"action": [_("请选择公开或不予公开。")]})
    transition_apply(obj=comment, table=COMMENT_TRANSITIONS, action=action, actor=actor,
                     save=False)
    comment.moderated_by, comment.moderated_at = actor, timezone.now()
    if reply.strip():
        comment.reply = reply.strip()[:1000]
    comment.save()
    inbox_close(key=f"opendata:comment:{comment.pk}:moderate")
    return comment


# --- conditional open (O5) ---------------------------------------------------------------

def _deciders(dataset: Dataset) -> list[User]:
    return list(users_with_role(Role.DATA_ADMIN, department=dataset.publisher_id))


@transaction.atomic
def application_submit(*, actor: User, dataset: Dataset, purpose_kind: str, purpose: str,
                       contact_phone: str, organisation: str = "",
                       security_measures: str = "") -> AccessApplication:
    """A registered member of the public applies for a conditionally open dataset (O5)."""
    dataset = _published(dataset)
    if dataset.open_type != OpenType.CONDITIONAL:
        raise Conflict(_("该数据集无条件开放，无需申请，可直接下载。"), target=dataset,
                       action="apply")
    if not policies.can_apply_for_dataset(actor, dataset):
        raise NotPermitted(_("请使用社会公众账户登录后申请。"), target=dataset, action="apply")
    if not purpose.strip():
        raise ValidationFailed(_("请说明使用目的。"), fields={"purpose": [_("请说明数据的具体用途。")]})
    if purpose_kind not in AccessApplication.Purpose.values:
        raise ValidationFailed(_("请选择用途类别。"), fields={"purpose_kind": [_("请选择用途类别。")]})
    try:
        with transaction.atomic():
            application = AccessApplication(
                dataset=dataset, applicant=actor, purpose_kind=purpose_kind,
                purpose=purpose.strip(), contact_phone=contact_phone.strip(),
                organisation=organisation.strip(), security_measures=security_measures.strip())
            due_on, rule = region_due(dataset.publisher.region_id, "opendata.answer")
            deadline_start(kind=deadlines.APPLICATION, obj=application, due_on=due_on,
                           rule=rule)
            application.save(force_insert=True)
            workflow_start(obj=application, table=APPLICATION_TRANSITIONS, actor=actor,
                           comment=application.purpose)
    except IntegrityError:
        raise Conflict(_("您已提交过该数据集的申请，请等待审批结果或在“我的数据”中查看。"),
                       target=dataset, action="apply") from None
    inbox_add(users=_deciders(dataset), key=f"opendata:application:{application.pk}:decide",
              title=_("有条件开放申请待审批：%(title)s") % {"title": dataset.title},
              url=reverse("opendata:manage_application", args=[application.pk]),
              due_on=application.due_on, target=application)
    return application


def _locked_application(application: AccessApplication) -> AccessApplication:
    return AccessApplication.objects.select_for_update(of=("self",)).select_related(
        "dataset", "applicant").get(pk=application.pk)


def _tell_applicant(application: AccessApplication, title: str, body: str = "") -> None:
    notify(users=[application.applicant],
           key=f"opendata:application:{application.pk}:{application.status}",
           title=title, body=body, url=reverse("opendata:me"))


@transaction.atomic
def application_approve(*, actor: User, application: AccessApplication, comment: str = "",
                        valid_until: date | None = None) -> AccessApplication:
    application = _locked_application(application)
    if not policies.can_decide_application(actor, application):
        raise NotPermitted(_("只有提供部门的数据管理员或信息中心可以审批。"), target=application,
                           action="approve")
    today = timezone.localdate()
    valid_until = valid_until or today + timedelta(days=opendata_setting("APPLICATION_VALID_DAYS"))
    if valid_until < today:
        raise ValidationFailed(_("有效期不能早于今天。"),
                               fields={"valid_until": [_("请填写今天或以后的日期。")]})
    transition_apply(obj=application, table=APPLICATION_TRANSITIONS, action="approve",
                     actor=actor, comment=comment, save=False)
    application.decided_by, application.decided_at = actor, timezone.now()
    application.decision_comment, application.valid_until = comment, valid_until
    application.save()
    inbox_close(key=f"opendata:application:{application.pk}:decide")
    _tell_applicant(application, _("您的数据申请已获批准：%(title)s") % {
        "title": application.dataset.title},
        _("有效期至 %(date)s。可在数据集页面下载，或使用个人令牌调用数据接口。")
        % {"date": valid_until.isoformat()})
    return application


@transaction.atomic
def application_refuse(*, actor: User, application: AccessApplication,
                       comment: str) -> AccessApplication:
    application = _locked_application(application)
    if not policies.can_decide_application(actor, application):
        raise NotPermitted(_("只有提供部门的数据管理员或信息中心可以审批。"), target=application,
                           action="refuse")
    if not comment.strip():
        raise ValidationFailed(_("不予批准时必须说明理由。"),
                               fields={"comment": [_("请填写不予批准的理由。")]})
    transition_apply(obj=application, table=APPLICATION_TRANSITIONS, action="refuse",
                     actor=actor, comment=comment, save=False)
    application.decided_by, application.decided_at = actor, timezone.now()
    application.decision_comment = comment.strip()
    application.save()
    inbox_close(key=f"opendata:application:{application.pk}:decide")
    _tell_applicant(application, _("您的数据申请未获批准：%(title)s") % {
        "title": application.dataset.title}, application.decision_comment)
    return application


@transaction.atomic
def application_cancel(*, actor: User, application: AccessApplication) -> AccessApplication:
    application = _locked_application(application)
    if not policies.can_cancel_application(actor, application):
        raise NotPermitted(_("只能撤回自己的申请。"), target=application, action="cancel")
    transition_apply(obj=application, table=APPLICATION_TRANSITIONS, action="cancel",
                     actor=actor)
    inbox_close(key=f"opendata:application:{application.pk}:decide")
    return application


@transaction.atomic
def application_revoke(*, actor: User, application: AccessApplication,
                       comment: str) -> AccessApplication:
    application = _locked_application(application)
    if not policies.can_decide_application(actor, application):
        raise NotPermitted(_("只有提供部门的数据管理员或信息中心可以终止授权。"),
                           target=application, action="revoke")
    if not comment.strip():
        raise ValidationFailed(_("终止授权时必须说明理由。"),
                               fields={"comment": [_("请填写终止授权的理由。")]})
    transition_apply(obj=application, table=APPLICATION_TRANSITIONS, action="revoke",
                     actor=actor, comment=comment, save=False)
    application.decision_comment = comment.strip()
    application.save()
    _tell_applicant(application, _("您的数据使用授权已终止：%(title)s") % {
        "title": application.dataset.title}, application.decision_comment)
    return application
