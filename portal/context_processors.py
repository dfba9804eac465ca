"""Template context for the site shell (navigation badges)."""

from portal.policies import can_use_admin, is_government_user

from .conf import portal_setting


def shell(request):
    user = getattr(request, "user", None)
    context = {"portal_name": portal_setting("NAME")}
    if user is not None and user.is_authenticated:
        context.update(
            inbox_open_count=user.inbox_items.filter(done_at__isnull=True).count(),
            unread_count=user.notifications.filter(read_at__isnull=True).count(),
            shell_is_government=is_government_user(user),
            shell_can_admin=can_use_admin(user),
        )
    return context
