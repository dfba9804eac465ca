"""The one change sharing makes to a catalog entry: its sharing type, when the authority
decides so in coordination (S4, HY-16) or removes it from the negative list (S11).

The catalog has no service for this decision, so it is made here, on the registered row,
with its history recorded (the sharing type is a facet, not part of the search text).
"""

from django.db import transaction
from django.utils import timezone

from catalog.models import Resource
from portal.models import User


@transaction.atomic
def resource_sharing_type_set(*, actor: User | None, resource: Resource,
                              sharing_type: str) -> Resource:
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if resource.sharing_type == sharing_type:
        return resource
    resource.sharing_type = sharing_type
    resource.updated_at = timezone.now()
    if actor is not None:
        resource._history_user = actor
    resource.save(update_fields=["sharing_type", "updated_at"])
    return resource
