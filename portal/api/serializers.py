from rest_framework import serializers

from portal.models import Department, InboxItem, Notification, Region, User


class RegionSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "level_display", "parent"]


class DepartmentSerializer(serializers.ModelSerializer):
    region = RegionSerializer(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "uscc", "kind", "kind_display", "region", "parent",
                  "contact_person", "contact_phone", "contact_email", "is_active"]


class MeSerializer(serializers.ModelSerializer):
    department = DepartmentSerializer(read_only=True)
    roles = serializers.SerializerMethodField()
    display_name = serializers.CharField(read_only=True)
    two_factor_required = serializers.BooleanField(source="requires_two_factor", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "department", "roles",
                  "two_factor_required"]

    def get_roles(self, user: User) -> list[str]:
        return sorted(user.role_set())


class InboxItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InboxItem
        fields = ["id", "key", "title", "url", "due_on", "created_at", "done_at"]


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "level", "title", "body", "url", "created_at", "read_at"]
