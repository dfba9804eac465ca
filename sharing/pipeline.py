"""Which rules time a request's steps (S3, S4, S7, S8), read from the rule packs
(``portal.rules``): the pack of the provider's region governs the answer steps (compliance
check, provider answer and its extension, supply after consent, enablement, transfer
consent, objection answer); the pack of the coordinating authority's region — the lowest
region above both departments — governs negotiation and coordination. Documented in
docs/rules.md."""

from datetime import date

from dataplane.models import DataVersion
from portal.models import RulePackVersion
from portal.rules import UNPUBLISHED, Rule, common_region, due_after, region_rules, rule_of

# Rules of the disputes between the two departments: the coordinating level's pack.
_COORDINATION_RULES = ("sharing.negotiation", "sharing.coordination")


def rules_for(request, key: str) -> RulePackVersion:
    """The pack version governing ``key`` for ``request`` (a share request, transfer or
    objection: anything with a ``provider`` and, for disputes, an ``applicant``)."""
    if key in _COORDINATION_RULES:
        return region_rules(common_region(request.applicant.region_id,
                                          request.provider.region_id))
    return region_rules(request.provider.region_id)


def rule(request, key: str) -> Rule:
    return rule_of(rules_for(request, key), key)


def enabled(request, key: str) -> bool:
    """Whether the optional step ``key`` (pre-review, extension, supply, enablement,
    return flow) is part of the pipeline for ``request``."""
    return rule(request, key).enabled


def due(request, key: str, start: date | None = None) -> tuple[date, Rule]:
    """The due date of the step ``key`` (or ``key#variant``) opening today (or
    ``start``) and its rule."""
    return due_after(rules_for(request, key.partition("#")[0]), key, start)


def is_return_flow(request) -> bool:
    """回流: the provider's region is above the applicant's (a lower level asks an upper
    level for data of its own jurisdiction)."""
    applicant, provider = request.applicant.region_id, request.provider.region_id
    return (applicant is not None and provider is not None and applicant != provider
            and common_region(applicant, provider) == provider)


def data_on_platform(resource) -> bool:
    """The resource's data is already shared on the platform: a current data version, or
    a registered data service (S9)."""
    from .models import DataService

    return (DataVersion.objects.filter(resource=resource,
                                       status=DataVersion.Status.CURRENT).exists()
            or DataService.objects.filter(resource=resource).exists())


def answer_key(request) -> str:
    """The rule timing the provider's answer: the return-flow limit for a 回流 request
    where the pack has one; else the answer limit, or its second limit when the data must
    first be published on the platform (Shanxi)."""
    if request.return_flow and enabled(request, "sharing.return_flow"):
        return "sharing.return_flow"
    answer = rule(request, "sharing.answer")
    if answer.option("unpublished_value") and not data_on_platform(request.resource):
        return f"sharing.answer#{UNPUBLISHED}"
    return "sharing.answer"


def setting(key: str):
    """A platform-wide sharing rule (the default pack: the negative list review)."""
    return rule_of(region_rules(None), key).value
