from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Use :class:`portal.admin_site.PortalAdminSite` as the default admin site."""

    default_site = "portal.admin_site.PortalAdminSite"
