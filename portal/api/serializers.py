from rest_framework import serializers

from portal.models import Department, InboxItem, Notification, Region, RulePackVersion, User
from portal.rules import RULES, rule_of


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


class RuleSerializer(serializers.Serializer):
    """One rule of a pack version, with the words the pages show."""

    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.JSONField()
    enabled = serializers.BooleanField()
    options = serializers.DictField()
    article = serializers.CharField()
    confirmed = serializers.BooleanField()
    description = serializers.CharField(help_text="e.g. 10 个工作日（《政务数据共享条例》第…条）")
    note = serializers.CharField()


class RulePackVersionSerializer(serializers.ModelSerializer):
    """A rule pack as one of its versions states it (the current one unless asked)."""

    code = serializers.CharField(source="pack.code")
    name = serializers.CharField(source="pack.name")
    is_default = serializers.BooleanField(source="pack.is_default")
    copied_from = serializers.SlugRelatedField(source="pack.copied_from", slug_field="code",
                                               read_only=True, allow_null=True)
    rules = serializers.SerializerMethodField()

    class Meta:
        model = RulePackVersion
        fields = ["code", "name", "source", "is_default", "copied_from", "version",
                  "saved_at", "rules"]

    def get_rules(self, version: RulePackVersion) -> list[dict]:
        rows = []
        for key, spec in RULES.items():
            rule = rule_of(version, key)
            rows.append({
                "key": key, "label": str(spec.label), "unit": spec.unit, "value": rule.value,
                "enabled": rule.enabled, "options": rule.options, "article": rule.article,
                "confirmed": rule.confirmed, "description": rule.describe(),
                "note": rule.note})
        return RuleSerializer(rows, many=True).data


class GoverningRulePackSerializer(RulePackVersionSerializer):
    """The pack governing a region (``context["region"]``) and whether it is inherited
    from a parent region or the default."""

    inherited = serializers.SerializerMethodField()

    class Meta(RulePackVersionSerializer.Meta):
        fields = [*RulePackVersionSerializer.Meta.fields, "inherited"]

    def get_inherited(self, version: RulePackVersion) -> bool:
        return version.pack_id != self.context["region"].rule_pack_id


class ResponsibilitySerializer(serializers.Serializer):
    """One duty of a department's responsibility list (责任清单)."""

    duty = serializers.CharField()
    rule = serializers.CharField(help_text="the pack rule that sets its limit, with article")
    note = serializers.CharField()
    responsible = serializers.ListField(child=serializers.DictField())
    answerable = serializers.ListField(child=serializers.DictField())
    above = serializers.CharField()
    open = serializers.IntegerField(allow_null=True)

    def to_representation(self, row: dict) -> dict:
        return {"duty": str(row["duty"]), "rule": row["rule"], "note": row["note"],
                "responsible": _role_people(row["responsible"]),
                "answerable": _role_people(row["answerable"]), "above": str(row["above"]),
                "open": row["open"]}


def _role_people(pairs: list[tuple]) -> list[dict]:
    return [{"role": str(role), "people": names} for role, names in pairs]
