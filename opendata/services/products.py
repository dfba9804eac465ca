"""Data products built on open data (HN-28/29, O7): registration, review, usage reports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import NotPermitted, ValidationFailed
from portal.models import Role, User
from portal.selectors import users_with_role
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.workflow import transition_apply

from .. import policies
from ..models import (
    PRODUCT_TRANSITIONS,
    DataProduct,
    Dataset,
    ProductDataset,
    UsageReport,
)

PRODUCT_FIELDS = ("name", "kind", "summary", "url", "developer")


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter containing ``day``: (first day, last day)."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    following = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, following - timedelta(days=1)


def previous_quarter(today: date | None = None) -> tuple[date, date]:
    """The last complete quarter before ``today`` (the period a report is due for)."""
    return quarter_of(quarter_of(today or timezone.localdate())[0] - timedelta(days=1))


def _uses_write(product: DataProduct, uses: Iterable[tuple[Dataset, str, date]]) -> None:
    uses = list(uses)
    if not uses:
        raise ValidationFailed(_("请至少填写一个使用的开放数据集。"),
                               fields={"uses": [_("请填写产品使用的数据集及获取日期（HN-28）。")]})
    product.uses.all().delete()
    for dataset, source, acquired_on in uses:
        if dataset.status != Dataset.Status.PUBLISHED:
            raise ValidationFailed(_("数据集“%(t)s”未发布。") % {"t": dataset.title},
                                   fields={"uses": [_("只能登记已发布的开放数据集。")]})
        if acquired_on > timezone.localdate():
            raise ValidationFailed(_("获取日期不能晚于今天。"),
                                   fields={"uses": [_("获取日期不能晚于今天。")]})
        try:
            with transaction.atomic():
                ProductDataset.objects.create(product=product, dataset=dataset, source=source,
                                              acquired_on=acquired_on)
        except IntegrityError:
            raise ValidationFailed(_("同一数据集只需登记一次。"), fields={
                "uses": [_("数据集“%(t)s”重复。") % {"t": dataset.title}]}) from None


def _notify_center(product: DataProduct) -> None:
    inbox_add(users=users_with_role(Role.CENTER_REVIEWER),
              key=f"opendata:product:{product.pk}:review:{product.submitted_at:%Y%m%d%H%M%S}",
              title=_("数据产品待审核：%(name)s") % {"name": product.name},
              url=reverse("opendata:manage_product", args=[product.pk]), target=product)


@transaction.atomic
def product_register(*, actor: User, data: dict, uses: Iterable[tuple[Dataset, str, date]],
                     ) -> DataProduct:
    """Register a product with the datasets it uses, their source and date (HN-28)."""
    if not policies.can_register_product(actor):
        raise NotPermitted(_("请先登录后再登记数据产品。"), action="register")
    product = DataProduct.objects.create(owner=actor,
                                         **{k: data.get(k, "") for k in PRODUCT_FIELDS})
    _uses_write(product, uses)
    _notify_center(product)
    return product


@transaction.atomic
def product_resubmit(*, actor: User, product: DataProduct, data: dict,
                     uses: Iterable[tuple[Dataset, str, date]]) -> DataProduct:
    product = DataProduct.objects.select_for_update().get(pk=product.pk)
    if not policies.can_edit_product(actor, product):
        raise NotPermitted(_("只能修改自己被退回的产品登记。"), target=product, action="resubmit")
    for k in PRODUCT_FIELDS:
        setattr(product, k, data.get(k, getattr(product, k)))
    _uses_write(product, uses)
    transition_apply(obj=product, table=PRODUCT_TRANSITIONS, action="resubmit", actor=actor,
                     save=False)
    product.submitted_at = timezone.now()
    product.save()
    _notify_center(product)
    return product


@transaction.atomic
def product_review(*, actor: User, product: DataProduct, action: str,
                   comment: str = "") -> DataProduct:
    """The center lists a product on the showcase, returns it, or delists it."""
    product = DataProduct.objects.select_for_update().get(pk=product.pk)
    if not policies.can_review_product(actor, product):
        raise NotPermitted(_("只有信息中心可以审核数据产品。"), target=product, action=action)
    if action not in ("list", "return", "delist"):
        raise ValidationFailed(_("未知的审核操作。"), fields={"action": [_("请选择审核结论。")]})
    if action in ("return", "delist") and not comment.strip():
        raise ValidationFailed(_("退回或下架时必须说明理由。"),
                               fields={"comment": [_("请填写理由。")]})
    transition_apply(obj=product, table=PRODUCT_TRANSITIONS, action=action, actor=actor,
                     comment=comment, save=False)
    product.review_comment = comment.strip()
    if action == "list":
        product.listed_at = timezone.now()
    product.save()
    inbox_close(key=f"opendata:product:{product.pk}:review:{product.submitted_at:%Y%m%d%H%M%S}")
    notify(users=[product.owner], key=f"opendata:product:{product.pk}:{action}:"
           f"{timezone.now():%Y%m%d%H%M%S}",
           title=_("数据产品“%(name)s”：%(status)s") % {"name": product.name,
                                                     "status": product.get_status_display()},
           body=product.review_comment, url=reverse("opendata:me"))
    return product


@transaction.atomic
def usage_report_submit(*, actor: User, product: DataProduct, period_start: date,
                        period_end: date, active_users: int, visits: int, summary: str,
                        security_statement: str) -> UsageReport:
    """The developer reports how the product used open data in a period (HN-29)."""
    product = DataProduct.objects.select_for_update().get(pk=product.pk)
    if not policies.can_report_product(actor, product):
        raise NotPermitted(_("只有产品登记人可以报告已展示产品的利用情况。"), target=product,
                           action="report")
    if period_start > period_end:
        raise ValidationFailed(_("报告期有误。"), fields={"period_end": [_("报告期止不能早于报告期起。")]})
    try:
        with transaction.atomic():
            report = UsageReport.objects.create(
                product=product, period_start=period_start, period_end=period_end,
                active_users=active_users, visits=visits, summary=summary.strip(),
                security_statement=security_statement.strip(), submitted_by=actor)
    except IntegrityError:
        raise ValidationFailed(_("该报告期的报告已提交。"), fields={
            "period_start": [_("该报告期已提交过报告。")]}) from None
    inbox_close(key=f"opendata:product:{product.pk}:report:{period_start:%Y%m%d}")
    return report


def usage_reports_due(*, today: date | None = None) -> int:
    """Ask each listed product for last quarter's report, once per product and quarter."""
    start, end = previous_quarter(today)
    due = (DataProduct.objects.filter(status=DataProduct.Status.LISTED, listed_at__date__lte=end)
           .exclude(reports__period_start=start).select_related("owner"))
    count = 0
    for product in due:
        inbox_add(users=[product.owner], key=f"opendata:product:{product.pk}:report:{start:%Y%m%d}",
                  title=_("请报告数据产品“%(name)s”%(start)s 至 %(end)s 的开放数据利用情况")
                  % {"name": product.name, "start": start.isoformat(), "end": end.isoformat()},
                  url=reverse("opendata:product_report", args=[product.pk]), target=product)
        count += 1
    return count
