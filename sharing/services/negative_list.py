"""The negative list (S11, HN-12): review rounds by the authority with the secrecy,
establishment and legal co-reviewers, publication, and the periodic review that finds
what needs reviewing."""

from calendar import monthrange
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import NOT_SHARED_BASIS_KINDS, LegalBasisKind, Resource, SharingType
from portal.errors import NotPermitted, ValidationFailed
from portal.models import Role, User
from portal.selectors import users_with_role
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.workflow import transition_apply

from .. import pipeline
from ..models import ROUND_TRANSITIONS, NegativeListEntry, NegativeListRound, RoundItem
from ..policies import can_manage_negative_list
from .catalog_bridge import resource_sharing_type_set
from .co_reviews import ROUND_CO_REVIEW_ROLES, co_reviews_agreed, co_reviews_open

LISTED_TYPES = (SharingType.CONDITIONAL, SharingType.NOT_SHARED)
OPEN_ROUNDS = (NegativeListRound.Status.OPEN, NegativeListRound.Status.SIGNOFF)


def legal_basis_problem(*, sharing_type: str, kind: str, text: str) -> str:
    """Why a basis is not valid for ``sharing_type`` (C2, NAT-10(1), HN-9), or ""."""
    if sharing_type not in LISTED_TYPES:
        return _("资源当前为无条件共享，不应列入负面清单。")
    if not (text or "").strip():
        return _("未填写法律依据。")
    if kind not in LegalBasisKind.values:
        return _("未选择依据类型。")
    if sharing_type == SharingType.NOT_SHARED and kind not in NOT_SHARED_BASIS_KINDS:
        return _("不予共享须依据法律、行政法规或党中央、国务院政策文件。")
    return ""


def stale_before(today: date) -> date:
    """Entries last reviewed before this day are due for review (12 months by default)."""
    months = int(pipeline.setting("sharing.negative_list_review"))
    year, month0 = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month0 + 1, min(today.day, monthrange(year, month0 + 1)[1]))


def negative_list_findings(*, today: date | None = None) -> list[tuple[Resource, str]]:
    """Conditional/not-shared registered resources missing from the list, listed entries
    without a valid basis, and entries not reviewed for 12 months (three queries)."""
    today = today or timezone.localdate()
    findings: list[tuple[Resource, str]] = []
    missing = (Resource.objects.filter(status=Resource.Status.REGISTERED,
                                       sharing_type__in=LISTED_TYPES)
               .exclude(negative_list_entry__status=NegativeListEntry.Status.LISTED))
    findings += [(r, RoundItem.Problem.MISSING) for r in missing]
    listed = (NegativeListEntry.objects.filter(status=NegativeListEntry.Status.LISTED)
              .select_related("resource"))
    cutoff = stale_before(today)
    for entry in listed:
        current_type = entry.resource.sharing_type
        if (entry.resource.status != Resource.Status.REGISTERED or entry.sharing_type != current_type
                or legal_basis_problem(sharing_type=current_type, kind=entry.legal_basis_kind,
                                       text=entry.legal_basis)):
            findings.append((entry.resource, RoundItem.Problem.NO_BASIS))
        elif entry.last_reviewed_on < cutoff:
            findings.append((entry.resource, RoundItem.Problem.STALE))
    return findings


def _round_url(review_round: NegativeListRound) -> str:
    return reverse("admin:sharing_negativelistround_change", args=[review_round.pk])


def _prefill(resource: Resource) -> dict:
    """A new review item starts from the entry's basis, else the catalog entry's."""
    entry = getattr(resource, "negative_list_entry", None)
    source = entry if entry is not None and entry.legal_basis else resource
    return {"legal_basis": source.legal_basis, "legal_basis_kind": source.legal_basis_kind}


def _add_items(review_round: NegativeListRound, findings: Iterable[tuple[Resource, str]]) -> int:
    busy = set(RoundItem.objects.filter(review_round__status__in=OPEN_ROUNDS)
               .values_list("resource_id", flat=True))
    added = 0
    for resource, problem in findings:
        if resource.pk in busy:
            continue
        busy.add(resource.pk)
        item = RoundItem(review_round=review_round, resource=resource, problem=problem,
                         **_prefill(resource))
        item.save()
        added += 1
    return added


def _announce(review_round: NegativeListRound) -> None:
    inbox_add(users=users_with_role(Role.AUTHORITY), key=f"sharing:round:{review_round.pk}",
              title=_("负面清单审查：%(title)s") % {"title": review_round.title},
              url=_round_url(review_round), target=review_round)


@transaction.atomic
def negative_list_periodic_review(*, today: date | None = None) -> NegativeListRound | None:
    """Open (or extend) a review round for every problem found that no open round covers
    yet. Running it again adds nothing."""
    today = today or timezone.localdate()
    findings = negative_list_findings(today=today)
    busy = set(RoundItem.objects.filter(review_round__status__in=OPEN_ROUNDS)
               .values_list("resource_id", flat=True))
    findings = [(r, p) for r, p in findings if r.pk not in busy]
    if not findings:
        return None
    review_round = (NegativeListRound.objects.select_for_update()
                    .filter(origin=NegativeListRound.Origin.PERIODIC,
                            status=NegativeListRound.Status.OPEN).first())
    if review_round is None:
        review_round = NegativeListRound.objects.create(
            title=_("负面清单定期审查（%(day)s）") % {"day": today.isoformat()},
            origin=NegativeListRound.Origin.PERIODIC,
            summary=_("定期审查发现：未列入清单、缺少有效依据或超过期限未审查的资源。"))
        _announce(review_round)
    _add_items(review_round, findings)
    return review_round


def _ensure_manager(actor: User, target) -> None:
    if not can_manage_negative_list(actor):
        raise NotPermitted(_("只有信息化主管部门可以办理负面清单审查。"), target=target,
                           action="negative_list")


@transaction.atomic
def round_open(*, actor: User, title: str, resources: Iterable[Resource],
               summary: str = "") -> NegativeListRound:
    """The authority opens a review round for resources it names."""
    _ensure_manager(actor, None)
    if not (title or "").strip():
        raise ValidationFailed(_("请填写审查名称。"), fields={"title": [_("请填写审查名称。")]})
    review_round = NegativeListRound(title=title.strip(), summary=summary,
                                     origin=NegativeListRound.Origin.MANUAL, opened_by=actor)
    review_round._history_user = actor
    review_round.save()
    _add_items(review_round, [(r, RoundItem.Problem.MANUAL) for r in resources])
    _announce(review_round)
    return review_round


@transaction.atomic
def round_item_decide(*, actor: User, item: RoundItem, decision: str, legal_basis: str = "",
                      legal_basis_kind: str = "", note: str = "") -> RoundItem:
    item = RoundItem.objects.select_for_update(of=("self",)).select_related("review_round", "resource").get(
        pk=item.pk)
    _ensure_manager(actor, item.review_round)
    if item.review_round.status != NegativeListRound.Status.OPEN:
        raise ValidationFailed(_("只能在审查中的批次里修改结论。"))
    if decision not in RoundItem.Decision.values:
        raise ValidationFailed(_("请选择审查结论。"), fields={"decision": [_("请选择审查结论。")]})
    if decision == RoundItem.Decision.LIST:
        problem = legal_basis_problem(sharing_type=item.resource.sharing_type,
                                      kind=legal_basis_kind, text=legal_basis)
        if problem:
            raise ValidationFailed(problem, fields={"legal_basis": [problem]})
    item.decision, item.note = decision, note
    item.legal_basis, item.legal_basis_kind = legal_basis.strip(), legal_basis_kind
    item._history_user = actor
    item.save()
    return item


def _lock_round(review_round: NegativeListRound) -> NegativeListRound:
    return NegativeListRound.objects.select_for_update().get(pk=review_round.pk)


@transaction.atomic
def round_submit_signoff(*, actor: User, review_round: NegativeListRound) -> NegativeListRound:
    """Every item decided → the secrecy, establishment and legal co-reviewers sign off."""
    review_round = _lock_round(review_round)
    _ensure_manager(actor, review_round)
    undecided = review_round.items.filter(decision="").count()
    if undecided or not review_round.items.exists():
        raise ValidationFailed(_("还有 %(n)d 项未作审查结论，请逐项作出结论后再提交会审。") % {
            "n": undecided} if undecided else _("本批次没有审查事项。"))
    review_round._history_user = actor
    transition_apply(obj=review_round, table=ROUND_TRANSITIONS, action="submit_signoff",
                     actor=actor)
    co_reviews_open(target={"review_round": review_round}, roles=ROUND_CO_REVIEW_ROLES,
                    title=_("会审负面清单：%(title)s") % {"title": review_round.title})
    return review_round


@transaction.atomic
def round_reopen(*, actor: User, review_round: NegativeListRound,
                 comment: str = "") -> NegativeListRound:
    review_round = _lock_round(review_round)
    _ensure_manager(actor, review_round)
    review_round._history_user = actor
    transition_apply(obj=review_round, table=ROUND_TRANSITIONS, action="reopen", actor=actor,
                     comment=comment)
    return review_round


def _apply(actor: User, review_round: NegativeListRound, item: RoundItem, today: date) -> None:
    resource = item.resource
    entry = NegativeListEntry.objects.filter(resource=resource).first()
    if item.decision == RoundItem.Decision.REMOVE:
        if entry is not None:
            entry.status, entry.removed_at = NegativeListEntry.Status.REMOVED, timezone.now()
            entry.removal_reason = item.note or _("经审查移出负面清单")
            entry.last_reviewed_on, entry.published_round = today, review_round
            entry._history_user = actor
            entry.save()
        resource_sharing_type_set(actor=actor, resource=resource,
                                  sharing_type=SharingType.UNCONDITIONAL)
        return
    entry = entry or NegativeListEntry(resource=resource)
    if entry.status != NegativeListEntry.Status.LISTED or entry.pk is None:
        entry.listed_at, entry.removed_at, entry.removal_reason = timezone.now(), None, ""
    entry.status = NegativeListEntry.Status.LISTED
    entry.sharing_type = resource.sharing_type
    entry.legal_basis, entry.legal_basis_kind = item.legal_basis, item.legal_basis_kind
    entry.last_reviewed_on, entry.published_round = today, review_round
    entry._history_user = actor
    entry.save()


@transaction.atomic
def round_publish(*, actor: User, review_round: NegativeListRound) -> NegativeListRound:
    """Apply the round's conclusions and publish the list to all government users. An
    entry removed from the list makes its resource unconditional."""
    review_round = _lock_round(review_round)
    _ensure_manager(actor, review_round)
    if not co_reviews_agreed(review_round.co_reviews.all(), ROUND_CO_REVIEW_ROLES):
        raise ValidationFailed(_("保密、编制、法制部门全部会审同意后方可发布。"))
    today = timezone.localdate()
    items = list(review_round.items.select_related("resource"))
    for item in items:
        _apply(actor, review_round, item, today)
    review_round.published_at, review_round.published_by = timezone.now(), actor
    review_round._history_user = actor
    event = transition_apply(obj=review_round, table=ROUND_TRANSITIONS, action="publish",
                             actor=actor)
    inbox_close(key=f"sharing:round:{review_round.pk}")
    providers = {item.resource.provider_id for item in items}
    notify(users=users_with_role(Role.DATA_ADMIN, Role.HEAD).filter(department_id__in=providers),
           key=f"sharing:round:{review_round.pk}:event:{event.pk}",
           title=_("负面清单已发布：%(title)s") % {"title": review_round.title},
           url=reverse("sharing:negative_list"))
    return review_round


@transaction.atomic
def round_cancel(*, actor: User, review_round: NegativeListRound,
                 comment: str = "") -> NegativeListRound:
    review_round = _lock_round(review_round)
    _ensure_manager(actor, review_round)
    review_round._history_user = actor
    transition_apply(obj=review_round, table=ROUND_TRANSITIONS, action="cancel", actor=actor,
                     comment=comment)
    inbox_close(key=f"sharing:round:{review_round.pk}")
    return review_round
