"""Queries of the platform core, already filtered to what the user may see."""

from django.db.models import F, QuerySet

from portal.models import (
    Department,
    InboxItem,
    Notification,
    Region,
    RulePackVersion,
    User,
)
from portal.policies import is_government_user


def departments_visible(user: User) -> QuerySet[Department]:
    """Every government user sees the directory of departments; the public sees the active ones."""
    qs = Department.objects.select_related("region", "parent")
    return qs if is_government_user(user) else qs.filter(is_active=True)


def regions_all() -> QuerySet[Region]:
    return Region.objects.select_related("parent")


def inbox_open(user: User) -> QuerySet[InboxItem]:
    return (InboxItem.objects.filter(user=user, done_at__isnull=True)
            .select_related("rule_version").order_by("due_on", "-created_at"))


def inbox_done(user: User) -> QuerySet[InboxItem]:
    return (InboxItem.objects.filter(user=user, done_at__isnull=False)
            .select_related("rule_version").order_by("-done_at"))


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at")


def users_with_role(*roles: str, department: Department | int | None = None) -> QuerySet[User]:
    """Active users holding any of ``roles`` (inside ``department`` when given)."""
    qs = User.objects.filter(is_active=True, role_assignments__role__in=roles)
    if department is not None:
        qs = qs.filter(department=department)
    return qs.distinct()


def rule_pack_versions(*, current_only: bool = True) -> QuerySet[RulePackVersion]:
    """Rule pack versions with their packs (the current version of each pack unless
    ``current_only`` is false). Packs are public rules: every signed-in user reads them."""
    versions = RulePackVersion.objects.select_related("pack", "pack__copied_from")
    if current_only:
        versions = versions.filter(version=F("pack__version"))
    return versions.order_by("pack__code", "-version")
