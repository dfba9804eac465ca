"""Template context for the site shell (navigation badges)."""

from django.conf import settings

from portal.policies import can_use_admin, is_government_user


def shell(request):
    user = getattr(request, "user", None)
    context = {"portal_name": settings.PORTAL_NAME}
    if user is not None and user.is_authenticated:
        context.update(
            inbox_open_count=user.inbox_items.filter(done_at__isnull=True).count(),
            unread_count=user.notifications.filter(read_at__isnull=True).count(),
            shell_is_government=is_government_user(user),
            shell_can_admin=can_use_admin(user),
        )
    return context
