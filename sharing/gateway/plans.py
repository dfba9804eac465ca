"""The call plan: everything the database says about one gateway call, built once.

A plan answers, for a token, a service operation and a purpose: who calls (the token's
department), whether ``access_decide`` allows it (narrowed to the token's scope, the same
function the data plane uses), which answer fields leave under which item names and with
which masking rule, the upstream URL, credential, timeout and limits.

Building it costs a dozen queries; a web process keeps it for up to
``PLAN_TTL_SECONDS`` and only while the shared *generation* is unchanged. Saving or
deleting anything a plan depends on (grants and their permission tables, filings,
tokens and scopes, masking rules, resources, items, services) bumps the generation after
commit, so a revocation takes effect at the next call in every process; the TTL bounds
what bulk updates (which send no signal) could leave stale, and date-bound validity
(token expiry, grant end) is checked on every call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import DataItem, Resource
from dataplane.conf import masking_secret
from dataplane.masking import MaskedColumn, records_masker
from dataplane.models import AccessLogEntry, MaskingRule, SystemTokenScope
from dataplane.services.masking import consumer_rule
from portal.api.authentication import token_resolve
from portal.models import ApiToken, Department, User
from portal.secrets import secret_decrypt

from ..conf import gateway_setting
from ..delivery.services import Consumer, _scoped_decision
from ..models import (
    DataItemGrantPermission,
    DataService,
    Filing,
    Grant,
    ResourceGrantPermission,
    ServiceOperation,
)
from .limits import Limit, generation_bump


class PlanNotFound(Exception):
    """No enabled service or no such operation (404; existence is not revealed)."""


@dataclass(frozen=True)
class Param:
    name: str
    location: str            # "query" or "path"
    item_id: int | None
    required: bool


@dataclass(frozen=True)
class CallPlan:
    token: ApiToken | None      # None: the provider's "try it" preview
    user: User
    department: Department | None
    resource: Resource
    service: DataService
    operation: ServiceOperation
    allowed: bool
    reason: str
    grant: Grant | None
    purpose: str
    grant_valid_until: date | None
    columns: tuple[MaskedColumn, ...]      # answer field → item name, rule
    masker: Callable[[list[dict]], list[dict]]   # the columns' projection and masking
    granted_item_ids: frozenset[int]
    item_names: dict[int, str]
    params: tuple[Param, ...]
    credential: tuple[str, str, str]       # place, name, plain secret
    limits: tuple[Limit, ...]
    built_at: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        return self.service.base_url.rstrip("/") + "/" + self.operation.path.lstrip("/")

    @property
    def timeout_s(self) -> float:
        return self.service.timeout_ms / 1000

    @property
    def masked_names(self) -> list[str]:
        return [c.name for c in self.columns if c.rule is not None]

    def expired(self, now: datetime) -> bool:
        """Date-bound validity, checked on every call even when the plan is cached."""
        if self.token.expires_at is not None and self.token.expires_at <= now:
            return True
        return self.grant_valid_until is not None and now.date() > self.grant_valid_until


def _params(operation: ServiceOperation) -> tuple[Param, ...]:
    return tuple(Param(name=p["name"], location=p.get("in", "query"), item_id=p.get("item"),
                       required=bool(p.get("required"))) for p in operation.params or [])


def _columns(op: ServiceOperation, items: dict[int, str], item_ids: frozenset[int],
             masked_item_ids: frozenset[int], *, is_provider: bool) -> list[MaskedColumn]:
    """The answer fields that leave, in the entry's item order, under the items' names,
    each with the masking rule the data plane applies to this consumer."""
    if not item_ids:
        return []
    rules = {r.item_id: r for r in MaskingRule.objects.filter(item_id__in=item_ids)}
    fields = {item_id: answer_field for answer_field, item_id in (op.field_map or {}).items()}
    columns = []
    for item_id, name in items.items():
        answer_field = fields.get(item_id)
        if answer_field is None or item_id not in item_ids:
            continue
        rule = consumer_rule(item_id=item_id, masked_item_ids=masked_item_ids,
                             rule=rules.get(item_id), is_provider=is_provider)
        columns.append(MaskedColumn(source=answer_field, name=name, rule=rule))
    return columns


def _items(resource: Resource) -> dict[int, str]:
    # In the entry's item order (a JSON object's key order does not survive jsonb).
    return {pk: name for pk, name in DataItem.objects.filter(resource=resource)
            .order_by("position", "pk").values_list("pk", "name")}


def _masker(columns: list[MaskedColumn]):
    return records_masker(columns, secret=masking_secret() if any(c.rule for c in columns)
                          else b"")


def _credential(service: DataService) -> tuple[str, str, str]:
    place = service.credential_place
    return (place, service.credential_name,
            secret_decrypt(service.credential_secret) if place != "none" else "")


def plan_preview(*, user: User, service: DataService, operation: ServiceOperation,
                 grant: Grant | None) -> CallPlan:
    """A plan for the provider's "try it" page: the upstream call as the gateway makes
    it, the answer shaped as the holder of ``grant`` receives it (no grant: every mapped
    item, unmasked — the provider's own view)."""
    resource = service.resource
    items = _items(resource)
    if grant is None:
        item_ids, masked, is_provider = frozenset(items), frozenset(), True
    else:
        item_ids = frozenset(grant.items.values_list("pk", flat=True))
        masked = frozenset(grant.masked_items.values_list("pk", flat=True))
        is_provider = grant.department_id == resource.provider_id
    columns = _columns(operation, items, item_ids, masked, is_provider=is_provider)
    return CallPlan(
        token=None, user=user, department=user.department, resource=resource, service=service,
        operation=operation, allowed=True, reason="", grant=grant,
        purpose=grant.purpose if grant else "", grant_valid_until=None,
        columns=tuple(columns), masker=_masker(columns), granted_item_ids=item_ids,
        item_names=items, params=_params(operation), credential=_credential(service),
        limits=())


def plan_build(*, key: str, code: str, operation: str, purpose: str | None) -> CallPlan:
    """Resolve the token (401), the enabled service and operation (404), the decision."""
    token = token_resolve(key)
    service = (DataService.objects.select_related("resource", "resource__provider")
               .filter(resource__code=code, status=DataService.Status.ENABLED).first())
    if service is None:
        raise PlanNotFound(code)
    op = ServiceOperation.objects.filter(service=service, name=operation).first()
    if op is None:
        raise PlanNotFound(operation)
    resource = service.resource
    consumer = Consumer.of(user=token.user, token=token, channel=AccessLogEntry.Channel.API,
                           ip_address=None)
    decision = _scoped_decision(consumer, resource, purpose or None)
    items = _items(resource)
    columns = _columns(op, items, decision.item_ids if decision.allowed else frozenset(),
                       decision.masked_item_ids, is_provider=consumer.department is not None
                       and consumer.department.pk == resource.provider_id)
    limits = [Limit("token", token.pk, _token_rate(token))]
    if decision.grant is not None:
        limits.append(Limit("grant", decision.grant.pk,
                            int(gateway_setting("GRANT_RATE_PER_MINUTE"))))
    return CallPlan(
        token=token, user=token.user, department=consumer.department, resource=resource,
        service=service, operation=op, allowed=decision.allowed, reason=decision.reason,
        grant=decision.grant, purpose=decision.purpose,
        grant_valid_until=decision.grant.valid_until if decision.grant else None,
        columns=tuple(columns), masker=_masker(columns),
        granted_item_ids=decision.item_ids, item_names=items,
        params=_params(op), credential=_credential(service), limits=tuple(limits),
    )


def _token_rate(token: ApiToken) -> int:
    if token.kind == ApiToken.Kind.SYSTEM:
        rate = (SystemTokenScope.objects.filter(token=token)
                .values_list("rate_per_minute", flat=True).first())
        if rate:
            return int(rate)
    return 120


def param_refusal(plan: CallPlan, supplied: dict[str, str]) -> str:
    """A declared parameter that filters on an item the caller may not read → reason."""
    names = [plan.item_names.get(p.item_id, str(p.item_id)) for p in plan.params
             if p.name in supplied and p.item_id is not None
             and p.item_id not in plan.granted_item_ids]
    if names:
        return _("未获授权的信息项：%(names)s（不能按其查询）。") % {"names": "、".join(names)}
    return ""


# --- the per-process cache and its invalidation ----------------------------------------

_plans: dict[tuple, tuple[int, CallPlan]] = {}


def plan_known(cache_key: tuple) -> tuple[int, CallPlan, bool] | None:
    """The cached plan, the generation it was built at and whether it is still within
    its TTL, while its date bounds hold (whether the generation is current is the
    caller's question)."""
    ttl = float(gateway_setting("PLAN_TTL_SECONDS"))
    entry = _plans.get(cache_key) if ttl > 0 else None   # 0: every call builds its plan
    if entry is None:
        return None
    gen, plan = entry
    if plan.expired(timezone.now()):
        return None
    return gen, plan, time.monotonic() - plan.built_at <= ttl


def plan_cached(cache_key: tuple, gen: int) -> CallPlan | None:
    known = plan_known(cache_key)
    return known[1] if known is not None and known[0] == gen and known[2] else None


def plan_remember(cache_key: tuple, gen: int, plan: CallPlan) -> None:
    if len(_plans) > 10_000:
        _plans.clear()
    _plans[cache_key] = (gen, plan)


def plans_forget() -> None:
    _plans.clear()


_pending: dict[tuple, asyncio.Future] = {}


def _flight(cache_key: tuple, gen: int, build: Callable[[], Awaitable[CallPlan]]):
    """The one build of this plan under way in this loop (started if there is none)."""
    loop = asyncio.get_running_loop()
    flight = (id(loop), cache_key, gen)
    task = _pending.get(flight)
    if task is None or task.get_loop() is not loop:
        async def run() -> CallPlan:
            built = await build()
            plan_remember(cache_key, gen, built)
            return built
        task = _pending[flight] = loop.create_task(run())
        task.add_done_callback(lambda _t: _pending.pop(flight, None))
    return task


async def plan_get(cache_key: tuple, gen: int,
                   build: Callable[[], Awaitable[CallPlan]]) -> CallPlan:
    """The cached plan, or one built by ``build()`` — once per key however many calls
    wait for it (when a plan expires under load, the concurrent calls share one build
    instead of each running a dozen queries). A build's error reaches every waiter."""
    plan = plan_cached(cache_key, gen)
    if plan is not None:
        return plan
    return await asyncio.shield(_flight(cache_key, gen, build))


def plan_refresh(cache_key: tuple, gen: int, build: Callable[[], Awaitable[CallPlan]]) -> None:
    """Rebuild a plan past its TTL in the background while calls go on with it (its
    generation is current, so nothing signalled a change; the TTL only bounds what bulk
    updates could leave stale). A failed rebuild drops the plan: the next call builds
    it itself and answers with the error (e.g. 401 for a token deleted in bulk)."""
    task = _flight(cache_key, gen, build)

    def done(t: asyncio.Task) -> None:
        if not t.cancelled() and t.exception() is not None:
            _plans.pop(cache_key, None)
    task.add_done_callback(done)


def _changed(**_kwargs) -> None:
    transaction.on_commit(generation_bump)


WATCHED = (Grant, ResourceGrantPermission, DataItemGrantPermission, Filing, ApiToken,
           SystemTokenScope, MaskingRule, Resource, DataItem, DataService, ServiceOperation)
for _model in WATCHED:
    post_save.connect(_changed, sender=_model, dispatch_uid=f"gateway-plan-{_model.__name__}")
    post_delete.connect(_changed, sender=_model,
                        dispatch_uid=f"gateway-plan-del-{_model.__name__}")
for _through in (Grant.items.through, Grant.masked_items.through,
                 SystemTokenScope.grants.through):
    m2m_changed.connect(_changed, sender=_through, dispatch_uid=f"gateway-plan-m2m-{_through}")
