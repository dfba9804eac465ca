"""Which rules time a request's steps (S3, S4, S7, S8), read from the rule packs
(``portal.rules``): the pack of the provider's region governs the answer steps (center
pre-review, provider answer, enablement, transfer consent, objection answer); the pack of
the coordinating authority's region — the lowest region above both departments —
governs negotiation and coordination. Documented in docs/rules.md."""

from datetime import date

from portal.models import RulePackVersion
from portal.rules import Rule, common_region, due_after, region_rules, rule_of

# Rules of the disputes between the two departments: the coordinating level's pack.
_COORDINATION_RULES = ("sharing.negotiation", "sharing.coordination")


def rules_for(request, key: str) -> RulePackVersion:
    """The pack version governing ``key`` for ``request`` (a share request, transfer or
    objection: anything with a ``provider`` and, for disputes, an ``applicant``)."""
    if key in _COORDINATION_RULES:
        return region_rules(common_region(request.applicant.region_id,
                                          request.provider.region_id))
    return region_rules(request.provider.region_id)


def enabled(request, key: str) -> bool:
    """Whether the optional step ``key`` (pre-review, enablement, extension) is part of
    the pipeline for ``request``."""
    return rule_of(rules_for(request, key), key).enabled


def due(request, key: str, start: date | None = None) -> tuple[date, Rule]:
    """The due date of the step ``key`` opening today (or ``start``) and its rule."""
    return due_after(rules_for(request, key), key, start)


def setting(key: str):
    """A platform-wide sharing rule (the default pack: the negative list review)."""
    return rule_of(region_rules(None), key).value
